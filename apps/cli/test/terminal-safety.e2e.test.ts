import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultSandbox, rawDatabase, removeSandboxes } from './faults/support.js';
import { ensureBuilt, runCli } from './fixtures-run/e2e.js';

// SPEC §11: text from a runbook file or from the history is printed with its control characters made visible.
// A hostile runbook (or a shared history someone wrote into) must not be able to clear the operator's screen,
// set the clipboard (OSC 52), change the window title or reorder text: the built binary is run on such a file
// and such a database, and no byte a terminal would act on may reach its stdout or stderr (colours are off, so
// any ESC at all would be an injection).

/** What a terminal acts on instead of showing: C0 (but tab and line feed), DEL, C1, bidi controls. */
const RAW_CONTROL = /[\0-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

/** The payloads, as TOML escapes (written into the runbook) and as the characters they stand for. */
const TOML_EVIL = String.raw`\u001b]52;c;cm0gLXJmIH4=\u0007\u001b[2J\u001b]0;pwned\u0007\u009b3J\u202e`;
const EVIL = '\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\x1b]0;pwned\x07\x9b3J\u202e';
/** How `EVIL` reads on the terminal. */
const SHOWN = '␛]52;c;cm0gLXJmIH4=␇␛[2J␛]0;pwned␇\\u009b3J\\u202e';

function expectNothingActedOn(output: { stdout: string; stderr: string }, what: string): void {
  for (const [stream, text] of Object.entries({ stdout: output.stdout, stderr: output.stderr })) {
    const found = RAW_CONTROL.exec(text);
    const around = found === null ? '' : JSON.stringify(text.slice(found.index - 60, found.index + 20));
    expect(found, `${what}: a raw control character on ${stream} near ${around}`).toBeNull();
  }
}

const MODULE = `
export function give(params) { return 'result ' + Object.values(params).join(' ') + ${JSON.stringify(EVIL)}; }
export function boom() { throw new Error('boom ' + ${JSON.stringify(EVIL)}); }
`;

const NODES = `
[gate]
type = "Manual"
name = "Gate ${TOML_EVIL}"
description = "Look here ${TOML_EVIL}\\nsecond line ${TOML_EVIL}"
prompt = "Proceed ${TOML_EVIL}?"

[ask]
type = "Function"
name = "Ask ${TOML_EVIL}"
description = "asks ${TOML_EVIL}"
function_name = "./evil.mjs#give"
function_params = { "p${TOML_EVIL}" = "\${ask}" }
depends_on = ["gate"]

[boom]
type = "Function"
name = "Boom ${TOML_EVIL}"
function_name = "./evil.mjs#boom"
skippable = true
depends_on = ["ask"]

[loud]
type = "Command"
name = "Loud ${TOML_EVIL}"
description = "a command ${TOML_EVIL}"
command_name = "echo quiet"
depends_on = ["boom"]
`;

async function hostileRunbook() {
  const box = await faultSandbox();
  await writeFile(box.path('evil.mjs'), MODULE);
  const file = await box.runbook('evil', `Evil ${TOML_EVIL}`, NODES);
  return { box, file, title: `Evil ${EVIL}` };
}

describe('control characters from a runbook or the history never reach the terminal raw (built binary)', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);
  afterAll(removeSandboxes);

  it('validate shows them in the summary and in the problems that quote the file', async () => {
    const { box, file } = await hostileRunbook();
    const valid = await runCli(box, ['validate', file]);
    expect(valid.code, valid.stderr).toBe(0);
    expectNothingActedOn(valid, 'validate (summary)');
    expect(valid.stdout).toContain(`Title        Evil ${SHOWN}`);

    // Problems quote the file: an id that is not one, an unknown key, a module that cannot be found.
    await writeFile(
      box.path('bad.playbook.toml'),
      `${box.read(file).split('\n[gate]')[0]}\n["bad${TOML_EVIL}"]\ntype = "Command"\ncommand_name = "true"\n` +
        `\n[fn]\ntype = "Function"\nfunction_name = "./missing${TOML_EVIL}.mjs#f"\n"k${TOML_EVIL}" = 1\n`,
    );
    const invalid = await runCli(box, ['validate', 'bad.playbook.toml']);
    expect(invalid.code).toBe(1);
    expectNothingActedOn(invalid, 'validate (problems)');
    expect(invalid.stdout).toContain(`bad${SHOWN}`);
    expect(invalid.stdout).toContain(`k${SHOWN}`);
    expect(invalid.stdout).toContain(`missing${SHOWN}`);

    const json = await runCli(box, ['validate', file, '--json']);
    expectNothingActedOn(json, 'validate --json');
    expect(JSON.parse(json.stdout).summary.title).toBe(`Evil ${EVIL}`);
  });

  it('run (prompts, descriptions, reasons, summary, piped answers) and run --non-interactive', async () => {
    const { box, file } = await hostileRunbook();
    const answers = `ok\nnote ${EVIL}\nvalue ${EVIL}\ns\n`;
    const run = await runCli(box, ['run', file], { stdin: answers });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expectNothingActedOn(run, 'run with piped answers');
    for (const part of [
      `Gate ${SHOWN}`,
      `Look here ${SHOWN}`,
      `Proceed ${SHOWN}?`,
      `p${SHOWN}`,
      `boom ${SHOWN}`,
    ]) {
      expect(run.stdout).toContain(part);
    }

    const unattended = await runCli(box, ['run', file, '--non-interactive']);
    expect(unattended.code).toBe(1);
    expectNothingActedOn(unattended, 'run --non-interactive');
    expect(unattended.stdout).toContain(`Manual step "Gate ${SHOWN}" needs an operator`);
  });

  it('show, show --run-id and info on a history that holds them, also in rows someone wrote into', async () => {
    const { box, file, title } = await hostileRunbook();
    expect((await runCli(box, ['run', file], { stdin: `ok\nnote ${EVIL}\nv\ns\n` })).code).toBe(0);
    // Captured output with escape sequences: printed live (the operator's own command), stored as it was.
    const live = await box.runbook(
      'live',
      `Live ${TOML_EVIL}`,
      `[loud]\ntype = "Command"\ncommand_name = "printf 'x\\\\033[2J\\\\033]52;c;eA==\\\\007y'"`,
    );
    expect((await runCli(box, ['run', live])).code).toBe(0);
    // A shared history is written by others: every text column may hold anything.
    const db = rawDatabase(box.statePath);
    db.prepare('update executions set operator_decision = ?, result_text = ?, exception = ?').run(
      `decided ${EVIL}`,
      `result ${EVIL}`,
      `exception ${EVIL}`,
    );
    db.prepare('update runs set trigger = ?, end_time = ?').run(`run ${EVIL}`, `later ${EVIL}`);
    db.close();

    for (const args of [
      ['show', title],
      ['show', title, '--run-id', '1'],
      ['show', `Live ${EVIL}`, '--run-id', '1'],
      ['info'],
      ['show', `missing ${EVIL}`],
      ['show', title, '--run-id', '9'],
    ]) {
      const result = await runCli(box, args);
      expectNothingActedOn(result, args.join(' '));
    }
    const shown = await runCli(box, ['show', title, '--run-id', '1']);
    expect(shown.stdout).toContain(`decided ${SHOWN}`);
    expect(shown.stdout).toContain(`gate#1: exception: exception ${SHOWN}`);
    const info = await runCli(box, ['info']);
    expect(info.stdout).toContain(`Nodes of Evil ${SHOWN}`);

    // --json is exact: the same text comes back from the JSON, and the JSON itself is safe to look at.
    const json = await runCli(box, ['show', `Live ${EVIL}`, '--run-id', '1', '--json']);
    expectNothingActedOn(json, 'show --json');
    const parsed = JSON.parse(json.stdout) as { executions: { stdout: string; operatorDecision: string }[] };
    expect(parsed.executions[0]?.stdout).toBe('x\x1b[2J\x1b]52;c;eA==\x07y');
    expect(parsed.executions[0]?.operatorDecision).toBe(`decided ${EVIL}`);
    const infoJson = await runCli(box, ['info', '--json']);
    expectNothingActedOn(infoJson, 'info --json');
  });
});
