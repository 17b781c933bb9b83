import {
  closeSync,
  constants,
  fstatSync,
  mkdtempSync,
  openSync,
  readSync,
  rmdirSync,
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

/** Prefix of each output file's private folder; the owner's pid follows, so a resume finds a dead owner's. */
const FOLDER_PREFIX = 'playbook-output-';

// How much of the file is read at a time: the parser stops the reading as soon as the file is unusable.
const READ_CHUNK_BYTES = 64 * 1024;

/** Folders of this process's commands that still exist, removed on exit if it ends mid-command. */
const liveFolders = new Set<string>();
let exitHookInstalled = false;

/**
 * One command's output file: a new, empty file of mode 0600 in a new folder of mode 0700 of the system's temp
 * folder, so that no other user can read what a step hands to the next (a token), nor swap the file.
 */
export class OutputFile {
  private constructor(
    readonly folder: string,
    readonly path: string,
  ) {}

  // Each step: a handful of system calls on a small local file, each far cheaper than a hop to libuv's thread
  // pool and back (the asynchronous calls cost about a tenth of a millisecond each here, per step).
  static async create(): Promise<OutputFile> {
    const folder = mkdtempSync(join(tmpdir(), `${FOLDER_PREFIX}${process.pid}-`));
    track(folder);
    const path = join(folder, 'output');
    try {
      writeFileSync(path, '', { flag: 'wx', mode: 0o600 });
    } catch (error) {
      removeFolder(folder);
      throw error;
    }
    return new OutputFile(folder, path);
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

  /** Deletes the file and its folder; what a command left in the folder goes with it. */
  async remove(): Promise<void> {
    removeFolder(this.folder, this.path);
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

/** The usual case, a folder holding the one file or nothing, in two calls; anything else recursively. */
function removeFolder(folder: string, file?: string): void {
  try {
    if (file !== undefined) unlinkSync(file);
  } catch {
    // gone already, or not a file: the recursive removal below deals with it
  }
  try {
    rmdirSync(folder);
  } catch {
    rmSync(folder, { recursive: true, force: true });
  }
  liveFolders.delete(folder);
}

function track(folder: string): void {
  liveFolders.add(folder);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous.
  process.on('exit', () => {
    for (const live of liveFolders) {
      try {
        rmSync(live, { recursive: true, force: true });
      } catch {
        // best effort: a resume removes what is left
      }
    }
  });
}
