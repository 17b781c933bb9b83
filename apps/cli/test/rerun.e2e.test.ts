import { writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { openRunStore } from '../src/state-store.js';
import { attemptsOf, ensureBuilt, loadRun, makeSandbox, runCli, type Sandbox } from './fixtures-run/e2e.js';

// build → test → deploy, and lint beside them; each step appends its name to ran.txt.
const RUNBOOK = `
[build]
type = "Command"
command_name = "echo build >> ran.txt"

[test]
type = "Command"
command_name = "echo test >> ran.txt; test ! -f broken"
depends_on = ["build"]

[lint]
type = "Command"
command_name = "echo lint >> ran.txt"

[deploy]
type = "Command"
command_name = "echo deploy >> ran.txt"
depends_on = ["test", "lint"]
`;

async function okRun(box: Sandbox, title: string): Promise<string> {
  const file = await box.runbook('rerun', title, RUNBOOK);
  const first = await runCli(box, ['run', file, '--non-interactive']);
  expect(first.code).toBe(0);
  return file;
}

async function rerunsOf(box: Sandbox, title: string) {
  const store = await openRunStore({ statePath: box.statePath });
  try {
    if (store.listReruns === undefined) throw new Error('the SQLite store cannot list re-runs');
    return await store.listReruns({ workflowName: title, runId: 1 });
  } finally {
    await store.close();
  }
}

describe.concurrent('re-running steps (SPEC §9.4), end to end (built binary, real SQLite)', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  it('--only on a run that ended ok: just that step, the reason recorded, the run ends with its new status', async () => {
    const box = await makeSandbox();
    const file = await okRun(box, 'Only');
    const again = await runCli(box, [
      'resume',
      file,
      '1',
      '--node',
      'test',
      '--only',
      '--reason',
      'flaky result',
    ]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(box.read('ran.txt')).toBe('build\ntest\nlint\ndeploy\ntest\n');
    const state = await loadRun(box, 'Only', 1);
    expect(state.run).toMatchObject({ status: 'ok', trigger: 'resume' });
    expect(attemptsOf(state, 'test')).toEqual(['ok', 'ok']);
    expect(attemptsOf(state, 'deploy')).toEqual(['ok']);
    expect(await rerunsOf(box, 'Only')).toEqual([
      { time: expect.any(String), nodeIds: ['test'], reason: 'flaky result' },
    ]);

    // Its new status: the step fails this time, so the run that was ok is now nok.
    await writeFile(box.path('broken'), '');
    const failed = await runCli(box, [
      'resume',
      file,
      '1',
      '--node',
      'test',
      '--only',
      '--reason',
      'once more',
      '--non-interactive',
    ]);
    expect(failed.code).toBe(1);
    expect((await loadRun(box, 'Only', 1)).run.status).toBe('nok');
  });

  it('--downstream: the step and every step that depends on it, in plan order; the others are kept', async () => {
    const box = await makeSandbox();
    const file = await okRun(box, 'Down');
    const again = await runCli(box, [
      'resume',
      file,
      '1',
      '--node',
      'test',
      '--downstream',
      '--reason',
      'new data',
    ]);
    expect(again.code).toBe(0);
    expect(box.read('ran.txt')).toBe('build\ntest\nlint\ndeploy\ntest\ndeploy\n');
    expect(again.stdout).toMatch(/build kept \(ok\)/);
    expect((await rerunsOf(box, 'Down')).map((rerun) => rerun.nodeIds)).toEqual([['test', 'deploy']]);
  });

  it('bad input: one line, exit 2, nothing written', async () => {
    const box = await makeSandbox();
    const file = await okRun(box, 'Bad');
    const cases: [string[], RegExp][] = [
      [['--only'], /^error: --only needs --node <id>/],
      [['--downstream'], /^error: --downstream needs --node <id>/],
      [['--node', 'test', '--only', '--downstream'], /^error: give --only or --downstream, not both/],
      [['--node', 'ghost', '--only', '--reason', 'x'], /^error: node "ghost" is not in the runbook\n$/],
      [
        ['--node', 'test', '--only'],
        /^error: run 1 of "Bad" ended ok: re-running a step of it needs a reason/,
      ],
      [['--node', 'test', '--only', '--reason', ''], /^error: --reason is empty/],
    ];
    for (const [flags, message] of cases) {
      const result = await runCli(box, ['resume', file, '1', ...flags]);
      expect(result.stderr, flags.join(' ')).toMatch(message);
      // One line (a usage error of the command line adds where to read the usage), never a stack trace.
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(
        result.stderr
          .split('\n')
          .filter((line) => line !== '' && !line.startsWith('Run `playbook resume --help`')),
      ).toHaveLength(1);
      expect(result.code, flags.join(' ')).toBe(2);
      expect(result.stdout).toBe('');
    }
    expect(box.read('ran.txt')).toBe('build\ntest\nlint\ndeploy\n');
    const state = await loadRun(box, 'Bad', 1);
    expect(state.run).toMatchObject({ status: 'ok', trigger: 'run' });
    expect(state.attempts).toHaveLength(4);
    expect(await rerunsOf(box, 'Bad')).toEqual([]);
  });

  it('--downstream on a step removed from the file since the run started: one line, exit 2, nothing written', async () => {
    const box = await makeSandbox();
    const file = await okRun(box, 'Gone');
    await box.runbook('rerun', 'Gone', RUNBOOK.replace(/\[lint\][^[]*/, '').replace(', "lint"', ''));
    const result = await runCli(box, [
      'resume',
      file,
      '1',
      '--node',
      'lint',
      '--downstream',
      '--reason',
      'x',
    ]);
    expect(result.stderr).toBe(
      'error: node "lint" is no longer in the runbook: it was removed from the file since run 1 started\n',
    );
    expect(result.code).toBe(2);
    expect((await loadRun(box, 'Gone', 1)).run).toMatchObject({ status: 'ok', trigger: 'run' });
  });
});
