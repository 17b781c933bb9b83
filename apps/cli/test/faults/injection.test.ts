import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, ensureBuilt, runCli } from '../fixtures-run/e2e.js';
import { faultSandbox, rawDatabase, removeSandboxes } from './support.js';

// What an operator types, or passes with --set, is data: it reaches functions as a parameter and is never
// pasted into a shell line. Shell metacharacters in it must arrive literally and run nothing.
const HOSTILE = [
  '$(touch pwned-dollar)',
  '`touch pwned-backtick`',
  '"; touch pwned-quote; echo "',
  "'; touch pwned-single; echo '",
  '| touch pwned-pipe',
  '${IFS}touch${IFS}pwned-ifs',
  '\\$(touch pwned-escaped)',
  'x\ntouch pwned-newline',
];

const RECORDER = `
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
/** Writes what it received as one JSON line, so the test sees the exact string. */
export function record(params, context) {
  appendFileSync(join(context.runbookDirectory, 'received.jsonl'), JSON.stringify(params) + '\\n');
  return 'recorded';
}
`;

async function hostileSandbox() {
  const box = await faultSandbox();
  await writeFile(box.path('recorder.mjs'), RECORDER);
  const file = await box.runbook(
    'inject',
    'Inject',
    `
[given]
type = "Function"
function_name = "./recorder.mjs#record"
function_params = { value = "\${ask}", fixed = "$(touch pwned-fixed)" }

[asked]
type = "Function"
function_name = "./recorder.mjs#record"
function_params = { value = "\${ask}" }
depends_on = ["given"]

[shell]
type = "Command"
command_name = "echo shell step ran"
depends_on = ["asked"]
`,
  );
  return { box, file };
}

async function pwned(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith('pwned'));
}

describe('hostile ${ask} answers and --set values', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);
  afterAll(removeSandboxes);

  it.each(HOSTILE.map((value) => [JSON.stringify(value), value]))(
    '%s arrives literally, through --set and through a piped answer, and runs nothing',
    async (_label, value) => {
      const { box, file } = await hostileSandbox();
      // A piped answer is one line: the newline case can only come through --set.
      const answer = value.includes('\n') ? 'plain answer' : value;
      const result = await runCli(box, ['run', file, '--set', `given.value=${value}`], {
        stdin: `${answer}\n`,
        timeoutMs: 20_000,
      });
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
      expect(await pwned(box.dir)).toEqual([]);
      const received = box
        .read('received.jsonl')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(received).toEqual([{ value, fixed: '$(touch pwned-fixed)' }, { value: answer }]);

      // Stored as given, byte for byte.
      const db = rawDatabase(box.statePath, { readonly: true });
      try {
        const rows = db.prepare('select node_id, param, value from run_answers order by node_id').all();
        expect(rows).toEqual([
          { node_id: 'asked', param: 'value', value: answer },
          { node_id: 'given', param: 'value', value },
        ]);
      } finally {
        db.close();
      }
    },
    30_000,
  );

  it('the printed resume command quotes a hostile file name: pasted into a shell, it resumes and runs nothing else', async () => {
    const box = await faultSandbox();
    const file = await box.runbook(
      "it's $(touch pwned) `x`",
      'Quoted',
      '[step]\ntype = "Command"\ncommand_name = "test -f fixed"\n',
    );
    const failed = await runCli(box, ['run', file, '--non-interactive']);
    expect(failed.code).toBe(1);
    const hint = /Resume with: (playbook resume .*)$/m.exec(failed.stdout)?.[1];
    expect(hint).toBeDefined();
    await writeFile(box.path('fixed'), '');
    // The hint as an operator would paste it, with `playbook` being this build.
    const pasted = spawnSync(
      '/bin/sh',
      ['-c', `playbook() { "$NODE" "$BIN" "$@"; }; ${hint} --non-interactive`],
      {
        cwd: box.dir,
        env: { ...process.env, NODE: process.execPath, BIN: binPath, NO_COLOR: '1' },
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(pasted.status, `${pasted.stdout}${pasted.stderr}`).toBe(0);
    expect(pasted.stdout).toMatch(/^Run 1 of "Quoted" resumed/);
    expect(await pwned(box.dir)).toEqual([]);
  }, 30_000);

  it('the state file is created with mode 0600 (captured output can hold secrets)', async () => {
    const { box, file } = await hostileSandbox();
    const result = await runCli(box, ['run', file, '--set', 'given.value=a', '--set', 'asked.value=b'], {
      timeoutMs: 20_000,
    });
    expect(result.code).toBe(0);
    expect(statSync(box.statePath).mode & 0o777).toBe(0o600);
  }, 30_000);
});
