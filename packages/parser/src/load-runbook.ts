import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { sha256Hex } from '@playbook/domain';
import { parseRunbook } from './parse-runbook.js';
import type { ParseResult, Problem } from './problem.js';

// Read synchronously: a runbook is read once, before anything else runs, and its size is bounded
// (MAX_RUNBOOK_BYTES). node:fs/promises (and the readline and stream modules it brings) or the callback API through
// the thread pool cost a command's start-up more than reading the file: starting the pool's threads, and a turn
// of the event loop for each call (docs/performance.md).

/** Runbook files must end with this. */
export const RUNBOOK_EXTENSION = '.playbook.toml';

/**
 * Files larger than this are refused before they are read (32 MiB): room for a 200,000-node runbook written
 * plainly (some 75 bytes a node), while bounding the memory a mistaken file (a log, a dump) can take.
 */
export const MAX_RUNBOOK_BYTES = 32 * 1024 * 1024;

const fail = (file: string, code: string, message: string, position?: { line: number; column: number }) =>
  ({
    ok: false,
    problems: [{ severity: 'error', code, message, file, ...position } satisfies Problem],
  }) as const;

/** A runbook file's text, or the file-level problem that stops reading it. */
export type RunbookText =
  | { readonly ok: true; readonly text: string; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/**
 * Reads a `*.playbook.toml` file as text. File-level problems (missing, a directory, wrong name, too large, not
 * UTF-8) are Problems; this never rejects for a user mistake.
 */
export async function readRunbookText(path: string): Promise<RunbookText> {
  let size: number;
  try {
    const info = statSync(path);
    if (info.isDirectory()) return fail(path, 'NOT_A_FILE', 'is a directory, not a runbook file');
    if (!info.isFile()) return fail(path, 'NOT_A_FILE', 'is not a regular file');
    size = info.size;
  } catch (error) {
    return fail(path, ioCode(error), ioMessage(error));
  }
  if (!path.endsWith(RUNBOOK_EXTENSION)) {
    return fail(path, 'BAD_FILE_NAME', `not a runbook file: the name must end in ${RUNBOOK_EXTENSION}`);
  }
  if (size > MAX_RUNBOOK_BYTES) return tooLarge(path, size);

  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    return fail(path, ioCode(error), ioMessage(error));
  }
  // Re-checked after reading: the file may have grown since stat.
  if (bytes.byteLength > MAX_RUNBOOK_BYTES) return tooLarge(path, bytes.byteLength);

  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), bytes };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    return fail(
      path,
      'NOT_UTF8',
      `the file is not valid UTF-8 text (byte 0x${bad.byte.toString(16).padStart(2, '0')} at offset ${bad.offset})`,
      bad.position,
    );
  }
}

/**
 * Reads, parses and validates a `*.playbook.toml` file. File-level problems (missing, a directory, wrong name,
 * empty, too large, not UTF-8) are Problems too; this never rejects for a user mistake. Sets `runbook.source`.
 */
export async function loadRunbook(path: string): Promise<ParseResult> {
  const read = await readRunbookText(path);
  if (!read.ok) return { ok: false, problems: read.problems };
  const { text, bytes } = read;

  const result = await parseRunbookText(text, path);
  if (!result.ok) return result;
  const absolute = resolve(path);
  return {
    ok: true,
    warnings: result.warnings,
    functions: result.functions,
    runbook: {
      ...result.runbook,
      source: {
        path: absolute,
        directory: dirname(absolute),
        // Not node:crypto: loading it costs each command that reads a runbook more than hashing the file does
        // (docs/performance.md).
        hash: sha256Hex(bytes),
        text,
      },
    },
  };
}

/**
 * Parses and validates a runbook's text (`fileName` names it in problems), loading the expression compiler
 * only when the text needs it: what `loadRunbook` does once it has read the file, also for a runbook's text
 * stored in the history (SPEC §10.1).
 */
export async function parseRunbookText(text: string, fileName: string): Promise<ParseResult> {
  // The expression compiler (and its CEL library) is loaded only for a runbook that holds a template or a
  // `when` condition (a false positive, such as the word in a description, only costs the load).
  const cel = needsCompiler(text) ? await import('@playbook/expressions/cel') : undefined;
  return parseRunbook(text, fileName, cel === undefined ? {} : { cel });
}

const WHEN_KEY = /\bwhen["']?\s*=/;

function needsCompiler(text: string): boolean {
  return text.includes('${{') || WHEN_KEY.test(text);
}

function tooLarge(path: string, size: number) {
  return fail(
    path,
    'FILE_TOO_LARGE',
    `the file is ${formatBytes(size)}, over the ${formatBytes(MAX_RUNBOOK_BYTES)} limit for a runbook`,
  );
}

function ioCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' ? 'FILE_NOT_FOUND' : 'READ_FAILED';
}

function ioMessage(error: unknown): string {
  const { code } = error as NodeJS.ErrnoException;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'file not found';
    case 'EACCES':
    case 'EPERM':
      return 'cannot read the file: permission denied';
    case 'EISDIR':
      return 'is a directory, not a runbook file';
    default:
      return `cannot read the file: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  const rounded = mib >= 10 ? mib.toFixed(1) : mib.toFixed(2);
  return `${rounded.replace(/\.0+$/, '')} MiB (${bytes.toLocaleString('en-US')} bytes)`;
}

// The first byte that breaks UTF-8, with its 1-based line and column (in characters) for the message.
function firstInvalidUtf8(bytes: Uint8Array): {
  byte: number;
  offset: number;
  position: { line: number; column: number };
} {
  const lenient = new TextDecoder('utf-8', { fatal: false });
  let offset = 0;
  while (offset < bytes.length) {
    const b = bytes[offset]!;
    const length =
      b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    let valid = length > 0 && offset + length <= bytes.length;
    for (let k = 1; valid && k < length; k++) valid = (bytes[offset + k]! & 0xc0) === 0x80;
    if (valid && length > 1) {
      const decoded = lenient.decode(bytes.subarray(offset, offset + length));
      valid = !decoded.includes('\uFFFD');
    }
    if (!valid) break;
    offset += length;
  }
  const before = bytes.subarray(0, offset);
  const lastNewline = before.lastIndexOf(0x0a);
  const line = before.reduce((count, value) => count + (value === 0x0a ? 1 : 0), 1);
  const column = new TextDecoder().decode(before.subarray(lastNewline + 1)).length + 1;
  return { byte: bytes[offset] ?? 0, offset, position: { line, column } };
}
