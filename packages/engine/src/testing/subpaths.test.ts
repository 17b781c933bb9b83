import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** Every module `entry` loads, following relative imports, and every package it names. */
function reachable(entry: string): { files: string[]; packages: Set<string> } {
  const files: string[] = [];
  const packages = new Set<string>();
  const pending = [entry];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    files.push(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
      const specifier = match[1] as string;
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  }
  return { files, packages };
}

describe('the testing subpaths', () => {
  it('@playbook/engine/testing loads no test runner: its fakes serve any test framework, or none', () => {
    const { files, packages } = reachable(resolve(here, 'index.ts'));
    expect(files.length).toBeGreaterThan(5);
    expect([...packages].filter((name) => name.startsWith('vitest'))).toEqual([]);
  });

  it('@playbook/engine/testing/contract is where vitest comes in', () => {
    expect(reachable(resolve(here, 'contract/index.ts')).packages.has('vitest')).toBe(true);
  });
});
