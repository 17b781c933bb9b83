import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { command, deploy, func, manual, runbook } from '../test/runbooks.js';
import type { NodeRunStatus } from './node-run-status.js';
import { renderDot } from './render-dot.js';
import { statusLine, toDot } from './to-dot.js';

const golden = (name: string) => new URL(`../test/golden/${name}`, import.meta.url);

// UPDATE_GOLDEN=1 rewrites the files; review the diff before committing it.
async function expectGolden(name: string, actual: string): Promise<void> {
  if (process.env['UPDATE_GOLDEN'] === '1') await writeFile(golden(name), actual);
  expect(actual).toBe(await readFile(golden(name), 'utf8'));
}

const lineOf = (dot: string, id: string) =>
  dot.split('\n').find((line) => line.startsWith(`  "${id}" [`)) ?? '';

describe('toDot', () => {
  it('draws the SPEC example: shapes and fills per type, red border on critical nodes, edges', async () => {
    await expectGolden('deploy.dot', toDot(deploy));
  });

  it('gives each type its shape and fill, all filled', () => {
    const dot = toDot(runbook({}, [manual('m'), func('f'), command('c')]));
    expect(lineOf(dot, 'm')).toContain('shape=ellipse, style=filled, fillcolor=lightblue');
    expect(lineOf(dot, 'f')).toContain('shape=box, style=filled, fillcolor=lightgreen');
    expect(lineOf(dot, 'c')).toContain('shape=hexagon, style=filled, fillcolor=lightyellow');
    expect(dot).not.toContain('penwidth');
  });

  it('marks only critical nodes with penwidth=2 and color=red', () => {
    const dot = toDot(runbook({}, [manual('a', { critical: true }), manual('b', { skippable: true })]));
    expect(lineOf(dot, 'a')).toMatch(/penwidth=2, color=red\];$/);
    expect(lineOf(dot, 'b')).not.toContain('color=red');
  });

  it('names the graph after the title and starts with the description as a comment', () => {
    const dot = toDot(deploy);
    expect(dot.split('\n').slice(0, 2)).toEqual(['// Blue/green deployment', 'digraph "Deploy" {']);
  });

  it('writes one edge per dependency in declaration order', () => {
    const dot = toDot(
      runbook({}, [
        manual('a'),
        manual('b'),
        manual('c', { dependsOn: ['b', 'a'] }),
        manual('d', { dependsOn: ['a'] }),
      ]),
    );
    expect(dot.match(/^ {2}.* -> .*;$/gm)).toEqual(['  "b" -> "c";', '  "a" -> "c";', '  "a" -> "d";']);
  });

  it('is deterministic', () => {
    expect(toDot(deploy)).toBe(toDot(deploy));
  });

  it('writes every line of a multi-line description as its own comment line', () => {
    const dot = toDot(
      runbook({ description: 'first\n}\ndigraph evil { x }\r\n\r\nlast\rafter CR\u2028after LS' }, [
        manual('a'),
      ]),
    );
    const lines = dot.split('\n');
    const header = lines.slice(0, lines.indexOf('digraph "Deploy" {'));
    expect(header).toEqual([
      '// first',
      '// }',
      '// digraph evil { x }',
      '//',
      '// last',
      '// after CR',
      '// after LS',
    ]);
  });

  it('turns line breaks of a name into \\n and escapes quotes and backslashes in labels', () => {
    const dot = toDot(runbook({}, [manual('a', { name: 'say "hi"\nto C:\\temp\\N' })]));
    expect(lineOf(dot, 'a')).toContain(String.raw`label="say \"hi\"\nto C:\\temp\\N"`);
  });

  it('never writes a label whose first line is empty (Graphviz WASM crashes on it): a space fills that line', () => {
    const dot = toDot(
      runbook({ title: '\r\nDeploy' }, [
        manual('a', { name: '\n&amp; name' }),
        manual('b', { name: '\n' }),
        manual('c', { name: 'x\n\ny\n' }),
        manual('d', { name: '' }),
      ]),
    );
    expect(dot).toContain(String.raw`graph [label=" \nDeploy",`);
    expect(lineOf(dot, 'a')).toContain(String.raw`label=" \n&amp;amp; name"`);
    expect(lineOf(dot, 'b')).toContain(String.raw`label=" \n"`);
    // Empty lines after the first are safe and stay as written.
    expect(lineOf(dot, 'c')).toContain(String.raw`label="x\n\ny\n"`);
    expect(lineOf(dot, 'd')).toContain('label=""');
  });

  it('quotes ids that are DOT keywords or contain DOT syntax', () => {
    const dot = toDot(
      runbook({ title: 'a "b" -> {c}' }, [manual('node'), manual('Digraph', { dependsOn: ['node'] })]),
    );
    expect(dot).toContain(String.raw`digraph "a \"b\" -> {c}" {`);
    expect(dot).toContain('  "node" -> "Digraph";');
  });
});

describe('toDot status overlay', () => {
  const statuses: Record<string, NodeRunStatus> = {
    build: { status: 'ok', attempts: 2, durationMs: 1234 },
    approve: { status: 'nok', attempts: 1, durationMs: 65_000 },
  };

  it('draws each status, the run id and a legend', async () => {
    await expectGolden('deploy-run.dot', toDot(deploy, { statuses, runId: 3 }));
  });

  it('gives each status a distinct look and keeps the shape and the critical border', () => {
    const dot = toDot(
      runbook({}, [command('a', { critical: true }), command('b'), command('c'), command('d'), command('e')]),
      {
        statuses: new Map<string, NodeRunStatus>([
          ['a', { status: 'ok', attempts: 1, durationMs: 10 }],
          ['b', { status: 'nok', attempts: 1, durationMs: 10 }],
          ['c', { status: 'skipped', attempts: 1, durationMs: 0 }],
          ['d', { status: 'running', attempts: 1, durationMs: null }],
        ]),
      },
    );
    const looks = ['a', 'b', 'c', 'd', 'e'].map((id) => {
      const line = lineOf(dot, id);
      expect(line).toContain('shape=hexagon');
      return `${line.match(/style="[^"]*"/)?.[0]} ${line.match(/fillcolor=\w+/)?.[0]}`;
    });
    expect(new Set(looks).size).toBe(5);
    expect(lineOf(dot, 'a')).toContain('penwidth=2, color=red');
    expect(lineOf(dot, 'd')).toContain('style="filled,bold"');
    expect(lineOf(dot, 'e')).toContain('style="filled,dashed"');
    expect(lineOf(dot, 'e')).toContain(String.raw`label="e\npending"`);
  });

  it('draws a node missing from the statuses as pending', () => {
    const dot = toDot(deploy, { statuses: {} });
    expect(lineOf(dot, 'notify')).toContain(String.raw`label="notify\npending"`);
  });

  it('does not take Object.prototype members for statuses of ids like constructor', () => {
    const dot = toDot(runbook({}, [manual('constructor'), manual('__proto__')]), { statuses: {} });
    expect(lineOf(dot, 'constructor')).toContain(String.raw`\npending"`);
    expect(lineOf(dot, '__proto__')).toContain(String.raw`\npending"`);
  });

  it('keeps legend ids apart from node ids', () => {
    const dot = toDot(runbook({}, [manual('legend:ok')]), { statuses: {} });
    expect(dot).toContain(`"legend:ok'" [label="ok`);
    expect(dot.match(/^ {2}"legend:ok" \[/gm)).toHaveLength(1);
  });

  it('writes no legend without statuses', () => {
    expect(toDot(deploy)).not.toContain('cluster_legend');
  });

  it('draws a 200,000-node chain and a 200,000-edge fan-in without overflowing the stack', {
    timeout: 120_000,
  }, () => {
    const count = 200_000;
    const chain = Array.from({ length: count }, (_, i) =>
      command(`n${i}`, i === 0 ? {} : { dependsOn: [`n${i - 1}`] }),
    );
    const dot = toDot(runbook({}, chain), { statuses: new Map() });
    expect(dot).toContain(`  "n${count - 2}" -> "n${count - 1}";`);
    const fanIn = [
      ...Array.from({ length: count }, (_, i) => command(`n${i}`)),
      command('join', { dependsOn: Array.from({ length: count }, (_, i) => `n${i}`) }),
    ];
    expect(toDot(runbook({}, fanIn))).toContain(`  "n${count - 1}" -> "join";`);
  });
});

describe('statusLine', () => {
  it.each([
    [{ status: 'ok', attempts: 2, durationMs: 1234 }, 'ok · 2 attempts · 1.2s'],
    [{ status: 'nok', attempts: 1, durationMs: 850 }, 'nok · 1 attempt · 850ms'],
    [{ status: 'running', attempts: 3, durationMs: null }, 'running · 3 attempts'],
    [{ status: 'pending', attempts: 0, durationMs: null }, 'pending'],
    [{ status: 'ok', attempts: 1, durationMs: 125_000 }, 'ok · 1 attempt · 2m 05s'],
    [{ status: 'ok', attempts: 1, durationMs: 3_720_000 }, 'ok · 1 attempt · 1h 02m'],
  ] satisfies Array<[NodeRunStatus, string]>)('%o → %s', (run, expected) => {
    expect(statusLine(run)).toBe(expected);
  });
});

describe('toDot: inputs', () => {
  it('lists the inputs (names and types, never values) under the title', () => {
    const runbook = {
      meta: {
        title: 'Deploy',
        description: 'd',
        version: '1',
        author: 'a',
        createdAt: '2025-01-01T00:00:00Z',
      },
      inputs: [
        { name: 'env', type: 'string' as const, secret: false, default: 'prod' },
        { name: 'token', type: 'string' as const, secret: true, default: 'hunter22' },
      ],
      nodes: [],
    };
    const dot = toDot(runbook);
    expect(dot).toContain('graph [label="Deploy\\ninputs: env (string), token (string, secret)"');
    expect(dot).not.toContain('hunter22');
  });

  it('draws a when node with a double outline and its condition, run_if edges dashed and labelled, with a key', async () => {
    const book = runbook({}, [
      command('deploy'),
      { ...command('canary'), dependsOn: ['deploy'], when: "inputs.env == 'prod'" },
      { ...command('rollback'), dependsOn: ['deploy'], runIf: 'failure' },
      { ...command('cleanup'), dependsOn: ['deploy', 'rollback'], runIf: 'always' },
    ]);
    const dot = toDot(book);
    expect(lineOf(dot, 'canary')).toBe(
      `  "canary" [label="canary\\nwhen: inputs.env == 'prod'", shape=hexagon, style=filled, fillcolor=lightyellow, peripheries=2];`,
    );
    expect(dot).toContain('  "deploy" -> "canary";\n');
    expect(dot).toContain(
      '  "deploy" -> "rollback" [style=dashed, color=firebrick, fontcolor=firebrick, label="on failure"];',
    );
    expect(dot).toContain(
      '  "rollback" -> "cleanup" [style=dashed, color=grey40, fontcolor=grey40, label="always"];',
    );
    expect(lineOf(dot, 'legend:conditions')).toContain('shape=note');
    // A runbook without them draws exactly as before: no key.
    expect(toDot(deploy)).not.toContain('legend:conditions');
    const svg = new TextDecoder().decode(await renderDot(dot, 'svg'));
    expect(svg).toContain('on failure');
  });
});
