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
    // Entries are named by their chunk's SHA-1 and length (src/start/chunk-loader.ts).
    const entry = (n: number) => `${String(n).repeat(40)}-${1000 + n}.v8`;
    const kept = [
      file(`1-node-20-v8-11/run/${entry(1)}`, 0),
      file(`1-node-20-v8-11/run/${entry(2)}`, 7 * DAY),
      file(`1-node-20-v8-11/show/${entry(3)}`, DAY),
      file(`1-node-18-v8-10/show/${entry(3)}`, DAY),
      file(`1-node-20-v8-11/run/${entry(4)}.123.tmp`, 60_000),
    ];
    const gone = [
      file(`1-node-20-v8-11/run/${entry(5)}`, STALE_ENTRY_MS + DAY),
      file(`1-node-20-v8-11/show/${entry(5)}`, STALE_ENTRY_MS + DAY),
      file(`1-node-20-v8-11/run/${entry(6)}.456.tmp`, 2 * DAY),
      file(`1-node-20-v8-11/${entry(7)}`, 0),
      file(`1-node-16-v8-9/run/${entry(5)}`, STALE_ENTRY_MS + DAY),
    ];
    pruneCodeCache(ours, now);
    for (const path of kept) expect(existsSync(path), path).toBe(true);
    for (const path of gone) expect(existsSync(path), path).toBe(false);
    // A Node version's folder left empty goes too.
    expect(existsSync(join(code, '1-node-16-v8-9'))).toBe(false);
    expect(existsSync(ours)).toBe(true);
  });

  it('deletes nothing it did not write: PLAYBOOK_CACHE_DIR may name a folder that holds more than the cache', () => {
    // `PLAYBOOK_CACHE_DIR=~/.cache` makes the cache `~/.cache/code`, which another program may use too.
    const code = join(mkdtempSync(join(tmpdir(), 'playbook-prune-')), 'code');
    const old = new Date(Date.now() - STALE_ENTRY_MS - DAY);
    const theirs = [
      'some-app/data/index.db',
      'some-app/data/lock.1.tmp',
      '1-node-20-v8-11/notes.txt',
      '1-node-20-v8-11/run/notes.txt',
    ].map((path) => {
      const full = join(code, path);
      mkdirSync(join(full, '..'), { recursive: true });
      writeFileSync(full, 'x');
      utimesSync(full, old, old);
      return full;
    });
    pruneCodeCache(join(code, '1-node-20-v8-11', 'run'));
    for (const path of theirs) expect(existsSync(path), path).toBe(true);
  });

  it('does nothing, and throws nothing, where there is no cache', () => {
    expect(() => pruneCodeCache(join(tmpdir(), 'no-such-cache', 'code', 'v', 'run'))).not.toThrow();
  });
});
