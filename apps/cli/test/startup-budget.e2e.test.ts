// How much of the bundle each everyday command loads. Start-up time is mostly Node reading and compiling
// JavaScript: a command that loads less starts sooner. Timings belong in bench/ (bench/cases/everyday.mjs);
// this counts what the built binary really imports (a module hook logs every module Node loads), which does
// not depend on the machine, so that a change that pulls a large library into an everyday command fails here.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeSandbox, runCli, type Sandbox } from './fixtures-run/e2e.js';

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
const BUDGET_KB = { validate: 285, show: 185, info: 178, run: 607 } as const;

const HOOK = `
import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function load(url, context, nextLoad) {
  appendFileSync(log, url + '\\n');
  return nextLoad(url, context);
}
`;

async function loadedBundleKb(
  box: Sandbox,
  name: string,
  args: readonly string[],
  statePath?: null,
): Promise<{ kb: number; files: string[]; sources: string[] }> {
  const log = box.path(`${name}.modules`);
  writeFileSync(log, '');
  writeFileSync(box.path('hook.mjs'), HOOK);
  writeFileSync(
    box.path('register.mjs'),
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(box.path('hook.mjs')).href)}, { data: { log: ${JSON.stringify(log)} } });\n`,
  );
  const result = await runCli(box, args, {
    env: { NODE_OPTIONS: `--import=${pathToFileURL(box.path('register.mjs')).href}` },
    ...(statePath === null ? { statePath } : {}),
  });
  expect(result.code, result.stderr).toBe(0);
  const files = [
    ...new Set(
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((url) => url.startsWith('file:') && url.includes('/apps/cli/dist/')),
    ),
  ].map((url) => fileURLToPath(url));
  const bytes = files.reduce((sum, file) => sum + statSync(file).size, 0);
  // What went into those files, by their source maps: the modules of the workspace and of node_modules.
  const sources = files.flatMap(
    (file) => (JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }).sources,
  );
  return {
    kb: Math.round(bytes / 1024),
    files: files.map((file) => file.replace(/.*\/dist\//, '')),
    sources,
  };
}

describe('what each everyday command loads of the built binary', () => {
  let box: Sandbox;
  let file: string;

  beforeAll(async () => {
    ensureBuilt();
    box = await makeSandbox();
    file = await box.runbook('one', 'One', '[only]\ntype = "Command"\ncommand_name = "true"');
    const first = await runCli(box, ['run', file, '--non-interactive']);
    expect(first.code, first.stderr).toBe(0);
  }, 180_000);

  it.each([
    ['validate', () => ['validate', file]],
    ['show', () => ['show', 'One']],
    ['info', () => ['info']],
    ['run', () => ['run', file, '--non-interactive']],
  ] as const)('%s stays within its budget', async (name, args) => {
    const { kb, files } = await loadedBundleKb(box, name, args());
    expect(files).toContain('bin.js');
    expect(kb, `${name} loaded ${kb} kB: ${files.join(', ')}`).toBeLessThanOrEqual(BUDGET_KB[name]);
  });

  it.each([
    ['show', () => ['show', 'One']],
    ['info', () => ['info']],
  ] as const)(
    '%s, which only reads the history, loads neither its writes nor SHA-256',
    async (name, args) => {
      const { sources } = await loadedBundleKb(box, `${name}-sources`, args());
      expect(sources.some((source) => source.endsWith('sql-store/src/read-operations.ts'))).toBe(true);
      expect(
        sources.filter((source) => /@noble\/hashes|audit-entry|sql-store\/src\/operations\.ts/.test(source)),
      ).toEqual([]);
    },
  );

  it('`--version` loads the entry and the version, no command', async () => {
    const { kb, files } = await loadedBundleKb(box, 'version', ['--version'], null);
    expect(kb, files.join(', ')).toBeLessThanOrEqual(8);
  });
});
