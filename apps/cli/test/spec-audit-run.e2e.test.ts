// Operator-level checks of SPEC §2 and §4 found wanting in an audit: each test drives the built binary with
// piped answers against a real state file, and failed before the fix it came with.
import { rm, writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { attemptsOf, ensureBuilt, loadRun, makeSandbox, runCli } from './fixtures-run/e2e.js';

describe.concurrent('spec audit: run and resume as an operator sees them', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  it('resume says the runbook changed when only a command changed (no step added or removed)', async () => {
    const box = await makeSandbox();
    const nodes = (command: string) => `
[a]
type = "Command"
command_name = "${command}"
`;
    const file = await box.runbook('edited', 'Edited', nodes('exit 1'));
    expect((await runCli(box, ['run', file, '--non-interactive'])).code).toBe(1);
    await box.runbook('edited', 'Edited', nodes('exit 0'));
    const resumed = await runCli(box, ['resume', file, '--non-interactive']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('The runbook file changed since this run started');
    expect(resumed.stdout).not.toContain('added:');
    expect(resumed.stdout).not.toContain('removed:');
  });

  it('three unrecognised answers abort with that reason, not "input ended"', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'garbled',
      'Garbled',
      `
[check]
type = "Manual"
prompt = "Is the service up?"

[after]
type = "Command"
command_name = "echo ran > after.txt"
`,
    );
    // More input follows, so the input has not ended: the run stops for the unrecognised answers alone.
    const result = await runCli(box, ['run', file], { stdin: 'maybe\nperhaps\nwhat\nok\n\n' });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('no recognised answer after 3 tries');
    expect(result.stdout).not.toContain('input ended');
    expect(box.exists('after.txt')).toBe(false);
    const state = await loadRun(box, 'Garbled', 1);
    expect(state.run.status).toBe('aborted');
    expect(attemptsOf(state, 'check')).toEqual(['nok/abort']);
  });

  it('resume names the run before asking whether to run a repeatable step again', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'again',
      'Again',
      `
[flush]
type = "Command"
command_name = "echo flushed >> flush.log"
repeatable = true

[check]
type = "Command"
command_name = "test -f fixed"
`,
    );
    expect((await runCli(box, ['run', file, '--non-interactive'])).code).toBe(1);
    await writeFile(box.path('fixed'), '');
    const resumed = await runCli(box, ['resume', file], { stdin: 'y\n' });
    expect(resumed.code).toBe(0);
    const announced = resumed.stdout.indexOf('Run 1 of "Again" resumed');
    const asked = resumed.stdout.indexOf('Run it again?');
    expect(announced).toBeGreaterThanOrEqual(0);
    expect(asked).toBeGreaterThan(announced);
    expect(box.read('flush.log')).toBe('flushed\nflushed\n');

    // End of input at that question: the summary says which step was asked about and why the run stopped.
    await rm(box.path('fixed'));
    expect((await runCli(box, ['run', file, '--non-interactive'])).code).toBe(1);
    const unanswered = await runCli(box, ['resume', file, '2'], { stdin: '' });
    expect(unanswered.code).toBe(1);
    expect(unanswered.stdout).toMatch(/Stopped at: flush — no answer to "run it again\?"/);
    expect((await loadRun(box, 'Again', 2)).run.status).toBe('aborted');

    // An empty answer is no (SPEC §9.3): the step that ended ok is kept, not run again.
    await writeFile(box.path('fixed'), '');
    const kept = await runCli(box, ['resume', file, '2'], { stdin: '\n' });
    expect(kept.code, kept.stdout + kept.stderr).toBe(0);
    expect(kept.stdout).toContain('Run it again? y/N? \n');
    expect(box.read('flush.log')).toBe('flushed\nflushed\nflushed\n');
    expect((await loadRun(box, 'Again', 2)).run.status).toBe('ok');
  });
});
