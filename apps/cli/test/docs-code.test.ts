import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.js';

// Code shown in the docs that is not a runbook (those are checked in packages/parser/test/docs-examples.test.ts):
// each block here is compared with, or run through, the code it describes, so the docs cannot drift.
const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

/** The fenced blocks of a language in a Markdown file, in order. */
function blocks(markdown: string, language: string): string[] {
  const found: string[] = [];
  const fence = new RegExp('^```' + language + '\\n([\\s\\S]*?)^```', 'gm');
  for (const match of markdown.matchAll(fence)) found.push(match[1] ?? '');
  return found;
}

describe('docs code blocks', () => {
  it('configuration.md: every config file shown is accepted, with the values it shows', () => {
    const examples = blocks(read('docs/configuration.md'), 'toml');
    expect(examples.length).toBeGreaterThan(0);
    for (const text of examples) {
      const config = resolveConfig({
        flags: {},
        env: { XDG_CONFIG_HOME: '/home/op/.config' },
        cwd: '/srv/ops',
        homeDir: '/home/op',
        readFile: (path) => (path === '/home/op/.config/playbook/config.toml' ? text : undefined),
      });
      expect(config.configFileFound).toBe(true);
      const timeout = /default_timeout_seconds\s*=\s*(\d+)/.exec(text)?.[1];
      if (timeout !== undefined) expect(config.defaultTimeoutSeconds).toBe(Number(timeout));
    }
  });

  it('graphviz.md: the DOT shown for the SPEC runbook is what toDot writes (the golden file)', () => {
    const [spec] = blocks(read('docs/graphviz.md'), 'dot');
    expect(spec).toBe(read('packages/graphviz/test/golden/deploy.dot'));
  });

  it('storage-adapter.md: the worked example is the in-memory contract test, in full', () => {
    const example = blocks(read('docs/storage-adapter.md'), 'ts').find((block) =>
      block.includes("runRepositoryContract('InMemoryRunRepository'"),
    );
    expect(example).toBe(read('packages/engine/src/testing/memory-run-repository.test.ts'));
  });
});
