import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { OutputTail } from './output-tail.js';
import type { OutputStream } from './ports/process-runner.js';

interface Line {
  readonly stream: OutputStream;
  readonly time: string;
  readonly text: string;
}

/** What the tail must keep, the plain way: one object per line, the oldest dropped while over the budget. */
class LineTail {
  readonly lines: Line[] = [];
  used = 0;
  droppedLines = 0;
  droppedChars = 0;

  constructor(readonly maxChars: number) {}

  push(stream: OutputStream, time: string, text: string): void {
    for (const line of text.split('\n')) {
      this.lines.push({ stream, time, text: line });
      this.used += line.length + 1;
      while (this.used > this.maxChars && this.lines.length > 0) {
        const dropped = this.lines.shift() as Line;
        this.used -= dropped.text.length + 1;
        this.droppedLines++;
        this.droppedChars += dropped.text.length + 1;
      }
    }
  }
}

function linesOf(tail: OutputTail): Line[] {
  return tail
    .blocks()
    .flatMap((block) =>
      block.text.split('\n').map((text) => ({ stream: block.stream, time: block.time, text })),
    );
}

/** A small deterministic generator (mulberry32): the same cases on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// One-byte text mostly; now and then a character above U+00FF, an astral one, a lone surrogate, a NUL.
const PIECES = ['a', 'b', 'x', ' ', 'é', 'ÿ', '\0', 'ж', '€', '😀', '\ud800', '\udfff', '\u0a0a'];

describe('OutputTail', () => {
  it('keeps exactly the lines, times and dropped counts a tail of line objects keeps (random writes)', () => {
    const next = random(17);
    const pick = (n: number) => Math.floor(next() * n);
    for (let round = 0; round < 300; round++) {
      const maxChars = 1 + pick(round % 3 === 0 ? 20 : 300);
      const tail = new OutputTail(maxChars);
      const reference = new LineTail(maxChars);
      const wideFrom = round % 2 === 0 ? pick(40) : Number.POSITIVE_INFINITY;
      for (let write = 0; write < 60; write++) {
        const lines: string[] = [];
        const count = 1 + pick(pick(4) === 0 ? 30 : 4);
        for (let i = 0; i < count; i++) {
          let text = '';
          const length = pick(pick(5) === 0 ? maxChars * 2 : 12);
          for (let c = 0; c < length; c++) text += PIECES[pick(write >= wideFrom ? PIECES.length : 7)];
          lines.push(text);
        }
        const stream: OutputStream = pick(2) === 0 ? 'stdout' : 'stderr';
        // Mostly instants as the clock writes them; sometimes a text that is no exact instant.
        const time =
          pick(10) === 0
            ? `not a time ${write}`
            : new Date(Date.UTC(2026, 0, 1) + write * 1_234 + pick(1000)).toISOString();
        tail.push(stream, time, lines.join('\n'), lines.length);
        reference.push(stream, time, lines.join('\n'));
        expect(linesOf(tail), `round ${round}, write ${write}`).toEqual(reference.lines);
        expect([tail.droppedLines, tail.droppedChars]).toEqual([
          reference.droppedLines,
          reference.droppedChars,
        ]);
      }
    }
  });

  it('keeps characters one byte each until a wider one comes, then two, across the ring’s wrap', () => {
    const tail = new OutputTail(10);
    tail.push('stdout', '2026-01-01T00:00:00.000Z', 'abcd\nef', 2);
    tail.push('stderr', '2026-01-01T00:00:01.000Z', 'gh', 1);
    tail.push('stdout', '2026-01-01T00:00:02.000Z', 'ж😀', 1);
    expect(tail.blocks()).toEqual([
      { stream: 'stdout', time: '2026-01-01T00:00:00.000Z', text: 'ef', lines: 1 },
      { stream: 'stderr', time: '2026-01-01T00:00:01.000Z', text: 'gh', lines: 1 },
      { stream: 'stdout', time: '2026-01-01T00:00:02.000Z', text: 'ж😀', lines: 1 },
    ]);
    expect([tail.droppedLines, tail.droppedChars]).toEqual([1, 5]);
  });

  it('holds nothing on the heap for what it keeps: 64 MiB of lines leave the heap as it was', () => {
    // A full collection on demand, so the heap measures what is still referenced, not what waits for the collector.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const tail = new OutputTail(1024 * 1024);
    const chunk = `${'y'.repeat(99)}\n`.repeat(655);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 1024; i++) tail.push('stdout', new Date(i).toISOString(), chunk + i, 656);
    gc();
    // The typed arrays of a few dozen blocks; a megabyte of kept lines would be 1 MiB or more.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(256 * 1024);
    expect(tail.droppedLines).toBeGreaterThan(600_000);
  });
});
