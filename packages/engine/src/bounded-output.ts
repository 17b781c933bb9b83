/** Bytes of the head and the tail a `BoundedOutput` keeps. */
export interface BoundedOutputOptions {
  /** Bytes kept from the start of the stream; default half of `maxBytes` (rounded down). The rest is the tail. */
  readonly headBytes?: number;
}

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
/** The head's first size once something is written. */
const INITIAL_HEAD_BYTES = 4096;

/**
 * A bounded capture of one output stream: keeps at most `maxBytes` bytes, the head and the tail, and
 * reports how many bytes in between were dropped with a marker line (`\n…[N bytes dropped]…\n`).
 * Memory stays flat however much is written: the head is filled once, the tail is a ring buffer.
 * Chunks are bytes (UTF-8 for strings); the text is decoded once at the end, and the cut edges are moved
 * to character boundaries so that no broken character appears next to the marker.
 */
export class BoundedOutput {
  readonly maxBytes: number;
  readonly headBytes: number;
  readonly tailBytes: number;
  #head: Uint8Array;
  #headLength = 0;
  #tail: Uint8Array | undefined;
  /** Next write position in the ring. */
  #tailStart = 0;
  #tailLength = 0;
  #total = 0;

  constructor(maxBytes: number, options: BoundedOutputOptions = {}) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
      throw new RangeError(`maxBytes must be a non-negative integer, got ${maxBytes}`);
    }
    const headBytes = options.headBytes ?? Math.floor(maxBytes / 2);
    if (!Number.isSafeInteger(headBytes) || headBytes < 0 || headBytes > maxBytes) {
      throw new RangeError(`headBytes must be an integer between 0 and maxBytes, got ${headBytes}`);
    }
    this.maxBytes = maxBytes;
    this.headBytes = headBytes;
    this.tailBytes = maxBytes - headBytes;
    // Small or no output is the common case: the head grows on demand, from nothing, instead of being reserved.
    this.#head = EMPTY;
  }

  /** Every byte written so far, kept or not. */
  get totalBytes(): number {
    return this.#total;
  }

  /** Whether anything had to be dropped. */
  get truncated(): boolean {
    return this.#total > this.maxBytes;
  }

  /** Bytes held in memory now (never more than `maxBytes`). */
  get retainedBytes(): number {
    return this.#headLength + this.#tailLength;
  }

  /** Appends a chunk; strings are encoded as UTF-8. */
  write(chunk: string | Uint8Array): void {
    let bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    this.#total += bytes.length;
    const headRoom = this.headBytes - this.#headLength;
    if (headRoom > 0) {
      const taken = bytes.subarray(0, headRoom);
      this.#appendHead(taken);
      bytes = bytes.subarray(taken.length);
    }
    if (bytes.length > 0) this.#appendTail(bytes);
  }

  /** The captured text: all of it when nothing was dropped, otherwise head, marker and tail. */
  toString(): string {
    if (this.#total === 0) return '';
    const head = this.#head.subarray(0, this.#headLength);
    const tail = this.#tailContents();
    if (!this.truncated) return decode(concat(head, tail));
    const headEnd = completeUtf8Prefix(head);
    const tailStart = skipContinuationBytes(tail);
    const dropped = this.#total - headEnd - (tail.length - tailStart);
    return decode(head.subarray(0, headEnd)) + droppedMarker(dropped) + decode(tail.subarray(tailStart));
  }

  #appendHead(bytes: Uint8Array): void {
    const needed = this.#headLength + bytes.length;
    if (needed > this.#head.length) {
      const grown = new Uint8Array(
        Math.min(this.headBytes, Math.max(needed, this.#head.length * 2, INITIAL_HEAD_BYTES)),
      );
      grown.set(this.#head.subarray(0, this.#headLength));
      this.#head = grown;
    }
    this.#head.set(bytes, this.#headLength);
    this.#headLength = needed;
  }

  #appendTail(bytes: Uint8Array): void {
    const size = this.tailBytes;
    if (size === 0) return;
    this.#tail ??= new Uint8Array(size);
    const ring = this.#tail;
    // Only the last `size` bytes of a large chunk can survive.
    const kept = bytes.length > size ? bytes.subarray(bytes.length - size) : bytes;
    const first = Math.min(kept.length, size - this.#tailStart);
    ring.set(kept.subarray(0, first), this.#tailStart);
    ring.set(kept.subarray(first), 0);
    this.#tailStart = (this.#tailStart + kept.length) % size;
    this.#tailLength = Math.min(size, this.#tailLength + kept.length);
  }

  #tailContents(): Uint8Array {
    const ring = this.#tail;
    if (ring === undefined || this.#tailLength === 0) return new Uint8Array(0);
    if (this.#tailLength < ring.length) return ring.subarray(0, this.#tailLength);
    return concat(ring.subarray(this.#tailStart), ring.subarray(0, this.#tailStart));
  }
}

/** The line put where bytes were dropped. */
export function droppedMarker(droppedBytes: number): string {
  return `\n…[${droppedBytes} bytes dropped]…\n`;
}

function decode(bytes: Uint8Array): string {
  // A fresh decoder each time: non-fatal, so bytes that are not UTF-8 at all become U+FFFD, as a terminal shows them.
  return new TextDecoder('utf-8').decode(bytes);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Length of `bytes` without a UTF-8 sequence cut off at its end. */
function completeUtf8Prefix(bytes: Uint8Array): number {
  // Walk back over at most three continuation bytes to the lead byte of the last sequence.
  let i = bytes.length - 1;
  let continuations = 0;
  while (i >= 0 && continuations < 3 && isContinuation(bytes[i]!)) {
    i--;
    continuations++;
  }
  if (i < 0) return bytes.length;
  const needed = sequenceLength(bytes[i]!);
  // A lead byte whose sequence does not fit is dropped with its continuations; anything else is kept as is.
  return needed > 1 && continuations + 1 < needed ? i : bytes.length;
}

/** Index of the first byte that does not continue a sequence begun before `bytes` (at most 3 skipped). */
function skipContinuationBytes(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && i < 3 && isContinuation(bytes[i]!)) i++;
  return i;
}

function isContinuation(byte: number): boolean {
  return (byte & 0b1100_0000) === 0b1000_0000;
}

function sequenceLength(lead: number): number {
  if ((lead & 0b1110_0000) === 0b1100_0000) return 2;
  if ((lead & 0b1111_0000) === 0b1110_0000) return 3;
  if ((lead & 0b1111_1000) === 0b1111_0000) return 4;
  return 1;
}
