import { readdirSync, readFileSync } from 'node:fs';
import { EventLineSchema } from '@playbook/engine/event-schema';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { createCli } from '../src/cli.js';
import { CONFIG_KEYS, resolveConfig } from '../src/config.js';

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

  it('events.md: every line of the example stream is a valid event line; the config shown is accepted', () => {
    const text = read('docs/events.md');
    const lines = blocks(text, 'json').flatMap((block) => block.split('\n').filter((line) => line !== ''));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(Value.Errors(EventLineSchema, JSON.parse(line)), line).toEqual([]);
    for (const toml of blocks(text, 'toml')) {
      const config = resolveConfig({
        flags: {},
        env: {},
        cwd: '/srv/ops',
        homeDir: '/home/op',
        readFile: (path) => (path === '/home/op/.config/playbook/config.toml' ? toml : undefined),
      });
      expect(config.heartbeatSeconds).toBe(Number(/heartbeat_seconds\s*=\s*(\d+)/.exec(toml)?.[1]));
    }
  });

  it('events.md: the checking program accepts the example lines and refuses a bad one', async () => {
    const [program] = blocks(read('docs/events.md'), 'ts');
    expect(program).toContain("readFileSync('events.jsonl', 'utf8')");
    // The program as shown, with its imports bound to the real modules and the file to lines of our own.
    const body = (program ?? '').replace(/^import .*\n/gm, '');
    const check = new Function('readFileSync', 'EventLineSchema', 'Value', body) as (
      read: (path: string, encoding: string) => string,
      schema: typeof EventLineSchema,
      value: typeof Value,
    ) => void;
    const [example] = blocks(read('docs/events.md'), 'json');
    expect(() => check(() => example ?? '', EventLineSchema, Value)).not.toThrow();
    expect(() => check(() => '{"type":"heartbeat"}\n', EventLineSchema, Value)).toThrow(/not an event line/);
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

  it('configuration.md: the key table lists exactly the keys the config file accepts', () => {
    const text = read('docs/configuration.md');
    const table = [...text.matchAll(/^\| `([a-z_]+)` +\|/gm)].map((match) => match[1]);
    expect([...table].sort()).toEqual([...CONFIG_KEYS].sort());
  });

  it('configuration.md: the precedence names every flag and environment variable that picks a setting', () => {
    const precedence = read('docs/configuration.md').split('## Precedence')[1]?.split('\n## ')[0] ?? '';
    for (const name of ['--state-path', '--state-url', '--config'])
      expect(precedence).toContain(`\`${name} <`);
    for (const name of ['PLAYBOOK_STATE_PATH', 'PLAYBOOK_STATE_URL', 'PLAYBOOK_CONFIG']) {
      expect(precedence).toContain(`\`${name}\``);
    }
  });

  it("cli.md: every command is in the table, and every option of a command is in that command's section", () => {
    const text = read('docs/cli.md');
    const sections = text.split(/^## /m).map((section) => {
      const [heading = '', ...body] = section.split('\n');
      return { words: heading.toLowerCase().split(/[^a-z-]+/), body: body.join('\n') };
    });
    const global = sections.find((section) => section.words.includes('global'))?.body ?? '';
    const definitions = createCli()
      .definitions()
      .filter((definition) => !definition.path.includes(' -'));
    expect(definitions.length).toBeGreaterThan(6);
    for (const definition of definitions) {
      const name = definition.path.replace(/^playbook /, '');
      expect(text, name).toContain(`| [\`${name}\`](#`);
      const own = sections.find((section) => section.words.includes(name));
      expect(own, `a section of cli.md for ${name}`).toBeDefined();
      for (const option of definition.options) {
        const long = option.definition
          .split(' ')[0]
          ?.split(',')
          .find((flag) => flag.startsWith('--'));
        if (long === undefined || long === '--help') continue;
        const where = global.includes(`\`${long}`) ? global : (own?.body ?? '');
        expect(where, `cli.md: ${long} of ${name}`).toContain(long);
      }
    }
  });
});

describe('docs/errors.md', () => {
  /** The non-test TypeScript sources of the libraries and the CLI, by path from the root. */
  const sources = ['packages', 'apps/cli/src'].flatMap((top) =>
    (readdirSync(new URL(top, root), { recursive: true }) as string[])
      .map((path) => `${top}/${path}`)
      .filter(
        (path) => /\/src\/.*\.ts$/.test(path) && !path.endsWith('.test.ts') && !path.includes('/dist/'),
      ),
  );
  const entries = sources.filter((path) => /\/(index|records)\.ts$/.test(path)).map(read);
  const errors = read('docs/errors.md');

  it('names every error class a package exports', () => {
    const classes = sources.flatMap((path) =>
      [...read(path).matchAll(/export class (\w+Error) extends/g)].map((match) => match[1] as string),
    );
    const exported = classes.filter((name) =>
      entries.some((entry) => new RegExp(`\\b${name}\\b`).test(entry)),
    );
    expect(exported.length).toBeGreaterThan(8);
    expect(exported.filter((name) => !errors.includes(`\`${name}\``))).toEqual([]);
  });

  it('lists every code of every error code type', () => {
    const codes = sources.flatMap((path) =>
      [...read(path).matchAll(/export type (\w+ErrorCode)\s*=([^;]+);/g)].flatMap((match) =>
        [...(match[2] as string).matchAll(/'([A-Z_]+)'/g)].map((code) => `${match[1]}: ${code[1]}`),
      ),
    );
    expect(codes.length).toBeGreaterThan(20);
    expect(codes.filter((entry) => !errors.includes(`\`${entry.split(': ')[1]}\``))).toEqual([]);
    const types = new Set(codes.map((entry) => entry.split(':')[0] as string));
    expect([...types].filter((type) => !errors.includes(`\`${type}\``))).toEqual([]);
  });
});
