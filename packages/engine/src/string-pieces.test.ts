import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { OrderedOutput } from './ordered-output.js';
import { SecretMasker } from './secret-masker.js';
import { ownString } from './string-pieces.js';

/** Heap bytes still referenced after `work`, measured between two full collections. */
function retainedBy<T>(work: () => T): { bytes: number; kept: T } {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = work();
  gc();
  return { bytes: process.memoryUsage().heapUsed - before, kept };
}

const MiB = 1024 * 1024;
/** 4 MB of whole lines, then the start of a line: one large chunk of a command's output. */
const bigChunk = (n: number) => `${`${'z'.repeat(99)}\n`.repeat(40_000)}unfinished ${n}`;

describe('pieces kept while later output arrives are copies, not views of the chunk they came from', () => {
  it('ownString keeps only its own characters', () => {
    const { bytes, kept } = retainedBy(() => ownString(bigChunk(1).slice(5, 40)));
    expect(kept).toBe('z'.repeat(35));
    expect(bytes).toBeLessThan(MiB);
  });

  it('the ordered output keeps neither the chunk of its unfinished line nor that of its head', () => {
    const out = new OrderedOutput(200);
    const { bytes } = retainedBy(() => {
      out.write('stdout', bigChunk(1), '2026-01-01T00:00:00.000Z');
      out.write('stderr', bigChunk(2), '2026-01-01T00:00:01.000Z');
    });
    expect(bytes).toBeLessThan(MiB);
    out.end();
    expect(out.log().lines.at(-1)?.text).toBe('unfinished 2');
  });

  it('a masked stream keeps not the chunk of the text it holds back', () => {
    const masker = new SecretMasker();
    masker.add('s3cr3t-value');
    const stream = masker.stream();
    const { bytes, kept } = retainedBy(() => stream.write(`${bigChunk(1)} s3cr3t`).length);
    expect(kept).toBeGreaterThan(3_900_000);
    expect(bytes).toBeLessThan(MiB);
    expect(stream.write('-value')).toBe('');
    expect(stream.end()).toBe('unfinished 1 ***');
  });
});
