import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruneCodeCache, STALE_ENTRY_MS } from './prune-code-cache.js';

const DAY = 24 * 60 * 60 * 1000;

describe('pruneCodeCache', () => {
  it('deletes what no start has read for a month, killed writers’ files and the layout of before', () => {
    const code = join(mkdtempSync(join(tmpdir(), 'playbook-prune-')), 'code');
    const now = Date.now();
    const file = (path: string, ageMs: number) => {
      const full = join(code, path);
      mkdirSync(join(full, '..'), { recursive: true });
      writeFileSync(full, 'x');
      const when = new Date(now - ageMs);
      utimesSync(full, when, when);
      return full;
    };
    const ours = join(code, '1-node-20-v8-11', 'run');
    const kept = [
      file('1-node-20-v8-11/run/fresh.v8', 0),
      file('1-node-20-v8-11/run/read-last-week.v8', 7 * DAY),
      file('1-node-20-v8-11/show/read-yesterday.v8', DAY),
      file('1-node-18-v8-10/show/read-yesterday.v8', DAY),
      file('1-node-20-v8-11/run/writing.123.tmp', 60_000),
    ];
    const gone = [
      file('1-node-20-v8-11/run/unused.v8', STALE_ENTRY_MS + DAY),
      file('1-node-20-v8-11/show/unused.v8', STALE_ENTRY_MS + DAY),
      file('1-node-20-v8-11/run/killed-writer.456.tmp', 2 * DAY),
      file('1-node-20-v8-11/flat-layout-of-before.v8', 0),
      file('1-node-16-v8-9/run/unused.v8', STALE_ENTRY_MS + DAY),
    ];
    pruneCodeCache(ours, now);
    for (const path of kept) expect(existsSync(path), path).toBe(true);
    for (const path of gone) expect(existsSync(path), path).toBe(false);
    // A Node version's folder left empty goes too.
    expect(existsSync(join(code, '1-node-16-v8-9'))).toBe(false);
    expect(existsSync(ours)).toBe(true);
  });

  it('does nothing, and throws nothing, where there is no cache', () => {
    expect(() => pruneCodeCache(join(tmpdir(), 'no-such-cache', 'code', 'v', 'run'))).not.toThrow();
  });
});
