import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdtempSync,
  openSync,
  readSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
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
 * The next command's file, made ahead (`prepareNext`) while a command runs: a step's critical path (its end
 * written, the next started) then only checks it is still there. Never handed to a command before.
 */
let spare: string | undefined;

/**
 * One command's output file: a new, empty file of mode 0600 in this process's private folder, so that no other
 * user can read what a step hands to the next (a token), nor swap the file.
 */
export class OutputFile {
  private constructor(readonly path: string) {}

  // Each step: a handful of system calls on a small local file, each far cheaper than a hop to libuv's thread
  // pool and back (the asynchronous calls cost about a tenth of a millisecond each here, per step).
  static async create(): Promise<OutputFile> {
    const made = spare;
    spare = undefined;
    // Made while the previous command ran: one lstat(2) instead of the creation. A cleaner of the temp folder may
    // have taken it (with its folder), or something replaced it: then a new one, as if there had been none.
    if (made !== undefined) {
      if (isEmptyFile(made)) return new OutputFile(made);
      new OutputFile(made).remove();
    }
    return new OutputFile(newFile());
  }

  /**
   * Makes the next command's file now, while this process would otherwise wait for a command to end: called once
   * a command has started. Best effort: a failure here is met again, and reported, by the next `create`.
   */
  static prepareNext(): void {
    if (spare !== undefined) return;
    try {
      spare = newFile();
    } catch {
      // the next create makes its own, or says why it cannot
    }
  }

  /** Reads and parses the file piece by piece, never holding more of it than the parser keeps. */
  async read(): Promise<OutputFileResult> {
    // Most commands write nothing to it: one lstat(2) tells, without opening it (which does not follow a link).
    if (isEmptyFile(this.path)) return new OutputFileParser().end();
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
  remove(): void {
    try {
      unlinkSync(this.path);
    } catch (error) {
      // Gone already; or a folder, which the recursive removal takes (what else a command left beside its file
      // goes with the folder, when this process exits).
      if (errorCode(error) !== 'ENOENT') rmSync(this.path, { recursive: true, force: true });
    }
  }
}

/** A new empty file of mode 0600 in this process's folder; the folder is made again if it was taken, once. */
function newFile(): string {
  for (let attempt = 0; ; attempt++) {
    const path = join(outputFolder(), `output-${++fileCount}`);
    try {
      writeFileSync(path, '', { flag: 'wx', mode: 0o600 });
      return path;
    } catch (error) {
      // The folder is gone (a cleaner of the temp folder took it while it was empty): a new one, once.
      if (errorCode(error) !== 'ENOENT' || attempt > 0) throw error;
      folder = undefined;
    }
  }
}

/** Whether `path` is, without following a link, a regular file holding nothing. */
function isEmptyFile(path: string): boolean {
  const info = lstatSync(path, { throwIfNoEntry: false });
  return info?.isFile() === true && info.size === 0;
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
  // Imported here, on this rare path: node:fs/promises (and the readline and stream modules it loads) would
  // cost every run's start-up milliseconds (docs/performance.md).
  const { readdir, rm } = await import('node:fs/promises');
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
  // Usually the folder holds only the spare file: removed by name, then the folder, where Node's recursive
  // removal walks the folder in JavaScript (a few milliseconds of every run's exit). A folder that still holds
  // something (the file of a command stopped at exit) is removed the long way.
  if (spare !== undefined) {
    try {
      unlinkSync(spare);
    } catch {
      // removed with its folder below
    }
    spare = undefined;
  }
  for (const each of made) {
    try {
      rmdirSync(each);
    } catch {
      try {
        rmSync(each, { recursive: true, force: true });
      } catch {
        // best effort: a resume removes what is left
      }
    }
  }
}
