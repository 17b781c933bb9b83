// The full collection a run of a large runbook asks for (src/collect-garbage.ts) needs a V8 flag set at run
// time; it must leave the process's flags as they were, or V8 rejects the compiled code the CLI caches at exit
// (src/start/code-cache.ts) at every later start.
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../src/collect-garbage.js';

describe('collectGarbage', () => {
  it('leaves the flags that V8 keys compiled code by as they were', () => {
    // A source of its own each time: V8 would find a source it compiled before in its in-memory cache, and
    // then not look at the data given.
    const source = (n: number) => `(function twice${n}(x) { return x * 2; })`;
    const cachedData = new Script(source(1)).createCachedData();
    collectGarbage();
    collectGarbage();
    expect(new Script(source(1), { cachedData, filename: 'again.js' }).cachedDataRejected).toBe(false);
    const written = new Script(source(2)).createCachedData();
    expect(new Script(source(2), { cachedData: written, filename: 'written.js' }).cachedDataRejected).toBe(
      false,
    );
  });
});
