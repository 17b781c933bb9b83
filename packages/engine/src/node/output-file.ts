import {
  closeSync,
  constants,
  fstatSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextDecoder } from 'node:util';
import { OutputFileParser, type OutputFileResult } from '../output-file-parser.js';

/** The variable that names a command's output file (SPEC §8.3). */
export const OUTPUT_FILE_VARIABLE = 'PLAYBOOK_OUTPUT';

/** Prefix of the output files' private folder; the owner's pid follows, so a resume finds a dead owner's. */
const FOLDER_PREFIX = 'playbook-output-';

// How much of the file is read at a time: the parser stops the reading as soon as the file is unusable.
const READ_CHUNK_BYTES = 64 * 1024;

/**
 * This process's folder of output files (mode 0700, in the system's temp folder), made for its first command
 * and removed when it exits. One folder for all commands rather than one each: creating and removing a folder
 * per step cost about 0.7 ms more than a file (ext4, a loaded machine), a fifth of what a step costs.
 */
let folder: string | undefined;
/** Every folder made: one, unless a cleaner of the temp folder took one. */
const made: string[] = [];
/** Names the files: each command's is new (`wx`), also beside commands running at the same time. */
let fileCount = 0;

/**
 * One command's output file: a new, empty file of mode 0600 in this process's private folder, so that no other
 * user can read what a step hands to the next (a token), nor swap the file.
 */
export class OutputFile {
  private constructor(readonly path: string) {}

  // Each step: a handful of system calls on a small local file, each far cheaper than a hop to libuv's thread
  // pool and back (the asynchronous calls cost about a tenth of a millisecond each here, per step).
  static async create(): Promise<OutputFile> {
    for (let attempt = 0; ; attempt++) {
      const path = join(outputFolder(), `output-${++fileCount}`);
      try {
        writeFileSync(path, '', { flag: 'wx', mode: 0o600 });
        return new OutputFile(path);
      } catch (error) {
        // The folder is gone (a cleaner of the temp folder took it while it was empty): a new one, once.
        if (errorCode(error) !== 'ENOENT' || attempt > 0) throw error;
        folder = undefined;
      }
    }
  }

  /** Reads and parses the file piece by piece, never holding more of it than the parser keeps. */
  async read(): Promise<OutputFileResult> {
    // The command may have replaced the file: a FIFO would block the read and a device never end, so the
    // file is opened without following a link and without blocking, and read only if it is a regular file.
    let fd: number;
    try {
      fd = openSync(this.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return { ok: true, outputs: {} };
      if (errorCode(error) === 'ELOOP') return notRegular();
      throw error;
    }
    try {
      const info = fstatSync(fd);
      if (!info.isFile()) return notRegular();
      const parser = new OutputFileParser();
      if (info.size === 0) return parser.end();
      const decoder = new TextDecoder();
      const buffer = Buffer.alloc(READ_CHUNK_BYTES);
      for (;;) {
        const bytesRead = readSync(fd, buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        if (!parser.feed(decoder.decode(buffer.subarray(0, bytesRead), { stream: true }))) break;
      }
      parser.feed(decoder.decode());
      return parser.end();
    } finally {
      closeSync(fd);
    }
  }

  /** Deletes the file, or whatever the command replaced it with. */
  async remove(): Promise<void> {
    try {
      unlinkSync(this.path);
    } catch (error) {
      // Gone already; or a folder, which the recursive removal takes (what else a command left beside its file
      // goes with the folder, when this process exits).
      if (errorCode(error) !== 'ENOENT') rmSync(this.path, { recursive: true, force: true });
    }
  }
}

function notRegular(): OutputFileResult {
  return { ok: false, error: `the output file (${OUTPUT_FILE_VARIABLE}) is no longer a regular file` };
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

/**
 * Removes the output folders a process `pid` of this host left behind when it died mid-command (`kill -9`, a
 * power cut): called by a resume once it has found that owner gone.
 */
export async function removeOutputFolders(pid: number): Promise<void> {
  const prefix = `${FOLDER_PREFIX}${pid}-`;
  const names = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const name of names) {
    if (name.startsWith(prefix)) await rm(join(tmpdir(), name), { recursive: true, force: true });
  }
}

/** The folder of this process's output files, made when first needed; removed (with a remade one's) on exit. */
function outputFolder(): string {
  if (folder !== undefined) return folder;
  folder = mkdtempSync(join(tmpdir(), `${FOLDER_PREFIX}${process.pid}-`));
  made.push(folder);
  if (made.length === 1) process.on('exit', removeFolders);
  return folder;
}

// 'exit' handlers must be synchronous.
function removeFolders(): void {
  for (const each of made) {
    try {
      rmSync(each, { recursive: true, force: true });
    } catch {
      // best effort: a resume removes what is left
    }
  }
}
