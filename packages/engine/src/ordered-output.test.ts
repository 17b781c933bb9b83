import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { OrderedOutput } from './ordered-output.js';

const T = (s: number) => `2026-01-01T00:00:${String(s).padStart(2, '0')}.000Z`;

describe('OrderedOutput', () => {
  it('keeps lines of both streams in arrival order, each with the time its first character came', () => {
    const out = new OrderedOutput(1000);
    out.write('stdout', 'one\ntw', T(1));
    out.write('stderr', 'err\n', T(2));
    out.write('stdout', 'o\nthree', T(3));
    out.write('stderr', 'no end', T(4));
    out.end();
    expect(out.log()).toEqual({
      lines: [
        { stream: 'stdout', time: T(1), text: 'one' },
        { stream: 'stderr', time: T(2), text: 'err' },
        { stream: 'stdout', time: T(1), text: 'two' },
        { stream: 'stdout', time: T(3), text: 'three' },
        { stream: 'stderr', time: T(4), text: 'no end' },
      ],
      dropped: null,
    });
  });

  it('past its budget keeps the first and the last lines and counts those in between', () => {
    const out = new OrderedOutput(100);
    for (let i = 0; i < 1000; i++) out.write(i % 2 === 0 ? 'stdout' : 'stderr', `line ${i}\n`, T(i % 60));
    out.end();
    const log = out.log();
    const chars = log.lines.reduce((sum, line) => sum + line.text.length + 1, 0);
    expect(chars).toBeLessThanOrEqual(100);
    expect(log.lines[0]?.text).toBe('line 0');
    expect(log.lines.at(-1)?.text).toBe('line 999');
    expect(log.dropped).not.toBeNull();
    expect(log.dropped!.afterLine).toBeGreaterThan(0);
    expect(log.dropped!.lines + log.lines.length).toBe(1000);
    const all = Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join('');
    expect(log.dropped!.chars + chars).toBe(all.length);
  });

  it('cuts a line without a line break into pieces, so memory stays flat', () => {
    const out = new OrderedOutput(400);
    for (let i = 0; i < 10_000; i++) out.write('stdout', 'x'.repeat(1000), T(0));
    out.end();
    const log = out.log();
    expect(log.lines.every((line) => line.text.length <= 100)).toBe(true);
    expect(log.lines.reduce((sum, line) => sum + line.text.length + 1, 0)).toBeLessThanOrEqual(400);
    expect(log.dropped!.lines).toBeGreaterThan(90_000);
  });

  it('keeps the lines of one write together yet splits them exactly at the head and at the dropped lines', () => {
    const out = new OrderedOutput(40);
    out.write('stdout', 'aaaa\nbbbb\ncccc\ndddd\neeee\nffff\ngggg\nhhhh\n', T(1));
    out.write('stderr', 'iiii\nj', T(2));
    out.write('stderr', 'j\n', T(3));
    out.end();
    const line = (stream: 'stdout' | 'stderr', time: string, text: string) => ({ stream, time, text });
    expect(out.log()).toEqual({
      lines: [
        ...['aaaa', 'bbbb', 'cccc', 'dddd'].map((text) => line('stdout', T(1), text)),
        ...['gggg', 'hhhh'].map((text) => line('stdout', T(1), text)),
        line('stderr', T(2), 'iiii'),
        line('stderr', T(2), 'jj'),
      ],
      dropped: { afterLine: 4, lines: 2, chars: 10 },
    });
  });

  it('lets go of the lines it drops (output without line breaks kept ~100 MB alive before)', () => {
    // A full collection on demand, so the heap measures what is still referenced, not what waits for the collector.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const budget = 2 * 1024 * 1024;
    const out = new OrderedOutput(budget);
    gc();
    const before = process.memoryUsage().heapUsed;
    // 64 MiB without a line break: cut into lines of a quarter of the budget, nearly all of them dropped.
    for (let i = 0; i < 1024; i++) out.write('stdout', 'a'.repeat(64 * 1024) + String(i), T(i % 60));
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(grown).toBeLessThan(4 * budget);
    out.end();
    expect(out.log().dropped?.lines).toBeGreaterThan(100);
  });
});
