import {
  invalidOutputKey,
  isOutputKey,
  MAX_ATTEMPT_OUTPUTS_BYTES,
  MAX_OUTPUT_VALUE_BYTES,
  outputsTooLarge,
  outputTooLarge,
  utf8Length,
} from '@playbook/domain';

/** What a command wrote to its `PLAYBOOK_OUTPUT` file: its outputs, or why none of them can be used. */
export type OutputFileResult =
  | { readonly ok: true; readonly outputs: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly error: string };

// A pending line longer than this cannot be a valid `key=value` line: its value alone would pass the cap. The
// parser never holds more than this (plus one chunk) of a line, whatever the file's size.
const MAX_KEY_CHARS = 1024;
const MAX_LINE_CHARS = MAX_OUTPUT_VALUE_BYTES + MAX_KEY_CHARS + 2;

interface OpenBlock {
  readonly key: string;
  readonly delimiter: string;
  readonly line: number;
  readonly lines: string[];
  bytes: number;
}

/**
 * Reads the `PLAYBOOK_OUTPUT` format of SPEC §8.3 — GitHub Actions' `GITHUB_OUTPUT`: `key=value` lines and
 * `key<<DELIMITER` … `DELIMITER` blocks for multi-line values; empty lines are ignored and a later value of a key
 * replaces an earlier one. Text comes in chunks cut anywhere (`feed`), so that a file is read piece by piece: the
 * parser holds at most one line of up to ~65 KiB and the outputs (at most 1 MiB) at any time, and says as soon as
 * the file cannot be used, so that the reader can stop. A value over 64 KiB or outputs over 1 MiB in all end the
 * parse naming the key — they are never truncated — as do a malformed line and a block without its delimiter.
 */
export class OutputFileParser {
  readonly #outputs = new Map<string, string>();
  #total = 0;
  #pending = '';
  #line = 0;
  #block: OpenBlock | undefined;
  #error: string | undefined;

  /** Takes the next piece of the file; false once the file is known to be unusable (reading may stop). */
  feed(chunk: string): boolean {
    if (this.#error !== undefined) return false;
    let text = this.#pending + chunk;
    let start = 0;
    for (;;) {
      const end = text.indexOf('\n', start);
      if (end === -1) break;
      this.#take(text.slice(start, end));
      if (this.#error !== undefined) return false;
      start = end + 1;
    }
    text = start === 0 ? text : text.slice(start);
    this.#pending = text;
    this.#checkPending();
    return this.#error === undefined;
  }

  /** The file has ended: its outputs, or why it cannot be used. */
  end(): OutputFileResult {
    if (this.#error === undefined && this.#pending !== '') {
      // A last line without a newline counts as a line.
      this.#take(this.#pending);
      this.#pending = '';
    }
    if (this.#error === undefined && this.#block !== undefined) {
      const { key, delimiter, line } = this.#block;
      this.#error =
        `output file line ${line}: the value of "${key}" has no closing line ${JSON.stringify(delimiter)} ` +
        '(a key<<DELIMITER block ends with a line holding only the delimiter)';
    }
    if (this.#error !== undefined) return { ok: false, error: this.#error };
    return { ok: true, outputs: Object.fromEntries(this.#outputs) };
  }

  #take(line: string): void {
    this.#line++;
    const block = this.#block;
    if (block !== undefined) {
      if (line === block.delimiter) {
        this.#block = undefined;
        this.#set(block.key, block.lines.join('\n'));
        return;
      }
      block.bytes += utf8Length(line) + (block.lines.length === 0 ? 0 : 1);
      if (block.bytes > MAX_OUTPUT_VALUE_BYTES) {
        this.#fail(outputTooLarge(block.key));
        return;
      }
      block.lines.push(line);
      return;
    }
    if (line === '') return;
    if (line.length > MAX_LINE_CHARS) {
      this.#longLine(line, this.#line);
      return;
    }
    const equals = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (equals !== -1 && (heredoc === -1 || equals < heredoc)) {
      const key = line.slice(0, equals);
      if (!this.#checkKey(key)) return;
      const value = line.slice(equals + 1);
      if (utf8Length(value) > MAX_OUTPUT_VALUE_BYTES) {
        this.#fail(outputTooLarge(key));
        return;
      }
      this.#set(key, value);
      return;
    }
    if (heredoc !== -1) {
      const key = line.slice(0, heredoc);
      if (!this.#checkKey(key)) return;
      const delimiter = line.slice(heredoc + 2);
      if (delimiter === '') {
        this.#fail(`output file line ${this.#line}: "${key}<<" needs a delimiter, e.g. ${key}<<EOF`);
        return;
      }
      this.#block = { key, delimiter, line: this.#line, lines: [], bytes: 0 };
      return;
    }
    this.#fail(notAnOutputLine(this.#line));
  }

  #checkKey(key: string): boolean {
    if (key === '') {
      this.#fail(`output file line ${this.#line}: no key before the "="${NOT_SHOWN}`);
      return false;
    }
    if (!isOutputKey(key)) {
      this.#fail(`output file line ${this.#line}: ${invalidOutputKey(key)}`);
      return false;
    }
    return true;
  }

  #set(key: string, value: string): void {
    const previous = this.#outputs.get(key);
    const size = utf8Length(key) + utf8Length(value);
    this.#total += size - (previous === undefined ? 0 : utf8Length(key) + utf8Length(previous));
    if (this.#total > MAX_ATTEMPT_OUTPUTS_BYTES) {
      this.#fail(outputsTooLarge(key));
      return;
    }
    this.#outputs.set(key, value);
  }

  /** A line still without its end that is already too long to be kept is over the cap now, not at its end. */
  #checkPending(): void {
    const pending = this.#pending;
    const block = this.#block;
    if (block !== undefined) {
      // Characters are at least as many bytes: once they pass the cap, the value does too.
      const separator = block.lines.length === 0 ? 0 : 1;
      if (
        pending.length > block.delimiter.length &&
        block.bytes + separator + pending.length > MAX_OUTPUT_VALUE_BYTES
      ) {
        this.#fail(outputTooLarge(block.key));
      }
      return;
    }
    if (pending.length > MAX_LINE_CHARS) this.#longLine(pending, this.#line + 1);
  }

  /**
   * A line too long to be a valid `key=value` (or `key<<DELIMITER`) line, judged by its start alone, so that a
   * line read in pieces and one read whole get the same answer.
   */
  #longLine(text: string, line: number): void {
    const head = text.slice(0, MAX_KEY_CHARS + 2);
    const equals = head.indexOf('=');
    const heredoc = head.indexOf('<<');
    const end = equals !== -1 && (heredoc === -1 || equals < heredoc) ? equals : heredoc;
    const key = end === -1 ? undefined : head.slice(0, end);
    if (key === undefined || key === '') {
      this.#fail(notAnOutputLine(line));
    } else if (!isOutputKey(key)) {
      this.#fail(`output file line ${line}: ${invalidOutputKey(key)}`);
    } else if (end === equals) {
      this.#fail(outputTooLarge(key));
    } else {
      this.#fail(`output file line ${line}: the delimiter of "${key}" is longer than a value may be`);
    }
  }

  #fail(message: string): void {
    this.#error = message;
    this.#block = undefined;
    this.#pending = '';
  }
}

// A line that is not `key=value` is never quoted: what a step writes to its output file may be a secret (a
// `secret_outputs` value is masked only once it is parsed as one), and the message is stored and shown.
const NOT_SHOWN = ' (the line is not shown: it may hold a secret)';

function notAnOutputLine(line: number): string {
  return `output file line ${line}: expected key=value or key<<DELIMITER${NOT_SHOWN}`;
}
