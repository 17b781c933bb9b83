import {
  accessSync,
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  type Stats,
  statSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { StateFileError } from './state-file-error.js';

// What the state path may be: a regular file, or nothing yet. A folder, a FIFO, a device or a socket is refused
// before anything opens it: opening a FIFO blocks until a writer comes (`run` and `show` hung), and SQLite on a
// device (/dev/null) creates a journal beside it (/dev/null-journal).

/** Open flags that never wait: a FIFO swapped in after the check fails instead of blocking the process. */
const NO_WAIT = (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** Whether the state file exists; throws a `NOT_A_FILE` StateFileError when the path is anything but a file. */
export function statePathExists(absolute: string, path: string): boolean {
  let stats: Stats;
  try {
    stats = statSync(absolute);
  } catch (error) {
    // ENOTDIR: a parent is a file, so there is no state file (and creating one says why it cannot).
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return false;
    throw fileSystemError(error, path, `cannot open the state file ${path}`, false);
  }
  refuseUnlessFile(stats, path);
  return true;
}

/**
 * Creates the state file (mode 0600: captured output can hold secrets) and its missing parent folders; an
 * existing file is left as it is, anything but a file refused. Parents are made one by one, walking up no further than the path is deep:
 * Node's `mkdir -p` loops forever where `mkdir` answers ENOENT for a parent that exists (under /proc).
 */
export function createStateFile(absolute: string, path: string): void {
  if (!statePathExists(absolute, path)) createParentFolders(absolute, path);
  let fd: number | undefined;
  try {
    // Append mode creates a missing file and leaves an existing one as it is.
    fd = openSync(absolute, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | NO_WAIT, 0o600);
    refuseUnlessFile(fstatSync(fd), path);
  } catch (error) {
    if (error instanceof StateFileError) throw error;
    throw fileSystemError(error, path, `cannot write the state file ${path}`, true);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function createParentFolders(absolute: string, path: string): void {
  const missing: string[] = [];
  for (let folder = dirname(absolute); ; folder = dirname(folder)) {
    let stats: Stats | undefined;
    try {
      stats = statSync(folder);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT' && errnoCode(error) !== 'ENOTDIR') {
        throw fileSystemError(error, path, `cannot create the state file ${path}`, true);
      }
    }
    if (stats !== undefined) {
      if (!stats.isDirectory()) {
        throw new StateFileError(
          'OPEN_FAILED',
          path,
          `cannot create the state file ${path}: ${folder} is not a folder`,
        );
      }
      break;
    }
    missing.push(folder);
    if (dirname(folder) === folder) break;
  }
  for (let index = missing.length - 1; index >= 0; index--) {
    const folder = missing[index] as string;
    try {
      mkdirSync(folder);
    } catch (error) {
      // Made meanwhile by another process: fine when it is a folder.
      if (errnoCode(error) === 'EEXIST' && isFolder(folder)) continue;
      throw fileSystemError(error, path, `cannot create folder ${folder} for the state file ${path}`, true);
    }
  }
}

/** Opens the state file for reading its header, refusing what is not a file (also one swapped in meanwhile). */
export function openStateFileForReading(absolute: string, path: string): number {
  let fd: number | undefined;
  try {
    fd = openSync(absolute, constants.O_RDONLY | NO_WAIT);
    refuseUnlessFile(fstatSync(fd), path);
    return fd;
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    if (error instanceof StateFileError) throw error;
    throw fileSystemError(error, path, `cannot open the state file ${path}`, false);
  }
}

/**
 * Whether this process may write the state file and the folder SQLite keeps its journal in. Root may write
 * anything but a read-only file system.
 */
export function stateFileWritable(absolute: string): boolean {
  try {
    accessSync(absolute, constants.W_OK);
    accessSync(dirname(absolute), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function refuseUnlessFile(stats: Stats, path: string): void {
  if (stats.isFile()) return;
  throw new StateFileError(
    'NOT_A_FILE',
    path,
    `the state path ${path} is ${kindOf(stats)}, not a regular file; refusing to use it`,
  );
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function errnoCode(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/**
 * A file-system failure as one line: `<what>: permission denied (EACCES)`, the path not repeated. A permission
 * failure while `writing` is `UNWRITABLE`.
 */
function fileSystemError(error: unknown, path: string, what: string, writing: boolean): StateFileError {
  const code = errnoCode(error);
  const unwritable = writing && (code === 'EACCES' || code === 'EPERM' || code === 'EROFS');
  return new StateFileError(unwritable ? 'UNWRITABLE' : 'OPEN_FAILED', path, `${what}: ${reasonOf(error)}`, {
    cause: error,
  });
}

/** Node's `ENOENT: no such file or directory, mkdir '/x'` as `no such file or directory (ENOENT)`. */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = errnoCode(error);
  if (typeof code === 'string' && message.startsWith(`${code}: `)) {
    const text = message.slice(code.length + 2).replace(/, \w+ '.*'$/s, '');
    return `${text} (${code})`;
  }
  return message.split('\n')[0] ?? message;
}
