import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
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
});
