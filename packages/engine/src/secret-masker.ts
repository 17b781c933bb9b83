import { ownString } from './string-pieces.js';

/** What a secret is replaced with in captured output, results, exceptions and events. */
export const SECRET_MASK = '***';

/**
 * Shorter secrets are not masked: a value of one to three characters ("1", "eu", "yes") occurs in ordinary text
 * so often that masking it would garble the output while hiding little, and would tell a reader the value.
 */
export const MIN_MASKED_SECRET_LENGTH = 4;

/**
 * The secrets of one run, and the one place their values are masked (SPEC §11). Everything the engine keeps or
 * tells — each node's output, result text, exception, reason, and every event — passes through it before it is
 * stored or emitted, whichever node asked for the secret. Each secret is masked in every form the engine itself
 * writes: as typed, and as a JSON string escapes it (a result stored as JSON, a function's own
 * `JSON.stringify`, and JSON inside JSON), so quotes, backslashes, newlines and control characters cannot hide
 * it. Wherever two
 * occurrences overlap, or one secret contains another, the whole covered span becomes one `***`.
 */
export class SecretMasker {
  /** Forms to find, longest first (no duplicates). */
  #patterns: string[] = [];

  /** Masks `secret` from now on; shorter than `MIN_MASKED_SECRET_LENGTH` it is ignored (see there). */
  add(secret: string): void {
    if (secret.length < MIN_MASKED_SECRET_LENGTH) return;
    const once = jsonEscaped(secret);
    const forms = new Set([...this.#patterns, secret, once, jsonEscaped(once)]);
    this.#patterns = [...forms].sort((a, b) => b.length - a.length);
  }

  /** Whether there is anything to mask: without secrets every method returns its input. */
  get active(): boolean {
    return this.#patterns.length > 0;
  }

  /** Length of the longest form masked: a stream holds back one character less than that. */
  get longest(): number {
    return this.#patterns[0]?.length ?? 0;
  }

  /** `text` with every secret in it masked. */
  mask(text: string): string;
  mask(text: string | null): string | null;
  mask(text: string | null): string | null {
    if (text === null || !this.active) return text;
    return this.#replace(text, 0, text.length, false).text;
  }

  /**
   * A function's result as stored in `result_text`: a string as it is, anything else as JSON with every string
   * masked before it is serialised (and the JSON masked again, for keys and for what `toJSON` made);
   * `undefined` stores nothing.
   */
  maskResult(value: unknown): string | null {
    if (value === undefined) return null;
    if (typeof value === 'string') return this.mask(value);
    let text: string;
    try {
      const replacer = this.active
        ? (_key: string, item: unknown) => (typeof item === 'string' ? this.mask(item) : item)
        : undefined;
      text = JSON.stringify(value, replacer) ?? String(value);
    } catch {
      // Cycles and BigInts have no JSON form.
      text = String(value);
    }
    return this.mask(text);
  }

  /** A mask for one output stream whose text comes in chunks: see `MaskedStream`. */
  stream(): MaskedStream {
    return new MaskedStream(this);
  }

  /**
   * Masks `text[from, to)`; positions before `from` are context only (a secret that starts there and reaches
   * past `from` still covers what it reaches). `continued`: the character before `from` was masked already, so
   * a span going on from there adds no second `***`. Returns the masked text and whether its last character
   * was covered.
   */
  maskRange(
    text: string,
    from: number,
    to: number,
    continued: boolean,
  ): { text: string; endsCovered: boolean } {
    return this.#replace(text, from, to, continued);
  }

  #replace(text: string, from: number, to: number, continued: boolean) {
    const spans = this.#coveredSpans(text, from, to);
    let out = '';
    let at = from;
    let endsCovered = false;
    for (const [start, end] of spans) {
      out += text.slice(at, start);
      if (!(start === from && continued)) out += SECRET_MASK;
      at = end;
      endsCovered = end === to;
    }
    out += text.slice(at, to);
    return { text: out, endsCovered };
  }

  /** The merged spans within `[from, to)` covered by an occurrence of any form, in order. */
  #coveredSpans(text: string, from: number, to: number): Array<[number, number]> {
    const found: Array<[number, number]> = [];
    // An occurrence covering `from` starts at most `longest - 1` characters before it.
    const scanFrom = Math.max(0, from - this.longest + 1);
    for (const pattern of this.#patterns) {
      // Overlapping occurrences too: each one covers its own characters.
      for (let i = text.indexOf(pattern, scanFrom); i !== -1 && i < to; i = text.indexOf(pattern, i + 1)) {
        const end = Math.min(i + pattern.length, to);
        if (end > from) found.push([Math.max(i, from), end]);
      }
    }
    if (found.length === 0) return found;
    found.sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const span of found) {
      const last = merged[merged.length - 1];
      if (last !== undefined && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
      else merged.push([span[0], span[1]]);
    }
    return merged;
  }
}

/** Longest part of a line held back waiting for its end while a run has secrets (see `MaskedStream`). */
const MAX_HELD_LINE = 16 * 1024;

/**
 * The mask of one output stream that arrives in chunks (a command's stdout, a function's logged lines). A secret
 * may be split across two chunks, so the last `longest - 1` characters of what came are held back until the
 * next chunk shows whether they start a secret; `end()` lets them go. What is let go ends at a line end when
 * there is one, and a line is held whole up to `MAX_HELD_LINE` characters: cut anywhere, its pieces would come
 * apart on the terminal between lines of the other stream. Without secrets nothing is held back.
 */
export class MaskedStream {
  readonly #masker: SecretMasker;
  /** Text not yet let go, after `#context` characters already let go (kept to find a secret that spans them). */
  #buffer = '';
  #context = 0;
  /** Whether the last character let go was masked. */
  #continued = false;

  constructor(masker: SecretMasker) {
    this.#masker = masker;
  }

  /** Takes a chunk; returns what may be shown and kept now (maybe nothing yet). */
  write(chunk: string): string {
    if (!this.#masker.active && this.#buffer.length === this.#context) return chunk;
    return this.#release(this.#buffer + chunk, false);
  }

  /** Lets go of everything held back, masked; the stream is over. */
  end(): string {
    if (this.#buffer.length === this.#context) return '';
    return this.#release(this.#buffer, true);
  }

  #release(text: string, final: boolean): string {
    const from = this.#context;
    const hold = Math.max(0, this.#masker.longest - 1);
    let to = final ? text.length : Math.max(from, text.length - hold);
    if (!final && to > from) {
      const lineEnd = text.lastIndexOf('\n', to - 1);
      if (lineEnd >= from) to = lineEnd + 1;
      else if (text.length - from <= MAX_HELD_LINE) to = from;
    }
    // Never between the two halves of a surrogate pair: each half alone would print as U+FFFD.
    if (to > from && to < text.length && isHighSurrogate(text.charCodeAt(to - 1))) to--;
    if (to === from) {
      this.#buffer = text;
      return '';
    }
    const masked = this.#masker.maskRange(text, from, to, this.#continued);
    this.#continued = masked.endsCovered;
    const keepFrom = Math.max(0, to - hold);
    // Held until the next chunk: a copy, so that this chunk's text can go (see ownString).
    this.#buffer = keepFrom === 0 ? text : ownString(text.slice(keepFrom));
    this.#context = to - keepFrom;
    return masked.text;
  }
}

/**
 * Every string of an event with the run's secrets masked: the event's own shape of plain objects and arrays is
 * followed (a few levels at most), anything else is kept as it is.
 */
export function maskStrings<T>(value: T, masker: SecretMasker): T {
  if (typeof value === 'string') return masker.mask(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => maskStrings(item, masker)) as T;
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype)
    return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = maskStrings(item, masker);
  return copy as T;
}

/** `value` as it appears inside a JSON string: what `JSON.stringify` writes between the quotes. */
function jsonEscaped(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
