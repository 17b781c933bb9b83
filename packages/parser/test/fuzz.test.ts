import { type ParseResult, parseRunbook } from '@playbook/parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// SPEC §1.3 under hostile input: whatever the text, parseRunbook returns (never throws, never hangs) either a
// runbook or at least one error, each naming the file and, when located, a line and column inside the text.

const FILE = 'fuzz.playbook.toml';
/** Slowest acceptable parse of one input of the sizes generated here (a few KB); a hang shows up as a failure. */
const MAX_MS = 1000;

function parseChecked(text: string): ParseResult {
  const started = performance.now();
  const result = parseRunbook(text, FILE);
  expect(performance.now() - started).toBeLessThan(MAX_MS);
  const lines = text.split(/\r\n|\n|\r/).length;
  const problems = result.ok ? result.warnings : result.problems;
  if (!result.ok) expect(problems.filter((p) => p.severity === 'error').length).toBeGreaterThan(0);
  for (const problem of problems) {
    expect(problem.file).toBe(FILE);
    expect(problem.message.trim()).not.toBe('');
    expect(problem.message).not.toContain('\n');
    if (problem.line !== undefined) {
      expect(problem.line).toBeGreaterThanOrEqual(1);
      expect(problem.line).toBeLessThanOrEqual(lines);
    }
    if (problem.column !== undefined) expect(problem.column).toBeGreaterThanOrEqual(1);
  }
  return result;
}

// ---- Valid runbooks, generated, then printed as TOML -------------------------------------------------------

/** Names every JS object inherits: refused as table names (see the test at the end). */
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype));
const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/).filter((s) => s !== 'runbook' && !INHERITED.has(s));
// No `${{`: a template is valid only where templates are, and only when closed around an expression (a random
// `${{ ` in a name made this "valid" runbook invalid now and then).
const text = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== '' && !s.includes('${{'));
const toml = (value: string) => JSON.stringify(value); // a JSON string is a valid TOML basic string

interface NodeSpec {
  id: string;
  type: 'Manual' | 'Function' | 'Command';
  payload: string;
  deps: number[];
  flags: { critical: boolean; skippable: boolean; repeatable: boolean };
  timeout: number | null;
  name: string | null;
}

const nodeSpec = fc.record({
  type: fc.constantFrom('Manual' as const, 'Function' as const, 'Command' as const),
  payload: text,
  deps: fc.array(fc.nat(), { maxLength: 3 }),
  flags: fc
    .record({ critical: fc.boolean(), skippable: fc.boolean(), repeatable: fc.boolean() })
    .map((f) => ({ ...f, skippable: f.skippable && !f.critical })),
  timeout: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: null }),
  name: fc.option(text, { nil: null }),
});

const validRunbook = fc
  .record({
    title: text,
    ids: fc.uniqueArray(id, { minLength: 1, maxLength: 8, selector: (s) => s.toLowerCase() }),
    specs: fc.array(nodeSpec, { minLength: 8, maxLength: 8 }),
  })
  .map(({ title, ids, specs }) => {
    const nodes: NodeSpec[] = ids.map((nodeId, index) => {
      const spec = specs[index] as Omit<NodeSpec, 'id'>;
      // Only earlier nodes: no cycles, no self-dependency.
      const deps = index === 0 ? [] : [...new Set(spec.deps.map((d) => d % index))];
      return { ...spec, id: nodeId, deps };
    });
    return printRunbook(title, nodes);
  });

function printRunbook(title: string, nodes: readonly NodeSpec[]): string {
  const lines = [
    '[runbook]',
    `title = ${toml(title)}`,
    'description = "fuzzed"',
    'version = "0.1.0"',
    'author = "fast-check"',
    'created_at = 2025-05-03T12:08:00Z',
    '',
  ];
  for (const node of nodes) {
    lines.push(`[${toml(node.id)}]`, `type = "${node.type}"`);
    if (node.type === 'Manual') lines.push(`prompt = ${toml(node.payload)}`);
    if (node.type === 'Command') lines.push(`command_name = ${toml(node.payload)}`);
    if (node.type === 'Function') {
      lines.push(
        'function_name = "playbook:notify"',
        `function_params = { message = ${toml(node.payload)} }`,
      );
    }
    if (node.deps.length > 0) {
      lines.push(`depends_on = [${node.deps.map((d) => toml((nodes[d] as NodeSpec).id)).join(', ')}]`);
    }
    for (const [flag, on] of Object.entries(node.flags)) if (on) lines.push(`${flag} = true`);
    if (node.timeout !== null) lines.push(`timeout = ${node.timeout}`);
    if (node.name !== null) lines.push(`name = ${toml(node.name)}`);
    lines.push('');
  }
  return lines.join('\n');
}

// ---- Mutations of a valid text -------------------------------------------------------------------------------

const FRAGMENTS = [
  '[',
  ']',
  '[[',
  ']]',
  '=',
  '"',
  "'",
  '"""',
  "'''",
  '{',
  '}',
  ',',
  '.',
  '#',
  '\n',
  '\\',
  '\u0000',
  '\uFEFF',
  'type = "Command"',
  'type = "Nope"',
  'depends_on = ["a", "a"]',
  'depends_on = 3',
  'critical = true\nskippable = true',
  'timeout = -1',
  'timeout = 1e400',
  'timeout = nan',
  'runbook = 1',
  '[runbook]',
  '[a.b.c]',
  'a.b.c = 1',
  'created_at = 1979-05-27T07:32:00',
  'created_at = 07:32:00',
  'function_params = []',
  'x = [[1], ["a"]]',
  '${ask}',
];

type Mutation = (lines: string[]) => string[];
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map((n) => (lines: string[]) => lines.filter((_, i) => i !== n % lines.length)),
  fc.nat().map((n) => (lines: string[]) => {
    const i = n % lines.length;
    return [...lines.slice(0, i + 1), lines[i] as string, ...lines.slice(i + 1)];
  }),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => (lines: string[]) => {
    const copy = [...lines];
    const i = a % copy.length;
    const j = b % copy.length;
    [copy[i], copy[j]] = [copy[j] as string, copy[i] as string];
    return copy;
  }),
  fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...FRAGMENTS)).map(([a, b, fragment]) => (lines: string[]) => {
    const copy = [...lines];
    const i = a % copy.length;
    const line = copy[i] as string;
    const at = b % (line.length + 1);
    copy[i] = line.slice(0, at) + fragment + line.slice(at);
    return copy;
  }),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => (lines: string[]) => {
    const copy = [...lines];
    const i = a % copy.length;
    copy[i] = (copy[i] as string).slice(0, b % ((copy[i] as string).length + 1));
    return copy;
  }),
  fc.nat().map((n) => (lines: string[]) => lines.slice(0, 1 + (n % lines.length))),
);

const tomlish = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), id, fc.string({ maxLength: 8 }), fc.constant(' ')), {
    maxLength: 80,
  })
  .map((parts) => parts.join(''));

describe('parseRunbook on generated and hostile text', () => {
  it('accepts every generated valid runbook (the generator itself is right)', () => {
    fc.assert(
      fc.property(validRunbook, (source) => {
        const result = parseChecked(source);
        expect(result.ok ? [] : result.problems).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary strings; a non-runbook always gets at least one located error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: 'binary' }), (source) => {
        parseChecked(source);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on TOML-ish token soup', () => {
    fc.assert(
      fc.property(tomlish, (source) => {
        parseChecked(source);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on structurally mutated valid runbooks', () => {
    fc.assert(
      fc.property(validRunbook, fc.array(mutation, { minLength: 1, maxLength: 4 }), (source, mutations) => {
        const mutated = mutations
          .reduce((lines, mutate) => (lines.length === 0 ? lines : mutate(lines)), source.split('\n'))
          .join('\n');
        parseChecked(mutated);
      }),
      { numRuns: 500 },
    );
  });

  // Found by fuzzing: nesting arrays or inline tables some thousands deep overflowed the stack of the key
  // locator (a RangeError out of parseRunbook), and nested inline tables took time cubic in their depth.
  it.each([
    ['an unterminated array', (n: number) => `a = ${'['.repeat(n)}`],
    ['balanced arrays', (n: number) => `a = ${'['.repeat(n)}${']'.repeat(n)}`],
    ['nested inline tables', (n: number) => `a = ${'{ b = '.repeat(n)}1${' }'.repeat(n)}`],
  ])('%s 100 000 deep: a result in bounded time', (_label, make) => {
    const started = performance.now();
    const result = parseRunbook(make(100_000), FILE);
    expect(result.ok).toBe(false);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  // Found by fuzzing: @iarna/toml descends into an inherited property for `[constructor]` (and `toString`,
  // `valueOf`…): the node silently vanished from the runbook and its keys were written onto the global
  // `Object`. Such names are refused before the TOML library sees the text.
  it.each([
    ['[constructor]\ntype = "Manual"\nprompt = "p"\n', 1, 2],
    ['[a]\ntype = "Manual"\nprompt = "p"\n[a.toString]\nx = 1\n', 4, 4],
    ['valueOf.type = "Manual"\n', 1, 1],
    ['[a]\nfunction_params = { x = { hasOwnProperty.y = 1 } }\n', 2, 27],
  ])('refuses %j with a located error, leaving Object untouched', (source, line, column) => {
    const result = parseChecked(source);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatchObject({ code: 'RESERVED_KEY', line, column });
    expect(Object.keys(Object)).toEqual([]);
    expect(Object.hasOwn(Object.prototype.toString, 'x')).toBe(false);
  });

  // Found by fuzzing: the TOML library throws a bare TypeError for out-of-range dates and times.
  it.each(['2025-13-03T12:08:00Z', '2025-05-03T25:08:00Z', '9999-99-99', '25:00:00'])(
    'an out-of-range datetime (%s) is a problem naming the file, not a crash',
    (value) => {
      const result = parseChecked(`[runbook]\ncreated_at = ${value}\n`);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problems[0]?.message).toBe('invalid TOML: Invalid Datetime');
    },
  );
});
