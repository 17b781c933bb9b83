// Shared helpers of the benchmark harness. Every figure is reported as a ratio against a baseline measured in
// the same run, because these machines are noisy; medians over several repetitions.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteRunRepository } from '../packages/sqlite/dist/index.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = join(ROOT, 'apps/cli/dist/bin.cjs');

/** Median of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Milliseconds taken by `fn` (sync or async). */
export async function timeMs(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/**
 * Runs baseline and candidate alternately `reps` times (alternating spreads machine noise over both). `ratio`
 * is the ratio of the medians; `pairedRatio` the median of each pair's ratio, which holds better when the
 * machine's speed drifts during the run.
 */
export async function compare(reps, baseline, candidate) {
  const base = [];
  const cand = [];
  for (let i = 0; i < reps; i++) {
    base.push(await timeMs(baseline));
    cand.push(await timeMs(candidate));
  }
  return {
    baselineMs: median(base),
    candidateMs: median(cand),
    ratio: median(cand) / median(base),
    pairedRatio: median(cand.map((ms, i) => ms / base[i])),
  };
}

/** Runs a command to its end; throws with its stderr when it fails and `check` is set. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...options });
  if (options.check !== false && result.status !== (options.expectStatus ?? 0)) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  return result;
}

/** Like `run` but asynchronous, so the caller's timer measures the whole child. */
export function runAsync(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === (options.expectStatus ?? 0) ? resolve() : reject(new Error(stderr)),
    );
  });
}

/** A temporary directory removed when the process exits. */
export function scratchDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `playbook-bench-${prefix}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The `[runbook]` table every generated bench runbook starts with. */
export const RUNBOOK_HEADER = [
  '[runbook]',
  'title = "Bench"',
  'description = "generated"',
  'version = "0.1.0"',
  'author = "bench"',
  'created_at = "2025-01-01T00:00:00Z"',
  '',
];

/**
 * A runbook text with `count` nodes; `chain` makes each depend on the previous one. `kind: 'function'` makes
 * them Function nodes calling `playbook:notify` (no process spawned: what a step costs the engine itself).
 */
export function generatedRunbook(count, { chain = true, command = 'true', kind = 'command' } = {}) {
  const lines = [...RUNBOOK_HEADER];
  for (let i = 0; i < count; i++) {
    if (kind === 'function') {
      lines.push(
        `[n${i}]`,
        'type = "Function"',
        'function_name = "playbook:notify"',
        'function_params = { message = "hi" }',
      );
    } else {
      lines.push(`[n${i}]`, 'type = "Command"', `command_name = "${command}"`);
    }
    if (chain && i > 0) lines.push(`depends_on = ["n${i - 1}"]`);
    lines.push('');
  }
  return lines.join('\n');
}

/** Spawns `sh -c true` `count` times one after another, the way a plain Node program would. */
export async function plainSpawns(count, command = 'true') {
  for (let i = 0; i < count; i++) {
    await new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      child.stdout.resume();
      child.stderr.resume();
      child.on('error', reject);
      child.on('close', resolve);
    });
  }
}

/** better-sqlite3, as @playbook/sqlite resolves it. */
export const Database = createRequire(join(ROOT, 'packages/sqlite/package.json'))('better-sqlite3');

/** Creates a state file and fills it, with direct SQL inserts in one transaction, with `runs` runs of `perRun` executions each, across `workflows` workflows (10 unless given). */
export async function populateHistory(path, runs, perRun, workflows = 10) {
  (await openSqliteRunRepository(path)).close();
  const db = new Database(path);
  const insertRun = db.prepare(
    `INSERT INTO runs (workflow_name, run_id, start_time, end_time, status, nodes_ok, nodes_nok, nodes_skipped, trigger)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'run')`,
  );
  const insertAttempt = db.prepare(
    `INSERT INTO executions (workflow_name, run_id, node_id, attempt, start_time, end_time, status, exit_code, stdout, stderr, duration_ms)
     VALUES (?, ?, ?, 1, ?, ?, ?, 0, 'out', '', 12)`,
  );
  // The node counts `info` reads (table node_status_counts), which the store keeps as it writes attempts.
  const addCount = db.prepare(
    `INSERT INTO node_status_counts (workflow_name, node_id, status, runs, attempts) VALUES (?, ?, ?, 1, 1)
     ON CONFLICT DO UPDATE SET runs = runs + 1, attempts = attempts + 1`,
  );
  const statuses = ['ok', 'ok', 'ok', 'nok', 'aborted'];
  db.transaction(() => {
    for (let r = 0; r < runs; r++) {
      const workflow = `wf${r % workflows}`;
      const runId = Math.floor(r / workflows) + 1;
      const time = new Date(Date.UTC(2025, 0, 1) + r * 60_000).toISOString();
      insertRun.run(workflow, runId, time, time, statuses[r % 5], perRun, 0, 0);
      for (let n = 0; n < perRun; n++) {
        const status = n % 17 === 0 ? 'nok' : 'ok';
        insertAttempt.run(workflow, runId, `node${n}`, time, time, status);
        addCount.run(workflow, `node${n}`, status);
      }
    }
  })();
  db.close();
}
