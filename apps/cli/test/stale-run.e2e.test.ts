// A run whose owner was killed (SIGKILL: no chance to clean up) must not stay `running` in the history: the
// next command that reads it records it `aborted` (SPEC §2.5), stops what it left running, and resume still
// completes it. Real binary, real SQLite file, real processes.
import { writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  attemptsOf,
  ensureBuilt,
  isAlive,
  loadRun,
  makeSandbox,
  runCli,
  type Sandbox,
  startCli,
  waitFor,
} from './fixtures-run/e2e.js';

const NODES = `
[first]
type = "Command"
command_name = "echo first"

[wait]
type = "Command"
command_name = "if [ -f go ]; then echo quick this time; else sleep 30 & echo $! > sleep.pid; wait; fi"
depends_on = ["first"]
`;

/** Starts `run`, waits until the command's process group is recorded, SIGKILLs the CLI; returns the sleep's pid. */
async function killDuringSleep(box: Sandbox, file: string, title: string): Promise<number> {
  // The CLI forks `wait` itself: a command the spawn helper forked would die with the CLI at once (the helper
  // stops its groups when the CLI is gone), and this is about one that outlives it until a later command looks.
  const run = startCli(box, ['run', file, '--non-interactive'], { env: { PLAYBOOK_SPAWN_HELPER: 'off' } });
  await waitFor(() => box.exists('sleep.pid') && box.read('sleep.pid').trim() !== '', 'the sleep to start');
  const sleepPid = Number(box.read('sleep.pid'));
  // The CLI records the command's process group right after spawning it; under load the shell can get this
  // far first. Kill only once the record is there, as in the crash this test stands for.
  await waitFor(
    async () => (await loadRun(box, title, 1)).run.owner?.processGroup != null,
    'the process group record',
  );
  run.child.kill('SIGKILL');
  await run.done;
  expect(isAlive(sleepPid)).toBe(true);
  expect((await loadRun(box, title, 1)).run.status).toBe('running');
  return sleepPid;
}

describe('a run whose owner was killed', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  it('show records it aborted, stops its command, marks the attempt interrupted; resume then completes it', async () => {
    const box = await makeSandbox();
    const file = await box.runbook('stale', 'Stale', NODES);
    const sleepPid = await killDuringSleep(box, file, 'Stale');

    const shown = await runCli(box, ['show', 'Stale', '--json']);
    expect(shown.code).toBe(0);
    const { runs } = JSON.parse(shown.stdout);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      runId: 1,
      status: 'aborted',
      trigger: 'run',
      endTime: expect.any(String),
      nodesOk: 1,
      nodesNok: 1,
      nodesSkipped: 0,
      owner: null,
    });
    expect(shown.stderr).toMatch(
      /run 1 of "Stale" was left running by process \d+, which is gone: recorded as aborted/,
    );
    expect(isAlive(sleepPid)).toBe(false);

    const detail = await runCli(box, ['show', 'Stale', '--run-id', '1', '--json']);
    const { executions } = JSON.parse(detail.stdout);
    expect(
      executions.map((a: { nodeId: string; status: string; operatorDecision: string | null }) =>
        [a.nodeId, a.status, a.operatorDecision].join(':'),
      ),
    ).toEqual(['first:ok:', 'wait:nok:interrupted']);
    // Recovered once: a second look changes nothing and says nothing.
    expect(detail.stderr).toBe('');

    await writeFile(box.path('go'), '');
    const resumed = await runCli(box, ['resume', file, '--non-interactive']);
    expect(resumed.code).toBe(0);
    const state = await loadRun(box, 'Stale', 1);
    expect(state.run).toMatchObject({ status: 'ok', trigger: 'resume' });
    expect(attemptsOf(state, 'first')).toEqual(['ok']);
    expect(attemptsOf(state, 'wait')).toEqual(['nok/interrupted', 'ok']);
  }, 60_000);

  it('info records it aborted too', async () => {
    const box = await makeSandbox();
    const file = await box.runbook('stale', 'Stale info', NODES);
    const sleepPid = await killDuringSleep(box, file, 'Stale info');

    const info = await runCli(box, ['info', '--json']);
    expect(info.code).toBe(0);
    const workflow = JSON.parse(info.stdout).workflows[0];
    expect(workflow.runsByStatus).toMatchObject({ aborted: 1, running: 0 });
    expect(workflow.nodes.find((n: { nodeId: string }) => n.nodeId === 'wait').runsByStatus).toMatchObject({
      nok: 1,
      running: 0,
    });
    expect(isAlive(sleepPid)).toBe(false);
  }, 60_000);

  it('a new run of the workflow records it aborted before it starts', async () => {
    const box = await makeSandbox();
    const file = await box.runbook('stale', 'Stale run', NODES);
    const sleepPid = await killDuringSleep(box, file, 'Stale run');

    await writeFile(box.path('go'), '');
    const second = await runCli(box, ['run', file, '--non-interactive']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^Run 2 of/);
    // Said once, on stderr (stdout still starts with the new run's id), in the words `show` uses.
    expect(second.stderr).toMatch(
      /^note: run 1 of "Stale run" was left running by process \d+, which is gone: recorded as aborted; step wait interrupted\n/,
    );
    expect(isAlive(sleepPid)).toBe(false);
    const first = await loadRun(box, 'Stale run', 1);
    expect(first.run).toMatchObject({ status: 'aborted', owner: null });
    expect(attemptsOf(first, 'wait')).toEqual(['nok/interrupted']);
  }, 60_000);

  it('a run driven by a live process is left running by show', async () => {
    const box = await makeSandbox();
    const file = await box.runbook('live', 'Live', NODES);
    const run = startCli(box, ['run', file, '--non-interactive']);
    await waitFor(() => box.exists('sleep.pid') && box.read('sleep.pid').trim() !== '', 'the sleep to start');
    try {
      const shown = await runCli(box, ['show', 'Live', '--json']);
      expect(shown.code).toBe(0);
      expect(JSON.parse(shown.stdout).runs[0]).toMatchObject({ runId: 1, status: 'running' });
      expect(shown.stderr).toBe('');
      expect(isAlive(Number(box.read('sleep.pid')))).toBe(true);
    } finally {
      run.child.kill('SIGTERM');
      await run.done;
    }
    expect((await loadRun(box, 'Live', 1)).run.status).toBe('aborted');
  }, 60_000);
});
