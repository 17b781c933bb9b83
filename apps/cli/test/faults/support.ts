// Shared helpers of the fault tests: a seeded random source (so a failing trial can be replayed), a many-step
// runbook whose every command leaves a marker, raw read-only access to the state file, and clean-up.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { makeSandbox, repoRoot, type Sandbox } from '../fixtures-run/e2e.js';

/** Long mode (`PLAYBOOK_FAULTS_LONG=1`, or `node scripts/faults-long.mjs`): many more trials. */
export const LONG = process.env.PLAYBOOK_FAULTS_LONG === '1';

/** Trials per fault: `PLAYBOOK_FAULTS_TRIALS`, else `long` in long mode, else `ci`. */
export function trialCount(ci: number, long: number): number {
  const given = Number(process.env.PLAYBOOK_FAULTS_TRIALS);
  if (Number.isSafeInteger(given) && given > 0) return given;
  return LONG ? long : ci;
}

/** The seed of this test file's random choices; `PLAYBOOK_FAULTS_SEED` replays a failure. */
export function faultSeed(): number {
  const given = Number(process.env.PLAYBOOK_FAULTS_SEED);
  return Number.isSafeInteger(given) ? given : Math.floor(Math.random() * 2 ** 31);
}

/** mulberry32: a tiny deterministic generator; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Sandboxes made through `faultSandbox`, removed by `removeSandboxes`. */
const made: string[] = [];

export async function faultSandbox(): Promise<Sandbox> {
  const box = await makeSandbox();
  made.push(box.dir);
  await mkdir(box.path('marks'));
  return box;
}

export async function removeSandboxes(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Node id of step `i` of a many-step runbook. */
export const stepId = (i: number): string => `n${String(i).padStart(3, '0')}`;

/**
 * `count` Command steps in chains of ten (each step depends on the previous one of its chain); every command
 * appends one line to `marks/<id>`, so the number of lines is the number of times the step really ran.
 * Every seventh step also sleeps a little, so kills land inside commands as well as between them.
 */
export function manyStepsRunbook(count: number): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = stepId(i);
    const command = i % 7 === 3 ? `sleep 0.02; echo x >> marks/${id}` : `echo x >> marks/${id}`;
    parts.push(`[${id}]`, 'type = "Command"', `command_name = "${command}"`);
    if (i % 10 !== 0) parts.push(`depends_on = ["${stepId(i - 1)}"]`);
    parts.push('');
  }
  return parts.join('\n');
}

/** How many times each step ran, from its marker file. */
export function markerCounts(box: Sandbox): Map<string, number> {
  const counts = new Map<string, number>();
  const dir = box.path('marks');
  if (!existsSync(dir)) return counts;
  for (const name of readdirSync(dir)) {
    const text = readFileSync(join(dir, name), 'utf8');
    counts.set(name, text.split('\n').filter((line) => line !== '').length);
  }
  return counts;
}

/** The slice of better-sqlite3 these tests use (it is a dependency of @playbook/sqlite, not of the CLI). */
interface RawDatabase {
  pragma(source: string, options?: { simple?: boolean }): unknown;
  prepare(source: string): { all(...params: unknown[]): unknown[]; run(...params: unknown[]): unknown };
  exec(source: string): void;
  close(): void;
}
type RawDatabaseConstructor = new (
  path: string,
  options?: { readonly?: boolean; fileMustExist?: boolean },
) => RawDatabase;

const requireFromSqlite = createRequire(join(repoRoot, 'packages/sqlite/package.json'));
const RawSqlite = requireFromSqlite('better-sqlite3') as RawDatabaseConstructor;

export interface RawAttempt {
  readonly run_id: number;
  readonly node_id: string;
  readonly attempt: number;
  readonly status: string;
  readonly operator_decision: string | null;
  readonly exit_code: number | null;
}

export interface RawRun {
  readonly run_id: number;
  readonly status: string;
  readonly trigger: string;
  /** The process group of the command the run's owner was running, when it died (adapter-owned column). */
  readonly owner_process_group: number | null;
}

/** What the state file holds, read directly with SQLite: integrity check result, runs and attempts. */
export function inspectStateFile(path: string): {
  integrity: string;
  runs: RawRun[];
  attempts: RawAttempt[];
} {
  const db = new RawSqlite(path, { fileMustExist: true });
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as {
      name: string;
    }[];
    if (!tables.some((table) => table.name === 'runs')) return { integrity, runs: [], attempts: [] };
    const runs = db
      .prepare('select run_id, status, trigger, owner_process_group from runs order by run_id')
      .all() as RawRun[];
    const attempts = db
      .prepare(
        'select run_id, node_id, attempt, status, operator_decision, exit_code from executions order by run_id, node_id, attempt',
      )
      .all() as RawAttempt[];
    return { integrity, runs, attempts };
  } finally {
    db.close();
  }
}

/** Live (not zombie) processes whose working directory is `dir`: the commands of a runbook that lives there. */
export function processesIn(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) !== dir) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
      if (state !== 'Z' && state !== 'X') found.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/** Opens any SQLite file with better-sqlite3 (read-write), for tests that build foreign or damaged files. */
export function rawDatabase(path: string, options: { readonly?: boolean } = {}): RawDatabase {
  return new RawSqlite(path, options);
}

/** Attempts the CLI reported as finished (`✔ n001 ok · attempt 1`, `✖ … nok · attempt 2`), from its stdout. */
export function reportedFinished(stdout: string): { nodeId: string; status: string; attempt: number }[] {
  const finished: { nodeId: string; status: string; attempt: number }[] = [];
  for (const match of stdout.matchAll(/^[✔✖↷⊘] (\S+) (ok|nok|skipped|interrupted) · attempt (\d+)/gmu)) {
    const [, nodeId, status, attempt] = match;
    finished.push({
      nodeId: nodeId as string,
      status: status === 'interrupted' ? 'nok' : (status as string),
      attempt: Number(attempt),
    });
  }
  return finished;
}
