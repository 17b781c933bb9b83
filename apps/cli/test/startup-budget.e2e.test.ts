// How much of the bundle each everyday command loads. Start-up time is mostly Node reading and compiling
// JavaScript: a command that loads less starts sooner. Timings belong in bench/ (bench/cases/everyday.mjs);
// this counts what the built binary really loads (its chunk loader names every chunk it compiles), which does
// not depend on the machine, so that a change that pulls a large library into an everyday command fails here.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { chunkTrace, oneNodeSandbox } from './fixtures-run/chunk-trace.js';
import { runCli, type Sandbox } from './fixtures-run/e2e.js';

// Kilobytes of the bundle's own files, a little above what each command loads today (validate 255, show 147,
// info 144, run 447: step outputs added ~20 kB (their file parser, output file and checks), inputs and templates
// ~20 kB of validation and resolving code; the CEL library, ~150 kB, is loaded only for a runbook that holds a
// template). Before, validate loaded about 740 kB (TypeBox's builders and validator compiler), show and info
// about 230 (clipanion's CommonJS build, typanion with it) and run about 900. Later: validate 271 and run 471
// once the node fields when/run_if/retry/cwd were validated (~10 kB) and `import` had its command entry.
// show 167 and run 476 once attempts kept their ordered output lines (and the report's run lookup); run 489 once
// the engine executed when/run_if/retry/expected_duration (~13 kB: run_if scheduling and cleanup after an abort,
// retry waits, overdue, their lines in the run view).
// The audit log (SPEC §10.3) then added ~27 kB of SHA-256 (@noble/hashes' sha2 module) and ~15 kB of chaining
// to everything that opens the history: show 208, info 201, run ~535. Parallel branches and the spawn helper's
// loader (~4 kB: the started-command interface, the output file read without the thread pool; the helper itself
// is loaded from the second command on) brought run to 564. The history's writes (and with them the chaining and
// SHA-256) are now imported only by a store opened for writing, so the read-only commands load neither: show
// 173, info 166 (the test below checks by the bundle's source maps).
// Approval gates (SPEC §10.2) then added ~5 kB to validate (the \`approval\` table's schema and checks), ~7 kB to
// what reads the history (the approvals table's migration and statements, reading approvals back) and ~23 kB to
// run (both, the store's recordApproval, stopping at a gate): validate 280, show 180, info 172, run 587. Deciding
// a gate (\`@playbook/engine/approvals\`, the approve command, the waiting hint) loads only with \`approve\` /
// \`reject\`, or when resuming a runbook that has a gate.
// The ordered output's tail then moved off V8's heap (OutputTail, ~6 kB: a ring buffer of characters and typed
// arrays of blocks, so that printing much does not grow the heap; docs/performance.md): run 601.
// The chunks then became CommonJS function bodies compiled by the CLI's own loader with V8's code cache
// (src/start/chunk-loader.ts): esbuild's export helpers in each chunk (~1 kB) and its `(0, chunk.f)()` calls
// make the same code ~10 % bigger, and @playbook/postgres's URL redaction is bundled: validate 297, show 213,
// info 202, run 643.
// better-sqlite3's JavaScript (~27 kB, loaded from node_modules before, so not counted) then came into the
// bundle, to be code-cached: show 240, info 229, run 669.
// The parser then hashed a runbook with @noble/hashes (which `run` loads anyway for the audit log) instead of
// node:crypto, whose load cost a start-up more than hashing the file: validate 310. Then the commands imported
// the engine by name instead of with `import('@playbook/engine')`, which kept every export of its entry in
// `run`'s chunks (the in-memory repository), and the engine loads its resume code only to resume: run 659.
// Then conformance fixes: the parser places an invalid header line in the table it names (a non-ASCII node id),
// `run` checks `--set` names before it opens the history and stores a runner's refusal as one line: validate
// 313, run 666.
// SHA-256 then became the project's own (@playbook/domain's sha256.ts, ~5 kB against @noble/hashes' ~12 kB; it
// is faster where V8 has not optimised it yet, which is all of a short command): validate 305, run 658. The entry
// then kept a code cache per command (the commands' names, ~0.5 kB): show 246, info 235. And it prunes what no
// start has read for a month (~2 kB, run only when an entry is written): run 663.
const BUDGET_KB = { validate: 310, show: 249, info: 238, run: 665 } as const;

/**
 * The bundle's files a command line loads — bin.cjs, and the chunks its loader reports (`PLAYBOOK_DEBUG_CHUNKS`,
 * one line per chunk compiled: src/start/chunk-loader.ts) — their size and, by their source maps, what went into
 * them (the modules of the workspace and of node_modules).
 */
async function loadedBundleKb(
  box: Sandbox,
  args: readonly string[],
  statePath?: null,
): Promise<{ kb: number; files: string[]; sources: string[] }> {
  const result = await runCli(box, args, {
    env: { PLAYBOOK_DEBUG_CHUNKS: '1' },
    ...(statePath === null ? { statePath } : {}),
  });
  expect(result.code, result.stderr).toBe(0);
  const files = ['bin.cjs', ...[...chunkTrace(result.stderr).keys()].map((chunk) => `chunks/${chunk}`)];
  const dist = fileURLToPath(new URL('../dist/', import.meta.url));
  const bytes = files.reduce((sum, file) => sum + statSync(join(dist, file)).size, 0);
  const sources = files.flatMap(
    (file) => (JSON.parse(readFileSync(join(dist, `${file}.map`), 'utf8')) as { sources: string[] }).sources,
  );
  return { kb: Math.round(bytes / 1024), files, sources };
}

describe('what each everyday command loads of the built binary', () => {
  let box: Sandbox;
  let file: string;

  beforeAll(async () => {
    ({ box, file } = await oneNodeSandbox());
    const first = await runCli(box, ['run', file, '--non-interactive']);
    expect(first.code, first.stderr).toBe(0);
  }, 180_000);

  it.each([
    ['validate', () => ['validate', file]],
    ['show', () => ['show', 'One']],
    ['info', () => ['info']],
    ['run', () => ['run', file, '--non-interactive']],
  ] as const)('%s stays within its budget', async (name, args) => {
    const { kb, files } = await loadedBundleKb(box, args());
    expect(files.length, files.join(', ')).toBeGreaterThan(1);
    expect(kb, `${name} loaded ${kb} kB: ${files.join(', ')}`).toBeLessThanOrEqual(BUDGET_KB[name]);
  });

  // The history's writes, the audit chain and SHA-256, by the source files that hold them.
  const WRITES = [/sql-store\/src\/operations\.ts$/, /audit-entry\.ts$/, /domain\/src\/sha256\.ts$/];

  it('`run` loads the writes and SHA-256, as the patterns above name them', async () => {
    const { sources } = await loadedBundleKb(box, ['run', file, '--non-interactive']);
    for (const pattern of WRITES) expect(sources.filter((source) => pattern.test(source))).toHaveLength(1);
  });

  it.each([
    ['show', () => ['show', 'One']],
    ['info', () => ['info']],
  ] as const)(
    '%s, which only reads the history, loads neither its writes nor SHA-256',
    async (_name, args) => {
      const { sources } = await loadedBundleKb(box, args());
      expect(sources.some((source) => source.endsWith('sql-store/src/read-operations.ts'))).toBe(true);
      expect(sources.filter((source) => WRITES.some((pattern) => pattern.test(source)))).toEqual([]);
    },
  );

  // Node's own modules cost a start-up too, and some pull in many more: node:crypto (~15 modules) for hashing,
  // node:fs/promises (readline, file streams, watchers) for a stat, and `process.stdin`, which Node builds on
  // first use — clipanion's default context read it when its module loaded (scripts/bundle.mjs).
  it.each([
    ['validate', () => ['validate', file], ['fs/promises']],
    ['show', () => ['show', 'One'], ['fs/promises']],
    ['info', () => ['info'], ['fs/promises']],
    ['run', () => ['run', file, '--non-interactive'], ['fs/promises']],
  ] as const)('%s neither builds stdin nor loads node:crypto', async (_name, args, alsoNot) => {
    const probe = fileURLToPath(new URL('./fixtures-run/builtins-probe.cjs', import.meta.url));
    const result = await runCli(box, args(), { env: { NODE_OPTIONS: `--require ${probe}` }, stdin: '' });
    expect(result.code, result.stderr).toBe(0);
    const line = /^playbook-probe (.*)$/m.exec(result.stderr)?.[1];
    const { stdinBuilt, modules } = JSON.parse(line ?? 'null') as { stdinBuilt: boolean; modules: string[] };
    expect(stdinBuilt).toBe(false);
    expect(modules.filter((name) => ['crypto', ...alsoNot].includes(name))).toEqual([]);
  });

  it('`--version` loads the entry and the version, no command', async () => {
    const { kb, files } = await loadedBundleKb(box, ['--version'], null);
    // 9: the entry compiles chunks under the V8 flags the process started with (src/start/young-generation.ts);
    // 10: it keeps a code cache per command, so it knows the commands' names (src/commands/names.ts); 12: it
    // prunes the cache (src/start/prune-code-cache.ts; parsed lazily: a function's body is compiled when called).
    expect(kb, files.join(', ')).toBeLessThanOrEqual(12);
  });
});
