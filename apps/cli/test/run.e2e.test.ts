import { readFileSync } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  attemptsOf,
  ensureBuilt,
  fixturesDir,
  isAlive,
  loadRun,
  makeSandbox,
  runCli,
  startCli,
  waitFor,
} from './fixtures-run/e2e.js';

// Each test has its own folder and state file, so they run side by side to keep the file well under a minute.
describe.concurrent('playbook run / resume, end to end (built binary, real SQLite, real processes)', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  it('runs a runbook to ok: run id first, live output under its step, a summary, everything recorded', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'happy',
      'Happy',
      `
[hello]
type = "Command"
command_name = "echo hello from the shell; printf 'no newline at the end'"

[ops]
type = "Function"
name = "Local function"
function_name = "./ops.mjs#greet"
function_params = { who = "operator" }
depends_on = ["hello"]

[notify]
type = "Function"
function_name = "playbook:notify"
function_params = { message = "\${ask}" }
depends_on = ["ops"]
`,
    );
    await copyFile(join(fixturesDir, 'greet.mjs'), box.path('ops.mjs'));
    const result = await runCli(box, ['run', file, '--non-interactive', '--set', 'notify.message=all done']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^Run 1 of "Happy" started/);
    expect(result.stdout).toContain('│ hello from the shell\n');
    expect(result.stdout).toContain('│ no newline at the end\n');
    expect(result.stdout).toContain('│ hi operator\n');
    expect(result.stdout).toContain('│ all done\n');
    expect(result.stdout).toMatch(/✔ hello ok · attempt 1/);
    expect(result.stdout).toMatch(/Run 1 of "Happy" ended ok .*3 ok, 0 nok, 0 skipped/);
    expect(result.stdout).not.toContain('Resume with');
    const state = await loadRun(box, 'Happy', 1);
    expect(state.run.status).toBe('ok');
    expect(state.attempts.find((a) => a.nodeId === 'ops')?.resultText).toBe('greeted operator');
  });

  it('retries a failed step when the operator pipes `r`, and the second attempt passes', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'retry',
      'Retry',
      `
[flaky]
type = "Command"
command_name = "if [ -f marker ]; then echo second try works; else touch marker; echo first try fails >&2; exit 3; fi"
`,
    );
    const result = await runCli(box, ['run', file], { stdin: 'R\n' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('flaky failed: exit code 3');
    expect(result.stdout).toMatch(/✖ flaky nok · attempt 1[^\n]*\n {2}exit code 3/);
    expect(result.stdout).toMatch(/✔ flaky ok · attempt 2/);
    const state = await loadRun(box, 'Retry', 1);
    expect(state.run.status).toBe('ok');
    expect(attemptsOf(state, 'flaky').map((a) => a.split('/')[0])).toEqual(['nok', 'ok']);
    expect(state.attempts.find((a) => a.nodeId === 'flaky' && a.attempt === 1)?.exitCode).toBe(3);
  });

  it('skips a failed skippable step on `s`; its dependents still run', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'skip',
      'Skip',
      `
[optional]
type = "Command"
command_name = "exit 1"
skippable = true

[after]
type = "Command"
command_name = "touch after.ran"
depends_on = ["optional"]
`,
    );
    const result = await runCli(box, ['run', file], { stdin: 'nonsense\ns\n' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Not an answer: "nonsense"');
    expect(result.stdout).toMatch(/↷ optional skipped · attempt 2/);
    expect(box.exists('after.ran')).toBe(true);
    const state = await loadRun(box, 'Skip', 1);
    expect(state.run.status).toBe('ok');
    expect(attemptsOf(state, 'optional')).toEqual([expect.stringMatching(/^nok/), 'skipped/skip']);
  });

  it('aborts on `a`, then resume continues the same run to ok without re-running what succeeded', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'abort',
      'Abort',
      `
[first]
type = "Command"
command_name = "echo ran >> first.count"

[second]
type = "Command"
command_name = "if [ -f fixed ]; then echo fixed; else echo broken >&2; exit 1; fi"
depends_on = ["first"]

[third]
type = "Command"
command_name = "echo ran >> third.count"
depends_on = ["second"]
`,
    );
    const aborted = await runCli(box, ['run', file], { stdin: 'a\n' });
    expect(aborted.code).toBe(1);
    expect(aborted.stdout).toMatch(/Run 1 of "Abort" ended aborted/);
    expect(aborted.stdout).toContain(`Resume with: playbook resume ${file} 1 --state-path`);
    expect((await loadRun(box, 'Abort', 1)).run.status).toBe('aborted');

    await writeFile(box.path('fixed'), '');
    const resumed = await runCli(box, ['resume', file, '--non-interactive']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout.split('\n')[0]).toMatch(/^Run 1 of "Abort" resumed/);
    expect(resumed.stdout).toContain('✔ first kept (ok)');
    expect(box.read('first.count')).toBe('ran\n');
    expect(box.read('third.count')).toBe('ran\n');
    const state = await loadRun(box, 'Abort', 1);
    expect(state.run).toMatchObject({ status: 'ok', trigger: 'resume' });
    expect(attemptsOf(state, 'first')).toHaveLength(1);
    expect(attemptsOf(state, 'second').map((a) => a.split('/')[0])).toEqual(['nok', 'ok']);

    // An ok run cannot be resumed: one line, exit 1.
    const again = await runCli(box, ['resume', file, '1']);
    expect(again.code).toBe(1);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('resume of a changed runbook says which steps were added and removed, and refuses --node on a run that ended ok', async () => {
    const box = await makeSandbox();
    const nodes = (extra: string) => `
[a]
type = "Command"
command_name = "echo ran >> a.count"

${extra}

[b]
type = "Command"
command_name = "echo ran >> b.count; test -f fixed"
depends_on = ["a"]
`;
    const file = await box.runbook(
      'changed',
      'Changed',
      nodes('[old]\ntype = "Command"\ncommand_name = "true"'),
    );
    expect((await runCli(box, ['run', file, '--non-interactive'])).code).toBe(1);
    await box.runbook('changed', 'Changed', nodes('[new]\ntype = "Command"\ncommand_name = "true"'));
    await writeFile(box.path('fixed'), '');
    const resumed = await runCli(box, ['resume', file, '1', '--non-interactive']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('The runbook file changed since this run started.');
    expect(resumed.stdout).toMatch(/added: +new/);
    expect(resumed.stdout).toMatch(/removed: +old/);
    expect(resumed.stdout).not.toMatch(/changed:/);
    expect(box.read('a.count')).toBe('ran\n');

    // An ok run cannot be resumed, not even from a given step: one line, exit 1.
    const refused = await runCli(box, ['resume', file, '1', '--node', 'a']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: .*\n$/);
  });

  it('resume of a changed runbook names the steps whose definition changed, by name', async () => {
    const box = await makeSandbox();
    const nodes = (check: string) => `
[a]
type = "Command"
command_name = "true"

[b]
name = "Check the fix"
type = "Command"
command_name = "${check}"
depends_on = ["a"]
`;
    const file = await box.runbook('edited', 'Edited', nodes('test -f fixed'));
    expect((await runCli(box, ['run', file, '--non-interactive'])).code).toBe(1);
    await box.runbook('edited', 'Edited', nodes('true'));
    const resumed = await runCli(box, ['resume', file, '1', '--non-interactive']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('The runbook file changed since this run started.');
    expect(resumed.stdout).toMatch(/changed: +Check the fix/);
    expect(resumed.stdout).not.toMatch(/added:|removed:|their content may differ/);
  });

  it('a critical failure fails the run at once: nothing after it runs', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'critical',
      'Critical',
      `
[gate]
type = "Command"
name = "Gate"
command_name = "echo gate closed >&2; exit 4"
critical = true

[independent]
type = "Command"
command_name = "touch independent.ran"

[later]
type = "Command"
command_name = "touch later.ran"
depends_on = ["gate"]
`,
    );
    const result = await runCli(box, ['run', file, '--non-interactive', '--retries', '1']);
    expect(result.code).toBe(1);
    expect(box.exists('independent.ran')).toBe(false);
    expect(box.exists('later.ran')).toBe(false);
    expect(result.stdout).toMatch(/✖ Gate \(gate\) nok · attempt 2/);
    expect(result.stdout).toContain('Failed: Gate (gate) — exit code 4');
    expect(result.stdout).toContain(`playbook resume ${file} 1`);
    const state = await loadRun(box, 'Critical', 1);
    expect(state.run.status).toBe('nok');
    expect(attemptsOf(state, 'gate').map((a) => a.split('/')[0])).toEqual(['nok', 'nok']);
  });

  it('non-interactive: a failure blocks its dependents, an independent branch goes on, the run ends nok', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'branches',
      'Branches',
      `
[broken]
type = "Command"
command_name = "exit 2"

[needs_broken]
type = "Command"
command_name = "touch blocked.ran"
depends_on = ["broken"]

[manual]
type = "Manual"
prompt = "Anyone there?"

[other_branch]
type = "Command"
command_name = "touch other.ran"
`,
    );
    const result = await runCli(box, ['run', file], { env: { CI: 'true' } });
    expect(result.code).toBe(1);
    expect(box.exists('other.ran')).toBe(true);
    expect(box.exists('blocked.ran')).toBe(false);
    expect(result.stdout).not.toContain('Anyone there?');
    expect(result.stdout).toMatch(/⊘ needs_broken blocked/);
    expect(result.stdout).toMatch(/ended nok .*1 ok, 2 nok, 0 skipped, 1 not run/);
    const state = await loadRun(box, 'Branches', 1);
    expect(state.run.status).toBe('nok');
    expect(attemptsOf(state, 'manual').map((a) => a.split('/')[0])).toEqual(['nok']);
  });

  it('end of input while a Manual step waits aborts the run cleanly (exit 1, no hang)', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'eof',
      'Eof',
      `
[confirm]
type = "Manual"
prompt = "Is the database backed up?"
`,
    );
    const result = await runCli(box, ['run', file], { stdin: null, timeoutMs: 10_000 });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Is the database backed up?');
    expect((await loadRun(box, 'Eof', 1)).run.status).toBe('aborted');
  });

  it('answers a Manual step and its note from piped lines', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'manual',
      'Manual',
      `
[confirm]
type = "Manual"
prompt = "Is the database backed up?"
`,
    );
    const result = await runCli(box, ['run', file], { stdin: 'YES\nsnapshot 42 taken\n' });
    expect(result.code).toBe(0);
    const attempt = (await loadRun(box, 'Manual', 1)).attempts[0];
    expect(attempt).toMatchObject({ status: 'ok', operatorDecision: 'ok', resultText: 'snapshot 42 taken' });
  });

  it('Ctrl-C (SIGINT) during a command stops its whole process group, exits 130, and the run resumes', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'sigint',
      'Sigint',
      `
[wait]
type = "Command"
command_name = "if [ -f go ]; then echo quick this time; else sleep 30 & echo $! > sleep.pid; wait; fi"
`,
    );
    const run = startCli(box, ['run', file, '--non-interactive']);
    await waitFor(() => box.exists('sleep.pid') && box.read('sleep.pid').trim() !== '', 'the sleep to start');
    const sleepPid = Number(box.read('sleep.pid'));
    expect(isAlive(sleepPid)).toBe(true);
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code).toBe(130);
    expect(isAlive(sleepPid)).toBe(false);
    expect(result.stdout).toMatch(/⊘ wait interrupted · attempt 1/);
    const state = await loadRun(box, 'Sigint', 1);
    expect(state.run.status).toBe('aborted');
    expect(attemptsOf(state, 'wait')).toEqual(['nok/interrupted']);

    await writeFile(box.path('go'), '');
    const resumed = await runCli(box, ['resume', file, '1', '--non-interactive']);
    expect(resumed.code).toBe(0);
    expect(attemptsOf(await loadRun(box, 'Sigint', 1), 'wait')).toEqual(['nok/interrupted', 'ok']);
  });

  it('after a SIGKILL of the CLI, resume stops the orphaned command, records the interrupted attempt, completes', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'sigkill',
      'Sigkill',
      `
[wait]
type = "Command"
command_name = "if [ -f go ]; then echo quick this time; else sleep 30 & echo $! > sleep.pid; wait; fi"
`,
    );
    const run = startCli(box, ['run', file, '--non-interactive']);
    await waitFor(() => box.exists('sleep.pid') && box.read('sleep.pid').trim() !== '', 'the sleep to start');
    const sleepPid = Number(box.read('sleep.pid'));
    // The CLI records the command's process group right after spawning it; under load the shell can get
    // this far first. Kill only once the record is there, as in the crash this test stands for.
    await waitFor(
      async () => (await loadRun(box, 'Sigkill', 1)).run.owner?.processGroup != null,
      'the process group record',
    );
    run.child.kill('SIGKILL');
    await run.done;
    // Nothing ran to clean up: the command's group lives on, and the run still says `running`.
    expect(isAlive(sleepPid)).toBe(true);
    expect((await loadRun(box, 'Sigkill', 1)).run.status).toBe('running');

    await writeFile(box.path('go'), '');
    const resumed = await runCli(box, ['resume', file, '--non-interactive']);
    expect(resumed.code).toBe(0);
    expect(isAlive(sleepPid)).toBe(false);
    const state = await loadRun(box, 'Sigkill', 1);
    expect(state.run.status).toBe('ok');
    expect(attemptsOf(state, 'wait')).toEqual(['nok/interrupted', 'ok']);
  });

  it('eight concurrent runs on one state file all succeed, with ids 1 to 8', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'parallel',
      'Parallel',
      `
[step]
type = "Command"
command_name = "echo one"

[step2]
type = "Function"
function_name = "playbook:notify"
function_params = { message = "two" }
depends_on = ["step"]
`,
    );
    const results = await Promise.all(
      Array.from({ length: 8 }, () => runCli(box, ['run', file, '--non-interactive'], { timeoutMs: 30_000 })),
    );
    expect(results.map((r) => r.code)).toEqual(Array(8).fill(0));
    const ids = results.map((r) => Number(/^Run (\d+) of/.exec(r.stdout)?.[1])).sort((a, b) => a - b);
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('refuses bad flags with exit 2 and an invalid file with exit 1, writing nothing', async () => {
    const box = await makeSandbox();
    const file = await box.runbook('flags', 'Flags', '[a]\ntype = "Command"\ncommand_name = "true"\n');
    for (const args of [
      ['run', file, '--retries=-1'],
      ['run', file, '--retries', 'two'],
      ['run', file, '--set', 'no-dot=1'],
      // A value for a node or parameter the runbook does not have is a usage error, as an unknown --var is.
      ['run', file, '--set', 'ghost.message=1'],
      ['run', file, '--set', 'a.message=1'],
      ['resume', file, 'zero'],
    ]) {
      const result = await runCli(box, args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toMatch(/^error: /);
    }
    expect(box.exists('state/run.db')).toBe(false);
    const invalid = await box.runbook('invalid', 'Invalid', '[a]\ntype = "Command"\ndepends_on = ["nope"]\n');
    const result = await runCli(box, ['run', invalid]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(invalid);
    expect(result.stderr).toContain('nothing was run');
    expect(box.exists('state/run.db')).toBe(false);

    const missing = await runCli(box, ['resume', file, '7']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('examples', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  it('the deploy example runs start to finish with nobody at the keyboard', async () => {
    const box = await makeSandbox();
    const example = new URL('../../../examples/deploy.playbook.toml', import.meta.url);
    expect(readFileSync(example, 'utf8')).toContain('[runbook]');
    // As the README's demo runs it: the flaky CDN step fails once and the automatic retry passes.
    const args = ['run', example.pathname, '--non-interactive', '--retries', '1'];
    const result = await runCli(box, args, { timeoutMs: 30_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('traffic on green');
    expect(result.stdout).toContain('cdn: purge request timed out');
    expect(result.stdout).toContain('cdn: 12 objects warmed');
    const state = await loadRun(box, 'Deploy', 1);
    expect(attemptsOf(state, 'cdn_warm')).toEqual(['nok/auto-retry', 'ok']);
    // Without the retry the same runbook ends nok, naming the step.
    const once = await runCli(box, ['run', example.pathname, '--non-interactive'], { timeoutMs: 30_000 });
    expect(once.code).toBe(1);
    expect(once.stdout).toContain('Warm the CDN cache');
  });
});
