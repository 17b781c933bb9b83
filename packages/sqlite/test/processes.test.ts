import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SCHEMA_VERSION } from '@playbook/sql-store';
import Database from 'better-sqlite3';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Child processes run plain Node, without vitest's TypeScript support: give them this package's source
// compiled to JavaScript, with @playbook/sql-store's beside it as an installed package. Only type imports
// reach the other workspace packages, so the output needs nothing more but kysely and better-sqlite3, found from
// inside this package's node_modules.
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const testDir = fileURLToPath(new URL('.', import.meta.url));
let buildDir = '';
let modulePath = '';
let stateDir = '';

beforeAll(() => {
  const cacheDir = join(packageDir, 'node_modules', '.cache');
  mkdirSync(cacheDir, { recursive: true });
  buildDir = mkdtempSync(join(cacheDir, 'playbook-sqlite-test-'));
  transpile(join(packageDir, 'src'), buildDir);
  const sqlStoreDir = join(buildDir, 'node_modules', '@playbook', 'sql-store');
  transpile(join(packageDir, '..', 'sql-store', 'src'), sqlStoreDir);
  writeFileSync(
    join(sqlStoreDir, 'package.json'),
    JSON.stringify({ name: '@playbook/sql-store', type: 'module', exports: './index.js' }),
  );
  modulePath = join(buildDir, 'index.js');
  stateDir = mkdtempSync(join(tmpdir(), 'playbook-sqlite-processes-'));
});

afterAll(() => {
  if (buildDir !== '') rmSync(buildDir, { recursive: true, force: true });
  if (stateDir !== '') rmSync(stateDir, { recursive: true, force: true });
});

/** Each non-test TypeScript file of `srcDir` as JavaScript in `outDir`. */
function transpile(srcDir: string, outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  for (const file of readdirSync(srcDir)) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const { outputText } = ts.transpileModule(readFileSync(join(srcDir, file), 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    });
    writeFileSync(join(outDir, file.replace(/\.ts$/, '.js')), outputText);
  }
}

interface Child {
  process: ChildProcessWithoutNullStreams;
  lines: string[];
  stderr: () => string;
  /** Resolves with the first line matching, or rejects when the child exits first. */
  waitFor: (pattern: RegExp) => Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startChild(script: string, args: string[]): Child {
  const child = spawn(process.execPath, [join(testDir, script), modulePath, ...args], { stdio: 'pipe' });
  const lines: string[] = [];
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void; reject: (error: Error) => void }> =
    [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const waiter of waiters.splice(0)) {
      if (waiter.pattern.test(line)) waiter.resolve(line);
      else waiters.push(waiter);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      for (const waiter of waiters.splice(0)) {
        waiter.reject(
          new Error(`${script} exited (${code ?? signal}) before printing ${waiter.pattern}: ${stderr}`),
        );
      }
      resolve({ code, signal });
    });
  });
  return {
    process: child,
    lines,
    stderr: () => stderr,
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const seen = lines.find((line) => pattern.test(line));
        if (seen !== undefined) resolve(seen);
        else if (child.exitCode !== null || child.signalCode !== null)
          reject(new Error(`${script} has exited`));
        else waiters.push({ pattern, resolve, reject });
      }),
  };
}

describe('several processes on one state file', () => {
  it('gives 8 processes creating a run at once the ids 1…8, with no busy error', async () => {
    const statePath = join(stateDir, 'concurrent', 'run.db');
    // All 8 open (and migrate) the brand-new file at the same time, then create their run on one signal.
    const children = Array.from({ length: 8 }, () =>
      startChild('create-run-child.mjs', [statePath, 'deploy']),
    );
    await Promise.all(children.map((child) => child.waitFor(/^ready$/)));
    for (const child of children) child.process.stdin.write('go\n');
    const exits = await Promise.all(children.map((child) => child.exited));
    const stderr = children.map((child) => child.stderr()).join('');
    expect(stderr).toBe('');
    expect(exits).toEqual(Array.from({ length: 8 }, () => ({ code: 0, signal: null })));
    const ids = children.map((child) =>
      Number(child.lines.find((line) => line.startsWith('run '))?.slice(4)),
    );
    expect(ids.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    const raw = new Database(statePath, { readonly: true });
    try {
      const stored = raw
        .prepare(`select run_id from runs where workflow_name = 'deploy' order by run_id`)
        .pluck();
      expect(stored.all()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const migrations = raw.prepare('select count(*) from kysely_migration').pluck().get();
      expect(migrations).toBe(SCHEMA_VERSION);
    } finally {
      raw.close();
    }
  });

  it('keeps every reported write and a sound file when the writer is killed with SIGKILL', async () => {
    const statePath = join(stateDir, 'crash', 'run.db');
    const writer = startChild('writer-child.mjs', [statePath]);
    // Let it commit a fair number of writes, then kill it wherever it happens to be.
    await writer.waitFor(/^finished n2 40 /);
    writer.process.kill('SIGKILL');
    const { signal } = await writer.exited;
    expect(signal).toBe('SIGKILL');
    expect(writer.stderr()).toBe('');

    const raw = new Database(statePath);
    try {
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(raw.pragma('foreign_key_check')).toEqual([]);
      const attempt = raw.prepare(
        `select status, length(stdout) as length from executions
         where workflow_name = 'crash' and run_id = 1 and node_id = ? and attempt = ?`,
      );
      let started = 0;
      let finished = 0;
      for (const line of writer.lines) {
        const [event, nodeId, number, length] = line.split(' ');
        if (event === 'started') {
          started++;
          expect(attempt.get(nodeId, Number(number)), line).toBeDefined();
        } else if (event === 'finished') {
          finished++;
          expect(attempt.get(nodeId, Number(number)), line).toEqual({ status: 'ok', length: Number(length) });
        }
      }
      expect(finished).toBeGreaterThanOrEqual(120);
      expect(started).toBeGreaterThanOrEqual(finished);
      // Nothing beyond what the writer could have done: at most one write past its last report.
      const total = raw
        .prepare(`select count(*) from executions where workflow_name = 'crash'`)
        .pluck()
        .get();
      expect(total).toBeGreaterThanOrEqual(started);
      expect(total).toBeLessThanOrEqual(started + 1);
    } finally {
      raw.close();
    }
  });
});
