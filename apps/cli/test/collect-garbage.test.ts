// The full collection a run of a large runbook asks for (src/collect-garbage.ts) needs a V8 flag set at run
// time; it must leave the process's flags as they were, or V8 rejects the compiled code the CLI caches at exit
// (src/start/code-cache.ts) at every later start.
import { execFileSync } from 'node:child_process';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../src/collect-garbage.js';
import { ensureBuilt } from './fixtures-run/e2e.js';

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

  it('leaves them as they were in a process that started with --expose-gc (NODE_OPTIONS)', () => {
    ensureBuilt();
    const module = new URL('../dist/collect-garbage.js', import.meta.url).href;
    const program = `
      import { Script } from 'node:vm';
      import { collectGarbage } from ${JSON.stringify(module)};
      const source = '(function thrice(x) { return x * 3; })';
      const cachedData = new Script(source).createCachedData();
      collectGarbage();
      process.stdout.write(String(new Script(source, { cachedData, filename: 'again.js' }).cachedDataRejected));
    `;
    const rejected = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', program], {
      encoding: 'utf8',
    });
    expect(rejected).toBe('false');
  });
});
