import { mkdir, readFile, writeFile } from 'node:fs/promises';
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
import { pidsIn } from './fixtures-run/pids.js';
import { KEY, startPty } from './fixtures-run/pty.js';

// SPEC §9.1, parallel branches: the built binary, real commands, real SQLite.

const command = (id: string, line: string, extra = '') =>
  `[${id}]\ntype = "Command"\ncommand_name = ${JSON.stringify(line)}\n${extra}\n`;

/** A command that records its shell's pid and a child's, then waits long: for tests that stop it. */
const longCommand = (id: string) =>
  command(id, `sleep 60 & echo $! > pids/${id}.child; echo $$ > pids/${id}; wait`);

async function sandbox(): Promise<Sandbox> {
  const box = await makeSandbox();
  await mkdir(box.path('pids'));
  await mkdir(box.path('marks'));
  return box;
}

/** The run's text without what changes from run to run (durations). */
const steady = (text: string) => text.replace(/\d+(\.\d+)?m?s\b/g, 'T');

describe.concurrent('parallel branches (--concurrency, built binary)', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  it('refuses --concurrency 0, negative or not an integer with exit 2 and one line, writing nothing', async () => {
    const box = await sandbox();
    const file = await box.runbook('bad', 'Bad', command('a', 'echo a'));
    for (const value of ['0', '-1', '1.5', 'two', '']) {
      const result = await runCli(box, ['run', file, `--concurrency=${value}`]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr.split('\n')[0]).toBe(
        `error: --concurrency expects a positive integer (steps at once), got "${value}"`,
      );
      expect(result.stdout).toBe('');
    }
    expect(box.exists('state/run.db')).toBe(false);
    const resumed = await runCli(box, ['resume', file, '--concurrency', '0']);
    expect(resumed.code).toBe(2);
    // The config file's and the runbook's values are checked too.
    await mkdir(box.path('config/playbook'), { recursive: true });
    await writeFile(box.path('config/playbook/config.toml'), 'concurrency = 0\n');
    const config = await runCli(box, ['run', file]);
    expect(config.code).toBe(1);
    expect(config.stderr).toMatch(/config\.toml:1: concurrency must be a positive integer/);
    await writeFile(box.path('config/playbook/config.toml'), '');
    const inFile = await box.runbook('badfile', 'BadFile', `${command('a', 'echo a')}`);
    await writeFile(
      box.path(inFile),
      (await readFile(box.path(inFile), 'utf8')).replace('[a]', 'concurrency = 2.5\n\n[a]'),
    );
    const runbookValue = await runCli(box, ['run', inFile]);
    expect(runbookValue.code).toBe(1);
    expect(runbookValue.stderr).toMatch(/concurrency.*must be a positive integer/);
    expect(box.exists('state/run.db')).toBe(false);
  }, 60_000);

  it('keeps the output of concurrency 1 exactly as without it', async () => {
    const box = await sandbox();
    const nodes = [
      command('late', 'echo late', 'depends_on = ["a"]'),
      command('a', 'printf "a1\\na2"'),
      command('b', 'echo b >&2'),
    ].join('\n');
    const file = await box.runbook('order', 'Order', nodes);
    const plain = await runCli(box, ['run', file]);
    const one = await runCli(box, ['run', file, '--concurrency', '1']);
    expect(plain.code).toBe(0);
    expect(steady(one.stdout).replaceAll('Run 2', 'Run 1')).toBe(steady(plain.stdout));
    expect(plain.stdout).toMatch(/› \[1\/3\] a[\s\S]*› \[2\/3\] late[\s\S]*› \[3\/3\] b/);
  }, 60_000);

  it('runs N independent commands really at the same time, earliest-declared first', async () => {
    const box = await sandbox();
    // Each waits until all four have started: only a run of four at once can end.
    const nodes = ['w1', 'w2', 'w3', 'w4']
      .map((id) =>
        command(
          id,
          `touch marks/${id}; i=0; while [ $(ls marks | wc -l) -lt 4 ]; do i=$((i+1)); [ $i -gt 200 ] && exit 9; sleep 0.05; done`,
        ),
      )
      .join('\n');
    const file = await box.runbook(
      'overlap',
      'Overlap',
      `${nodes}\n${command('after', 'echo after', 'depends_on = ["w4"]')}`,
    );
    const result = await runCli(box, ['run', file, '--concurrency', '4', '--non-interactive'], {
      timeoutMs: 30_000,
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const started = [...result.stdout.matchAll(/› \[\d+\/5\] (\w+)/g)].map((m) => m[1]);
    expect(started).toEqual(['w1', 'w2', 'w3', 'w4', 'after']);
    const state = await loadRun(box, 'Overlap', 1);
    expect(state.run.status).toBe('ok');
  }, 60_000);

  it("prefixes each whole line with its step's name while one step floods output", async () => {
    const box = await sandbox();
    // Each line is written in two pieces: a torn line would show a piece of another step inside it.
    const flood = `i=0; while [ $i -lt 3000 ]; do i=$((i+1)); printf 'flood-%05d-' $i; printf 'end\\n'; done`;
    const quiet = `for i in 1 2 3 4 5; do printf 'quiet-%d-' $i; sleep 0.01; printf 'end\\n'; done; printf 'last-no-newline'`;
    const file = await box.runbook('flood', 'Flood', command('flood', flood) + command('quiet', quiet));
    const result = await runCli(box, ['run', file, '--concurrency', '2', '--non-interactive'], {
      timeoutMs: 60_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n').filter((line) => line.includes(' │ '));
    const bad = lines.filter(
      (line) =>
        !/^ {2}flood │ flood-\d{5}-end$/.test(line) &&
        !/^ {2}quiet │ quiet-\d-end$/.test(line) &&
        line !== '  quiet │ last-no-newline',
    );
    expect(bad).toEqual([]);
    expect(lines.filter((line) => line.startsWith('  flood │ '))).toHaveLength(3000);
    expect(lines.filter((line) => line.startsWith('  quiet │ '))).toHaveLength(6);
    // What each attempt captured is as in a sequential run: its own output only.
    const state = await loadRun(box, 'Flood', 1);
    const quietAttempt = state.attempts.find((a) => a.nodeId === 'quiet');
    expect(quietAttempt?.stdout).toBe(
      'quiet-1-end\nquiet-2-end\nquiet-3-end\nquiet-4-end\nquiet-5-end\nlast-no-newline',
    );
  }, 90_000);

  it('stops starting success steps after a critical nok, lets the running one finish, runs the rollback', async () => {
    const box = await sandbox();
    const nodes = [
      command('deploy', 'sleep 0.2; exit 4', 'critical = true'),
      command('slow', 'sleep 1.2; touch marks/slow'),
      command('next', 'touch marks/next'),
      command('rollback', 'touch marks/rollback', 'depends_on = ["deploy"]\nrun_if = "failure"'),
    ].join('\n');
    const file = await box.runbook('failfast', 'FailFast', nodes);
    const result = await runCli(box, ['run', file, '--concurrency', '2', '--non-interactive']);
    expect(result.code).toBe(1);
    expect(box.exists('marks/slow')).toBe(true);
    expect(box.exists('marks/rollback')).toBe(true);
    expect(box.exists('marks/next')).toBe(false);
    const state = await loadRun(box, 'FailFast', 1);
    expect(state.run.status).toBe('nok');
    expect(attemptsOf(state, 'slow')).toEqual(['ok']);
    expect(attemptsOf(state, 'next')).toEqual([]);
  }, 60_000);

  it('SIGHUP lets the running steps finish, starts nothing new: exit 129, run aborted', async () => {
    const box = await sandbox();
    const nodes = [
      command('a', 'sleep 0.8; touch marks/a'),
      command('b', 'sleep 0.8; touch marks/b'),
      command('c', 'touch marks/c', 'depends_on = ["a"]'),
    ].join('\n');
    const file = await box.runbook('hup', 'Hup', nodes);
    const run = startCli(box, ['run', file, '--concurrency', '2'], { stdin: null });
    await waitFor(() => (run.stdout().match(/› /g) ?? []).length === 2, 'both steps to start');
    run.child.kill('SIGHUP');
    const result = await run.done;
    expect(result.code, result.stdout + result.stderr).toBe(129);
    expect(box.exists('marks/a') && box.exists('marks/b')).toBe(true);
    expect(box.exists('marks/c')).toBe(false);
    const state = await loadRun(box, 'Hup', 1);
    expect(state.run.status).toBe('aborted');
    expect([...attemptsOf(state, 'a'), ...attemptsOf(state, 'b')]).toEqual(['ok', 'ok']);
  }, 60_000);

  it('with piped answers runs one step at a time and says so', async () => {
    const box = await sandbox();
    const nodes = [
      '[m]\ntype = "Manual"\nprompt = "Go?"\n',
      command('a', 'echo a'),
      command('b', 'echo b'),
    ].join('\n');
    const file = await box.runbook('piped', 'Piped', nodes);
    const result = await runCli(box, ['run', file, '--concurrency', '3'], { stdin: 'ok\n\n' });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toContain('steps run one at a time (concurrency 3 ignored)');
    // Sequential: no prefixes, each step ends before the next starts.
    expect(result.stdout).not.toContain('a │ a');
    expect(result.stdout).toMatch(/✔ m ok[\s\S]*› \[2\/3\] a[\s\S]*✔ a ok[\s\S]*› \[3\/3\] b/);
  }, 60_000);

  it('prints nothing over a question while another step floods output, and shows it after the answer', async () => {
    const box = await sandbox();
    const nodes = [
      command('flood', 'i=0; while [ $i -lt 60 ]; do i=$((i+1)); echo "flood line $i"; sleep 0.05; done'),
      '[ask]\ntype = "Manual"\nprompt = "Ready to go?"\n',
    ].join('\n');
    const file = await box.runbook('prompt', 'Prompt', nodes);
    const term = startPty(box, ['run', file, '--concurrency', '2']);
    await term.waitFor('↑/↓ and Enter', { raw: true });
    const asked = term.raw().length;
    // The flood goes on for three seconds: half a second later, nothing of it was printed over the question.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(term.raw().slice(asked)).not.toContain('flood line');
    await term.type(KEY.enter);
    await term.waitFor('Note (optional');
    expect(term.raw().slice(asked)).not.toContain('flood line');
    await term.type(KEY.enter);
    const result = await term.done;
    expect(result.exit, result.screen).toBe(0);
    // Held, then shown: every line of the flood, once, whole.
    const shown = result.raw.replace(/\x1b\[[0-9;]*m/g, '').match(/flood │ flood line \d+/g) ?? [];
    expect(shown).toHaveLength(60);
    expect(new Set(shown).size).toBe(60);
  }, 60_000);

  it('Ctrl-C while three steps run and a question waits stops every process group: none survives', async () => {
    const box = await sandbox();
    const nodes = [
      longCommand('a'),
      longCommand('b'),
      longCommand('c'),
      '[ask]\ntype = "Manual"\nprompt = "Wait here"\n',
    ].join('\n');
    const file = await box.runbook('ctrlc', 'CtrlC', nodes);
    const term = startPty(box, ['run', file, '--concurrency', '4']);
    await term.waitFor('↑/↓ and Enter', { raw: true });
    // Each pid file is complete once it holds a number (the shell creates it empty first).
    await waitFor(
      async () => (await pidsIn(box)).filter((pid) => pid > 0).length === 6,
      'the commands to start',
    );
    const pids = await pidsIn(box);
    expect(pids.every(isAlive)).toBe(true);
    await term.type(KEY.ctrlC);
    const result = await term.done;
    expect(result.exit, result.screen).toBe(130);
    await waitFor(() => pids.every((pid) => !isAlive(pid)), 'every command and child to be gone', 5_000);
    const state = await loadRun(box, 'CtrlC', 1);
    expect(state.run.status).toBe('aborted');
    for (const id of ['a', 'b', 'c']) {
      expect(state.attempts.find((a) => a.nodeId === id)).toMatchObject({
        status: 'nok',
        operatorDecision: 'interrupted',
      });
    }
  }, 60_000);

  it('kill -9 of the CLI with four commands running: resume stops all four groups, none survives, no ok step runs again', async () => {
    const box = await sandbox();
    const waits = ['w1', 'w2', 'w3', 'w4'].map((id) =>
      command(
        id,
        `if [ -f go ]; then echo x >> marks/${id}; else sleep 60 & echo $! > pids/${id}.child; echo $$ > pids/${id}; wait; fi`,
        'depends_on = ["first"]',
      ),
    );
    const nodes = [
      command('first', 'echo x >> marks/first'),
      ...waits,
      command('last', 'echo x >> marks/last', 'depends_on = ["w1", "w2", "w3", "w4"]'),
    ].join('\n');
    const file = await box.runbook('crash', 'Crash', nodes);
    // The CLI forks the commands itself: those the spawn helper forks die with the CLI at once (the helper stops
    // its groups when the CLI is gone; faults/spawn-window.test.ts), and this test is about the ones only a
    // resume can stop, through the owner record. With the helper they raced the check below.
    const run = startCli(box, ['run', file, '--concurrency', '4', '--non-interactive'], {
      env: { PLAYBOOK_SPAWN_HELPER: 'off' },
    });
    await waitFor(
      async () => (await pidsIn(box)).filter((pid) => pid > 0).length === 8,
      'the four commands to start',
    );
    // Every group is recorded before its command can print: the owner record names all four now.
    await waitFor(
      async () => ((await loadRun(box, 'Crash', 1)).processGroups ?? []).length === 4,
      'the four process groups to be recorded',
    );
    run.child.kill('SIGKILL');
    await run.done;
    const pids = await pidsIn(box);
    // The CLI is gone; its commands live on as orphans until a later command stops them.
    expect(pids.every(isAlive)).toBe(true);
    await writeFile(box.path('go'), '');
    const resumed = await runCli(box, ['resume', file, '--concurrency', '4', '--non-interactive']);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(
      /^note: run 1 of "Crash" was left running by process \d+, which is gone: recorded as aborted; steps w1, w2, w3, w4 interrupted\n$/,
    );
    // Stopped before the resume went on: not one process of the four groups is left.
    expect(pids.filter(isAlive)).toEqual([]);
    const state = await loadRun(box, 'Crash', 1);
    expect(state.run.status).toBe('ok');
    expect(state.processGroups).toBeUndefined();
    expect(attemptsOf(state, 'first')).toEqual(['ok']);
    for (const id of ['w1', 'w2', 'w3', 'w4']) {
      expect(attemptsOf(state, id)).toEqual(['nok/interrupted', 'ok']);
    }
    // No step that ended ok ran again; each cut-off one ran once more.
    expect(box.read('marks/first')).toBe('x\n');
    for (const id of ['w1', 'w2', 'w3', 'w4', 'last']) expect(box.read(`marks/${id}`)).toBe('x\n');
  }, 60_000);

  it('SIGTERM stops every running command: each attempt interrupted, exit 130, no process left', async () => {
    const box = await sandbox();
    const nodes = [longCommand('a'), longCommand('b'), longCommand('c')].join('\n');
    const file = await box.runbook('term', 'Term', nodes);
    const run = startCli(box, ['run', file, '--concurrency', '3', '--non-interactive']);
    await waitFor(
      async () => (await pidsIn(box)).filter((pid) => pid > 0).length === 6,
      'the commands to start',
    );
    const pids = await pidsIn(box);
    run.child.kill('SIGTERM');
    const result = await run.done;
    expect(result.code, result.stdout + result.stderr).toBe(130);
    await waitFor(() => pids.every((pid) => !isAlive(pid)), 'every command and child to be gone', 5_000);
    const state = await loadRun(box, 'Term', 1);
    expect(state.run.status).toBe('aborted');
    for (const id of ['a', 'b', 'c']) expect(attemptsOf(state, id)).toEqual(['nok/interrupted']);
  }, 60_000);

  it('--json: every output line of steps running together names its step', async () => {
    const box = await sandbox();
    const print = (id: string) => command(id, `for i in 1 2 3 4 5; do echo ${id}-$i; sleep 0.02; done`);
    const file = await box.runbook('json', 'Json', print('left') + print('right'));
    const result = await runCli(box, ['run', file, '--concurrency', '2', '--non-interactive', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; nodeId?: string; chunk?: string });
    const outputs = events.filter((event) => event.type === 'output');
    expect(outputs.length).toBeGreaterThan(0);
    for (const event of outputs) {
      for (const line of (event.chunk ?? '').split('\n').filter((text) => text !== '')) {
        expect(line.startsWith(`${event.nodeId}-`), JSON.stringify(event)).toBe(true);
      }
    }
    // The people's view, on stderr, has the prefixed lines.
    expect(result.stderr).toContain('  left │ left-5\n');
    expect(result.stderr).toContain('  right │ right-5\n');
  }, 60_000);
});
