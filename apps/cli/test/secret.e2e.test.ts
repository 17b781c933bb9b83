import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { attemptsOf, ensureBuilt, loadRun, makeSandbox, runCli } from './fixtures-run/e2e.js';

// A function that leaks its token every way it can: logged on both streams, thrown, returned. It appends what
// it received to a file, so the test can tell that the function did get the secret.
const LEAKY_MODULE = `
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function login({ user, token }, { logger, runbookDirectory }) {
  appendFileSync(join(runbookDirectory, 'received.txt'), token + '\\n');
  logger.info('logging in ' + user + ' with ' + token);
  logger.warn('token was ' + token);
  const marker = join(runbookDirectory, 'failed-once');
  if (!existsSync(marker)) {
    writeFileSync(marker, '');
    throw new Error('token ' + token + ' rejected');
  }
  return { user, token };
}
`;

const FIRST = 'first-s3cr3t-value';
const SECOND = 'second-s3cr3t-value';

// A function that leaks the secret it is given in every form, for the nodes after it to print as well: written
// whole, as JSON, and in two halves (a command prints them as two chunks); thrown on the first try.
const SPREADING_MODULE = `
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function spread(params, { logger, runbookDirectory }) {
  const { token } = params;
  const at = (name) => join(runbookDirectory, name);
  writeFileSync(at('whole.txt'), token);
  writeFileSync(at('token.json'), JSON.stringify({ token }));
  writeFileSync(at('head.txt'), token.slice(0, 9));
  writeFileSync(at('tail.txt'), token.slice(9));
  logger.info('logging ' + token);
  logger.warn(JSON.stringify(params));
  if (!existsSync(at('failed-once'))) {
    writeFileSync(at('failed-once'), '');
    throw new Error('rejected ' + token + ' in ' + JSON.stringify(params));
  }
  return { token, quoted: '"' + token + '"', [token]: [token] };
}
`;

/** Quotes, a backslash, a newline, non-ASCII, an emoji and regular-expression characters. */
const HOSTILE = 'p"a\\ss\nw0rd-ü🔑-.*+?(x)$';

describe('secret ask params, end to end (built binary, real SQLite, piped stdin)', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  it('passes the piped secret to the function, and neither the terminal nor the state ever shows it', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'secret',
      'Secret',
      `
[login]
type = "Function"
function_name = "./secret.mjs#login"
function_params = { user = "ops", token = "\${ask:secret}" }
`,
    );
    await writeFile(box.path('secret.mjs'), LEAKY_MODULE);
    // First attempt throws (with the secret in its message), the operator retries and is asked again.
    const result = await runCli(box, ['run', file], { stdin: `${FIRST}\nr\n${SECOND}\n` });
    expect(result.code).toBe(0);
    expect(box.read('received.txt')).toBe(`${FIRST}\n${SECOND}\n`);

    const terminal = result.stdout + result.stderr;
    expect(terminal).toContain('Value for `token` of login (secret, not shown):');
    expect(terminal).toContain('logging in ops with ***');
    expect(terminal).toContain('token *** rejected');
    expect(terminal).not.toContain('s3cr3t');

    const state = await loadRun(box, 'Secret', 1);
    expect(attemptsOf(state, 'login')).toEqual(['nok/retry', 'ok']);
    expect(state.answers).toEqual({});
    const [failed, passed] = state.attempts;
    expect(failed?.exception).toContain('token *** rejected');
    expect(passed).toMatchObject({
      stdout: 'logging in ops with ***\n',
      stderr: 'token was ***\n',
      resultText: '{"user":"ops","token":"***"}',
    });

    const shown = await runCli(box, ['show', 'Secret', '--run-id', '1', '--json']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('***');
    expect(shown.stdout).not.toContain('s3cr3t');
    // Not in the database file at all (nor in a write-ahead log left beside it).
    for (const path of [box.statePath, `${box.statePath}-wal`]) {
      if (existsSync(path)) expect(readFileSync(path).includes('s3cr3t')).toBe(false);
    }
  });

  it('a piped answer that quotes a secret (a Manual note) is echoed with it masked', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'note',
      'Note',
      `
[runbook.inputs.token]
type = "string"
secret = true

[login]
type = "Function"
function_name = "playbook:notify"
function_params = { message = "logging in", pin = "\${ask:secret}" }

[rotated]
type = "Manual"
prompt = "Rotated?"
depends_on = ["login"]
`,
    );
    const result = await runCli(box, ['run', file, '--var', 'token=zq9-token'], {
      stdin: 'pin-4471\nok\nold zq9-token and pin-4471 revoked\n',
    });
    expect(result.code).toBe(0);
    // The echo of the note wrote both values in clear to the log of a CI job.
    expect(result.stdout).toContain('old *** and *** revoked');
    expect(result.stdout + result.stderr).not.toContain('zq9-token');
    expect(result.stdout + result.stderr).not.toContain('pin-4471');
    const state = await loadRun(box, 'Note', 1);
    expect(state.attempts.find((a) => a.nodeId === 'rotated')?.resultText).toBe('old *** and *** revoked');
  });

  it('masks a hostile secret in every node, every encoding and split output: nowhere in the terminal or the file', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'spread',
      'Spread',
      `
[spread]
type = "Function"
function_name = "./spread.mjs#spread"
function_params = { token = "\${ask:secret}" }

[whole]
type = "Command"
command_name = "cat whole.txt; echo; cat token.json >&2"
depends_on = ["spread"]

[split]
type = "Command"
command_name = "cat head.txt; sleep 0.5; cat tail.txt; echo; exit 3"
depends_on = ["whole"]
`,
    );
    await writeFile(box.path('spread.mjs'), SPREADING_MODULE);
    const result = await runCli(box, [
      'run',
      file,
      '--non-interactive',
      '--retries',
      '1',
      '--set',
      `spread.token=${HOSTILE}`,
    ]);
    expect(result.code).toBe(1);
    expect(box.read('whole.txt')).toBe(HOSTILE);

    const escaped = JSON.stringify(HOSTILE).slice(1, -1);
    // Every form, and each half the split command printed as its own chunk.
    const forms = [
      HOSTILE,
      escaped,
      JSON.stringify(escaped).slice(1, -1),
      HOSTILE.slice(0, 9),
      HOSTILE.slice(9),
    ];
    const terminal = result.stdout + result.stderr;
    for (const form of forms) expect(terminal).not.toContain(form);
    expect(terminal).toContain('logging ***');
    expect(terminal).toMatch(/rejected \*\*\* in \{"token":"\*\*\*"\}/);

    const state = await loadRun(box, 'Spread', 1);
    expect(attemptsOf(state, 'spread')).toEqual(['nok/auto-retry', 'ok']);
    const attempt = (nodeId: string) => state.attempts.filter((a) => a.nodeId === nodeId).at(-1);
    expect(attempt('spread')?.resultText).toBe('{"token":"***","quoted":"\\"***\\"","***":["***"]}');
    expect(attempt('whole')).toMatchObject({ stdout: '***\n', stderr: '{"token":"***"}' });
    expect(attempt('split')).toMatchObject({ status: 'nok', stdout: '***\n' });

    // Every byte of the state folder: the database, and any journal or write-ahead log beside it.
    const folder = dirname(box.statePath);
    expect(readdirSync(folder)).toContain('run.db');
    for (const name of readdirSync(folder)) {
      const bytes = readFileSync(join(folder, name));
      for (const form of forms) expect(bytes.includes(Buffer.from(form, 'utf8'))).toBe(false);
    }
    const shown = await runCli(box, ['show', 'Spread', '--run-id', '1', '--json']);
    for (const form of forms) expect(shown.stdout).not.toContain(form);
  });
});
