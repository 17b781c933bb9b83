import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CODE_CACHE_FORMAT,
  codeCacheDir,
  fileCodeCache,
  fileIn,
  frameEntry,
  sourceChecksum,
  unframeEntry,
} from './code-cache.js';

const versions = { ...process.versions, node: '20.19.0', v8: '11.3.244.8-node.26' };
const leaf = `${CODE_CACHE_FORMAT}-node-20.19.0-v8-11.3.244.8-node.26-x64`;

describe('codeCacheDir', () => {
  it('takes PLAYBOOK_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache, with a folder per Node and V8', () => {
    expect(codeCacheDir({ PLAYBOOK_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' }, '/h', versions, 'x64')).toBe(
      join('/c', 'code', leaf),
    );
    expect(codeCacheDir({ XDG_CACHE_HOME: '/x' }, '/h', versions, 'x64')).toBe(
      join('/x', 'playbook', 'code', leaf),
    );
    expect(codeCacheDir({ XDG_CACHE_HOME: '' }, '/h', versions, 'x64')).toBe(
      join('/h', '.cache', 'playbook', 'code', leaf),
    );
  });

  it('is none when switched off or when no folder can be named', () => {
    expect(
      codeCacheDir({ PLAYBOOK_CODE_CACHE: 'off', PLAYBOOK_CACHE_DIR: '/c' }, '/h', versions, 'x64'),
    ).toBe(undefined);
    expect(codeCacheDir({}, '', versions, 'x64')).toBe(undefined);
  });

  it('changes with the Node version', () => {
    const other = codeCacheDir({}, '/h', { ...versions, node: '20.19.1' }, 'x64');
    expect(other).not.toBe(codeCacheDir({}, '/h', versions, 'x64'));
  });
});

describe('fileIn', () => {
  it('names a file in a folder as path.join does, with or without a trailing separator', () => {
    for (const dir of ['/var/cache/playbook', '/var/cache/playbook/', '/']) {
      expect(fileIn(dir, 'chunk-AB12.js')).toBe(join(dir, 'chunk-AB12.js'));
    }
  });
});

describe('fileCodeCache', () => {
  it('reads back what it wrote, and nothing for an unknown key', () => {
    const cache = fileCodeCache(join(mkdtempSync(join(tmpdir(), 'playbook-code-cache-')), 'a', 'b'));
    expect(cache.read('k', 7)).toBe(undefined);
    expect(cache.write('k', 7, Buffer.from('data'))).toBe(true);
    expect(cache.read('k', 7)?.toString()).toBe('data');
  });

  it('reads nothing of a file written for another source', () => {
    const cache = fileCodeCache(mkdtempSync(join(tmpdir(), 'playbook-code-cache-')));
    cache.write('k', 7, Buffer.from('data'));
    expect(cache.read('k', 8)).toBe(undefined);
  });

  it('prunes once, after the first entry it writes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'playbook-code-cache-'));
    const pruned: string[] = [];
    const cache = fileCodeCache(dir, (folder) => pruned.push(folder));
    cache.read('k', 7);
    expect(pruned).toEqual([]);
    cache.write('k', 7, Buffer.from('data'));
    cache.write('l', 7, Buffer.from('data'));
    expect(pruned).toEqual([dir]);
  });

  it('gives up quietly when its folder cannot be made', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'playbook-code-cache-')), 'file');
    writeFileSync(file, 'x');
    const cache = fileCodeCache(join(file, 'cache'));
    expect(cache.write('k', 1, Buffer.from('data'))).toBe(false);
    expect(cache.write('l', 1, Buffer.from('data'))).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });
});

describe('a cache entry', () => {
  const source = sourceChecksum(Buffer.from('exports.a = 1;', 'latin1'));
  const data = Buffer.from('compiled code of the chunk');

  it('gives back its data for the source it was written for, and nothing for another', () => {
    expect(unframeEntry(frameEntry(source, data), source)?.equals(data)).toBe(true);
    expect(unframeEntry(frameEntry(source, data), sourceChecksum(Buffer.from('exports.a = 2;')))).toBe(
      undefined,
    );
  });

  it('gives nothing when any byte of it is changed, or it is cut short', () => {
    const entry = frameEntry(source, data);
    for (let at = 0; at < entry.length; at++) {
      const damaged = Buffer.from(entry);
      damaged[at] = (damaged[at] as number) ^ 0x01;
      expect(unframeEntry(damaged, source), `byte ${at}`).toBe(undefined);
    }
    for (const length of [0, 4, 12, entry.length - 1]) {
      expect(unframeEntry(entry.subarray(0, length), source), `${length} bytes`).toBe(undefined);
    }
  });

  it('gives nothing for a file of before (V8 data alone)', () => {
    expect(unframeEntry(data, source)).toBe(undefined);
  });
});
