import type { OutputStream } from './ports/process-runner.js';

/** Consecutive lines of one stream that arrived at the same time, joined by line feeds (without the last one). */
export interface TailBlock {
  readonly stream: OutputStream;
  readonly time: string;
  readonly text: string;
  readonly lines: number;
}

const LINE_FEED = 10;
/** A character that does not fit in one byte: the kept characters switch to two bytes each. */
const WIDE = /[^\u0000-\u00ff]/;
const STREAMS: readonly OutputStream[] = ['stdout', 'stderr'];

/**
 * The last lines of an attempt's ordered output, at most `maxChars` characters of them (each line counted with
 * its line feed); the lines pushed out are counted, not kept. Nothing of it lives on V8's heap while the attempt
 * runs: the characters are copied into one buffer of fixed size, used as a ring (one byte per character until a
 * character above U+00FF comes, then two), and each block's stream, time, size and line count sit in typed
 * arrays. A tail of strings (each line, then each write's block of lines) lived until a megabyte of later output
 * pushed it out — long enough to be moved to V8's old generation, so the heap grew with the output rate, not
 * with what was kept (four steps printing 25 MB each at once: +55 MiB over 1 MB each).
 */
export class OutputTail {
  readonly #maxChars: number;
  #chars: Buffer | undefined;
  #wide = false;
  /** Where the oldest kept character is, in characters from the buffer's start. */
  #start = 0;
  /** Characters kept: every kept block's text and its line feed. */
  #used = 0;
  // The blocks, oldest first from `#first`, in a ring of `#sizes.length` slots that grows when full.
  #sizes = new Int32Array(16);
  #lines = new Int32Array(16);
  #streams = new Uint8Array(16);
  /** Milliseconds since the epoch, or NaN for a time that is no exact ISO-8601 instant (then in `#otherTimes`). */
  #times = new Float64Array(16);
  #first = 0;
  #count = 0;
  /** How many blocks were dropped from the front: the position of the first kept block, for `#otherTimes`. */
  #firstNumber = 0;
  readonly #otherTimes = new Map<number, string>();
  #droppedLines = 0;
  #droppedChars = 0;

  constructor(maxChars: number) {
    this.#maxChars = maxChars;
  }

  /** Lines dropped from the front so far. */
  get droppedLines(): number {
    return this.#droppedLines;
  }

  /** Characters dropped from the front so far, line feeds included. */
  get droppedChars(): number {
    return this.#droppedChars;
  }

  /** Keeps `lines` lines (`text`, joined by line feeds), dropping the oldest lines past the budget. */
  push(stream: OutputStream, time: string, text: string, lines: number): void {
    let size = text.length + 1;
    let from = 0;
    this.#used += size;
    // The oldest block goes whole when it is one line or when the rest fits without it; otherwise one line at a
    // time. The new block itself is the oldest once every earlier one is gone.
    while (this.#used > this.#maxChars) {
      if (this.#count === 0) {
        if (lines === 1 || this.#used - size >= this.#maxChars) {
          this.#drop(lines, size);
          return;
        }
        const lineSize = text.indexOf('\n', from) - from + 1;
        from += lineSize;
        size -= lineSize;
        lines--;
        this.#drop(1, lineSize);
        continue;
      }
      const slot = this.#first;
      const blockSize = this.#sizes[slot] as number;
      if (this.#lines[slot] === 1 || this.#used - blockSize >= this.#maxChars) {
        this.#drop(this.#lines[slot] as number, blockSize);
        this.#advance(blockSize);
        this.#otherTimes.delete(this.#firstNumber);
        this.#first = (slot + 1) % this.#sizes.length;
        this.#firstNumber++;
        this.#count--;
        continue;
      }
      const lineSize = this.#lineFeedAfter(this.#start) + 1;
      this.#sizes[slot] = blockSize - lineSize;
      this.#lines[slot] = (this.#lines[slot] as number) - 1;
      this.#drop(1, lineSize);
      this.#advance(lineSize);
    }
    const kept = from === 0 ? text : text.slice(from);
    if (!this.#wide && WIDE.test(kept)) this.#widen();
    const at = (this.#start + this.#used - size) % this.#maxChars;
    this.#put(kept, at);
    this.#put('\n', (at + kept.length) % this.#maxChars);
    this.#add(stream, time, size, lines);
  }

  /** The kept blocks, oldest first. */
  blocks(): TailBlock[] {
    const all = this.#count === 0 ? '' : this.#get(this.#start, this.#used);
    const blocks: TailBlock[] = [];
    let at = 0;
    for (let i = 0; i < this.#count; i++) {
      const slot = (this.#first + i) % this.#sizes.length;
      const size = this.#sizes[slot] as number;
      const ms = this.#times[slot] as number;
      blocks.push({
        stream: STREAMS[this.#streams[slot] as number] as OutputStream,
        time: Number.isNaN(ms)
          ? (this.#otherTimes.get(this.#firstNumber + i) as string)
          : new Date(ms).toISOString(),
        text: all.slice(at, at + size - 1),
        lines: this.#lines[slot] as number,
      });
      at += size;
    }
    return blocks;
  }

  #drop(lines: number, chars: number): void {
    this.#used -= chars;
    this.#droppedLines += lines;
    this.#droppedChars += chars;
  }

  #advance(chars: number): void {
    this.#start = (this.#start + chars) % this.#maxChars;
  }

  #add(stream: OutputStream, time: string, size: number, lines: number): void {
    if (this.#count === this.#sizes.length) this.#grow();
    const slot = (this.#first + this.#count) % this.#sizes.length;
    this.#sizes[slot] = size;
    this.#lines[slot] = lines;
    this.#streams[slot] = stream === 'stderr' ? 1 : 0;
    // A time kept as a number costs no object; one that would not come back the same is kept as it is.
    const ms = Date.parse(time);
    const exact = !Number.isNaN(ms) && new Date(ms).toISOString() === time;
    this.#times[slot] = exact ? ms : Number.NaN;
    if (!exact) this.#otherTimes.set(this.#firstNumber + this.#count, time);
    this.#count++;
  }

  /** Twice the slots, the blocks moved to the front in order. */
  #grow(): void {
    const capacity = this.#sizes.length * 2;
    this.#sizes = this.#inOrder(this.#sizes, new Int32Array(capacity));
    this.#lines = this.#inOrder(this.#lines, new Int32Array(capacity));
    this.#streams = this.#inOrder(this.#streams, new Uint8Array(capacity));
    this.#times = this.#inOrder(this.#times, new Float64Array(capacity));
    this.#first = 0;
  }

  #inOrder<A extends Int32Array | Uint8Array | Float64Array>(from: A, to: A): A {
    for (let i = 0; i < this.#count; i++) to[i] = from[(this.#first + i) % from.length] as number;
    return to;
  }

  /** From one byte per character to two, the kept characters moved to the buffer's start. */
  #widen(): void {
    const kept = this.#chars === undefined || this.#used === 0 ? '' : this.#get(this.#start, this.#used);
    this.#wide = true;
    if (this.#chars === undefined) return;
    this.#chars = Buffer.allocUnsafeSlow(this.#maxChars * 2);
    this.#start = 0;
    this.#put(kept, 0);
  }

  get #encoding(): 'latin1' | 'utf16le' {
    return this.#wide ? 'utf16le' : 'latin1';
  }

  /** Writes `text` at character `at`, going on at the buffer's start past its end. */
  #put(text: string, at: number): void {
    if (text.length === 0) return;
    const width = this.#wide ? 2 : 1;
    this.#chars ??= Buffer.allocUnsafeSlow(this.#maxChars * width);
    const first = Math.min(text.length, this.#maxChars - at);
    this.#chars.write(first === text.length ? text : text.slice(0, first), at * width, this.#encoding);
    if (first < text.length) this.#chars.write(text.slice(first), 0, this.#encoding);
  }

  /** `length` characters from character `at`, going on at the buffer's start past its end. */
  #get(at: number, length: number): string {
    const chars = this.#chars as Buffer;
    const width = this.#wide ? 2 : 1;
    const end = at + length;
    if (end <= this.#maxChars) return chars.toString(this.#encoding, at * width, end * width);
    return (
      chars.toString(this.#encoding, at * width, this.#maxChars * width) +
      chars.toString(this.#encoding, 0, (end - this.#maxChars) * width)
    );
  }

  /** How many characters from character `at` to the next line feed (one is kept there: a block of lines). */
  #lineFeedAfter(at: number): number {
    const chars = this.#chars as Buffer;
    const width = this.#wide ? 2 : 1;
    // A two-byte search looks at whole characters only (Node searches UTF-16 text by code unit).
    const find = (from: number) =>
      this.#wide ? chars.indexOf('\n', from * width, 'utf16le') : chars.indexOf(LINE_FEED, from);
    let found = find(at);
    if (found < 0 || found >= this.#maxChars * width) {
      return this.#maxChars - at + find(0) / width;
    }
    found /= width;
    return found - at;
  }
}
