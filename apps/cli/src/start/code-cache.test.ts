import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODE_CACHE_FORMAT, codeCacheDir, fileCodeCache } from './code-cache.js';

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

describe('fileCodeCache', () => {
  it('reads back what it wrote, and nothing for an unknown key', () => {
    const cache = fileCodeCache(join(mkdtempSync(join(tmpdir(), 'playbook-code-cache-')), 'a', 'b'));
    expect(cache.read('k')).toBe(undefined);
    expect(cache.write('k', Buffer.from('data'))).toBe(true);
    expect(cache.read('k')?.toString()).toBe('data');
  });

  it('gives up quietly when its folder cannot be made', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'playbook-code-cache-')), 'file');
    writeFileSync(file, 'x');
    const cache = fileCodeCache(join(file, 'cache'));
    expect(cache.write('k', Buffer.from('data'))).toBe(false);
    expect(cache.write('l', Buffer.from('data'))).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });
});
