import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, ensureBuilt, loadRun, startCli, waitFor } from '../fixtures-run/e2e.js';
import { faultSandbox, inspectStateFile, processesIn, removeSandboxes } from './support.js';

const holders: ChildProcess[] = [];

/** Another process holding SQLite's write lock on `path` (BEGIN IMMEDIATE) until it is killed. */
async function holdWriteLock(path: string): Promise<ChildProcess> {
  const script = [
    'import sqlite3, sys, time',
    'c = sqlite3.connect(sys.argv[1], isolation_level=None)',
    "c.execute('BEGIN IMMEDIATE')",
    "print('locked', flush=True)",
    'time.sleep(120)',
  ].join('\n');
  const holder = spawn('python3', ['-c', script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  holders.push(holder);
  let out = '';
  holder.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  await waitFor(() => out.includes('locked'), 'the lock holder to take the write lock');
  return holder;
}

// SPEC §2.2, §2.7, §4: a state write that fails in the middle of a run — here the end of a step, while another
// connection holds the write lock past the busy timeout (5 s) — must not leave the step's attempt `running`
// under a run that looks ended, and the one error line must say how to resume. Nothing can be written while
// the lock is held, so the run stays `running` under the CLI; once the CLI is gone, the printed resume command
// records the attempt interrupted and completes the run.
describe('the state file stays locked past the busy timeout at the end of a step', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);
  afterAll(async () => {
    for (const holder of holders.splice(0)) holder.kill('SIGKILL');
    await removeSandboxes();
  });

  it('one line naming the problem and the exact resume command (exit 1); that command then completes the run', async () => {
    const box = await faultSandbox();
    const file = await box.runbook(
      'locked',
      'Locked',
      `
[hold]
type = "Command"
command_name = "touch marks/ready; while [ ! -f locked ]; do sleep 0.05; done; echo x >> marks/hold"
timeout = 60

[after]
type = "Command"
command_name = "echo x >> marks/after"
depends_on = ["hold"]
`,
    );
    const run = startCli(box, ['run', file, '--non-interactive'], { stdin: null, timeoutMs: 60_000 });
    await waitFor(() => box.exists('marks/ready'), 'the step to start');
    await waitFor(
      async () => (await loadRun(box, 'Locked', 1)).run.owner?.processGroup != null,
      'the process group record',
    );
    const holder = await holdWriteLock(box.statePath);
    await writeFile(box.path('locked'), '');
    const failed = await run.done;
    const context = `stdout:\n${failed.stdout}\nstderr:\n${failed.stderr}`;
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('close', resolve));

    expect(failed.code, context).toBe(1);
    const lines = failed.stderr.trim().split('\n');
    expect(lines, context).toHaveLength(1);
    const resumeCommand = `playbook resume locked.playbook.toml 1 --state-path ${box.statePath}`;
    expect(lines[0]).toBe(
      `error: state file ${box.statePath}: database is locked — run 1 stopped; resume it with: ${resumeCommand}`,
    );
    expect(box.exists('marks/hold')).toBe(true);
    // Nothing could be written: the run is still `running` under the CLI that is gone, the attempt with it —
    // what a crash leaves, which any later command recovers. Never an ended run with an attempt running.
    const before = inspectStateFile(box.statePath);
    expect(before.integrity).toBe('ok');
    expect(before.runs).toMatchObject([{ run_id: 1, status: 'running' }]);
    expect(before.attempts).toMatchObject([{ node_id: 'hold', attempt: 1, status: 'running' }]);
    expect(processesIn(box.dir)).toEqual([]);

    // The command exactly as printed, `playbook` being the built binary.
    const define = `playbook() { "${process.execPath}" "${binPath}" "$@"; }`;
    const resumed = execFileSync('/bin/sh', ['-c', `${define}\n${resumeCommand} --non-interactive 2>&1`], {
      cwd: box.dir,
      env: { ...process.env, NO_COLOR: '1', XDG_CONFIG_HOME: box.path('config'), CI: '' },
      encoding: 'utf8',
    });
    expect(resumed).toMatch(
      /^note: run 1 of "Locked" was left running by process \d+, which is gone: recorded as aborted; step hold interrupted$/m,
    );
    expect(resumed).toMatch(/Run 1 of "Locked" ended ok/);
    const after = inspectStateFile(box.statePath);
    expect(after.runs).toMatchObject([{ run_id: 1, status: 'ok', trigger: 'resume' }]);
    expect(after.attempts.map((a) => `${a.node_id}#${a.attempt}:${a.status}/${a.operator_decision}`)).toEqual(
      ['after#1:ok/null', 'hold#1:nok/interrupted', 'hold#2:ok/null'],
    );
  }, 90_000);
});
