import { mkdir, writeFile } from 'node:fs/promises';
import { EVENT_SCHEMA_VERSION, EventLineSchema } from '@playbook/engine/event-schema';
import { Value } from 'typebox/value';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ensureBuilt,
  isAlive,
  loadRun,
  makeSandbox,
  runCli,
  type Sandbox,
  startCli,
  waitFor,
} from './fixtures-run/e2e.js';

/** The stdout of `--json` as parsed lines; fails on any line that is not a valid event line. */
function eventLines(stdout: string): Record<string, unknown>[] {
  expect(stdout.endsWith('\n')).toBe(true);
  return stdout
    .slice(0, -1)
    .split('\n')
    .map((text) => {
      const line = JSON.parse(text) as Record<string, unknown>;
      expect(Value.Errors(EventLineSchema, line), text).toEqual([]);
      expect(line['schemaVersion']).toBe(EVENT_SCHEMA_VERSION);
      expect(new Date(line['timestamp'] as string).toISOString()).toBe(line['timestamp']);
      return line;
    });
}

/** A config file in the sandbox's config home that sets `heartbeat_seconds`. */
async function heartbeatEvery(box: Sandbox, seconds: number): Promise<void> {
  await mkdir(box.path('config/playbook'), { recursive: true });
  await writeFile(box.path('config/playbook/config.toml'), `heartbeat_seconds = ${seconds}\n`);
}

describe.concurrent('live events and heartbeat (SPEC §9.5), end to end (built binary, real processes)', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  it('run --json: only event lines on stdout, every one valid; the run view on stderr', async () => {
    const box = await makeSandbox();
    await heartbeatEvery(box, 0.5);
    const file = await box.runbook(
      'events',
      'Events',
      `
[build]
type = "Command"
command_name = "echo building; sleep 1.3; echo done >&2"

[test]
type = "Command"
command_name = "exit 3"
depends_on = ["build"]

[ship]
type = "Manual"
prompt = "Ship it?"
depends_on = ["test"]
`,
    );
    const result = await runCli(box, ['run', file, '--json', '--non-interactive']);
    expect(result.code).toBe(1);
    const lines = eventLines(result.stdout);
    for (const line of lines) expect(line).toMatchObject({ workflow: 'Events', runId: 1 });
    const types = lines.map((line) => line['type']);
    expect(types[0]).toBe('run-started');
    expect(types.at(-1)).toBe('run-finished');
    expect(types).toContain('heartbeat');
    expect(lines.find((line) => line['type'] === 'output')).toMatchObject({
      nodeId: 'build',
      stream: 'stdout',
      chunk: 'building\n',
    });
    expect(lines.find((line) => line['type'] === 'heartbeat')).toMatchObject({ nodeId: 'build', attempt: 1 });
    expect(lines.find((line) => line['type'] === 'node-blocked')).toMatchObject({
      nodeId: 'ship',
      blockedBy: 'test',
    });
    expect(lines.at(-1)).toMatchObject({ status: 'nok', failed: { nodeId: 'test', reason: 'exit code 3' } });
    // The human view is all on stderr, heartbeat lines included (stderr is not a terminal here).
    expect(result.stderr).toMatch(/^Run 1 of "Events" started/);
    expect(result.stderr).toContain('│ building');
    expect(result.stderr).toMatch(/still running: build \(0m0[01]s\)/);
    expect(result.stderr).toContain('Resume with: playbook resume');
  });

  it('resume --json with piped answers: questions on stderr, prompt events on stdout, nothing waits', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'asks',
      'Asks',
      `
[flaky]
type = "Command"
command_name = "test -f fixed"

[check]
type = "Manual"
prompt = "Looks right?"
depends_on = ["flaky"]
`,
    );
    const first = await runCli(box, ['run', file, '--json', '--non-interactive']);
    expect(first.code).toBe(1);
    await writeFile(box.path('fixed'), '');
    const result = await runCli(box, ['resume', file, '--json'], { stdin: 'ok\nlooked fine\n' });
    expect(result.code).toBe(0);
    const lines = eventLines(result.stdout);
    expect(lines[0]).toMatchObject({ type: 'run-started', trigger: 'resume', runId: 1 });
    expect(lines).toContainEqual(
      expect.objectContaining({ type: 'prompt', nodeId: 'check', question: 'manual' }),
    );
    expect(lines.at(-1)).toMatchObject({ type: 'run-finished', status: 'ok' });
    expect(result.stderr).toContain('Looks right?');
  });

  it('a secret is masked in the event lines as everywhere else', async () => {
    const box = await makeSandbox();
    const secret = 's3"cr\\et-token';
    const file = await box.runbook(
      'secret',
      'Secret',
      `
[say]
type = "Function"
function_name = "playbook:notify"
function_params = { message = "\${ask:secret}" }
`,
    );
    const result = await runCli(box, [
      'run',
      file,
      '--json',
      '--non-interactive',
      '--set',
      `say.message=${secret}`,
    ]);
    expect(result.code).toBe(0);
    const lines = eventLines(result.stdout);
    expect(lines.find((line) => line['type'] === 'output')).toMatchObject({
      chunk: expect.stringContaining('***'),
    });
    for (const form of [secret, JSON.stringify(secret).slice(1, -1), 's3"cr']) {
      expect(result.stdout).not.toContain(form);
      expect(result.stderr).not.toContain(form);
    }
  });

  it('a run whose owner was killed: the next run --json starts with a stale-run-recovered line', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'stale',
      'Stale',
      `
[wait]
type = "Command"
command_name = "echo $$ > pid; sleep 30"
`,
    );
    const killed = startCli(box, ['run', file, '--non-interactive']);
    await waitFor(() => box.exists('pid') && box.read('pid').trim() !== '', 'the command to start');
    // Killed once its process group is on record, as in the crash this stands for.
    await waitFor(
      async () => (await loadRun(box, 'Stale', 1)).run.owner?.processGroup != null,
      'the process group record',
    );
    killed.child.kill('SIGKILL');
    await killed.done;
    const sleeper = Number(box.read('pid').trim());
    await box.runbook('stale', 'Stale', '[quick]\ntype = "Command"\ncommand_name = "true"');
    const result = await runCli(box, ['run', file, '--json', '--non-interactive']);
    expect(result.code).toBe(0);
    const lines = eventLines(result.stdout);
    expect(lines[0]).toMatchObject({ type: 'stale-run-recovered', runId: 1, interrupted: ['wait'] });
    expect(lines[1]).toMatchObject({ type: 'run-started', runId: 2 });
    expect(isAlive(sleeper)).toBe(false);
  });

  it('heartbeat without --json: "still running: <name> (0m01s)" on stdout when it is not a terminal', async () => {
    const box = await makeSandbox();
    await heartbeatEvery(box, 1);
    const file = await box.runbook(
      'beat',
      'Beat',
      `
[slow]
type = "Command"
name = "Slow step"
command_name = "sleep 2.5"
`,
    );
    const result = await runCli(box, ['run', file, '--non-interactive']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('still running: Slow step (0m01s)\n');
    expect(result.stdout).toContain('still running: Slow step (0m02s)\n');
  });

  it('heartbeat_seconds = 0 sends none; a bad value is one line naming the file and key, exit 1', async () => {
    const box = await makeSandbox();
    await heartbeatEvery(box, 0);
    const file = await box.runbook('quiet', 'Quiet', '[slow]\ntype = "Command"\ncommand_name = "sleep 1.2"');
    const quiet = await runCli(box, ['run', file, '--json', '--non-interactive']);
    expect(quiet.code).toBe(0);
    expect(eventLines(quiet.stdout).map((line) => line['type'])).not.toContain('heartbeat');
    await writeFile(box.path('config/playbook/config.toml'), 'heartbeat_seconds = -1\n');
    const bad = await runCli(box, ['run', file, '--json', '--non-interactive']);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/config\.toml:1: heartbeat_seconds must be a number of seconds/);
    expect(bad.code).not.toBe(0);
  });
});
