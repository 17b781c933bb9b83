import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  attemptsOf,
  ensureBuilt,
  isAlive,
  loadRun,
  makeSandbox,
  type Sandbox,
  waitFor,
} from './fixtures-run/e2e.js';
import { KEY, renderScreen, startPty, startPtyShell } from './fixtures-run/pty.js';

// The arrow-key prompts, the live output and Ctrl-C, as an operator meets them: the built binary on a real
// pseudo-terminal (python3's pty), keys typed once the screen asks for them, the screen read back at the end.
// Every test has its own folder and state file, so they run side by side.

const SELECTOR_HINT = '↑/↓ and Enter';
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
const SGR = /\x1b\[\d+(;\d+)*m/;

/** The terminal was handed back as the shell expects it: line editing, echo and Ctrl-C all on. */
function expectCookedTerminal(result: {
  icanon: boolean | null;
  echo: boolean | null;
  isig: boolean | null;
}): void {
  expect({ icanon: result.icanon, echo: result.echo, isig: result.isig }).toEqual({
    icanon: true,
    echo: true,
    isig: true,
  });
}

const manualNode = (id: string, prompt: string, extra = '') =>
  `[${id}]\ntype = "Manual"\nprompt = "${prompt}"\n${extra}\n`;

/** Fails the first time (exit 3), passes once `marker` exists. */
const flakyCommand = (marker = 'marker') =>
  `if [ -f ${marker} ]; then echo second try works; else touch ${marker}; echo first try fails >&2; exit 3; fi`;

async function runbook(box: Sandbox, name: string, nodes: string): Promise<string> {
  return box.runbook(name, name, nodes);
}

describe.concurrent('playbook run on a real terminal (built binary, pty, real SQLite)', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  it('answers a Manual step with the arrow keys and Enter, then a typed note stored as result_text', async () => {
    const box = await makeSandbox();
    const file = await runbook(box, 'Manual', manualNode('check', 'Is the service up?', 'skippable = true'));
    const term = startPty(box, ['run', file]);
    await term.waitFor(SELECTOR_HINT);
    // Down to nok, down to skip, up twice back to ok: the highlighted row follows.
    await term.type(KEY.down, KEY.down);
    await term.waitFor(/❯ skip/);
    await term.type(KEY.up, KEY.up);
    await term.waitFor(/❯ ok/);
    await term.type(KEY.enter);
    await term.waitFor('Note (optional');
    await term.type('all good, 3/3 pods', KEY.enter);
    const result = await term.done;

    expect(result.exit, result.screen).toBe(0);
    expectCookedTerminal(result);
    // The list was replaced by one line with the answer; the note stays as typed.
    expect(result.screen).toContain('? Is the service up? ok\n');
    expect(result.screen).toContain('Note (optional, Enter for none): all good, 3/3 pods\n');
    expect(result.screen).not.toContain(SELECTOR_HINT);
    expect(result.screen).toMatch(/✔ check ok · attempt 1/);
    const state = await loadRun(box, 'Manual', 1);
    expect(state.run.status).toBe('ok');
    const attempt = state.attempts.find((a) => a.nodeId === 'check');
    expect(attempt?.operatorDecision).toBe('ok');
    expect(attempt?.resultText).toBe('all good, 3/3 pods');
  });

  it('retries a failed command chosen with the arrows (down, wrapping around), and the second attempt passes', async () => {
    const box = await makeSandbox();
    const file = await runbook(box, 'Retry', `[flaky]\ntype = "Command"\ncommand_name = "${flakyCommand()}"`);
    const term = startPty(box, ['run', file]);
    await term.waitFor('What now?');
    await term.waitFor(SELECTOR_HINT);
    // retry, abort, mark ok: down to abort, to mark ok, down again wraps to retry.
    await term.type(KEY.down);
    await term.waitFor(/❯ abort/);
    await term.type(KEY.down);
    await term.waitFor(/❯ mark ok/);
    await term.type(KEY.down);
    await term.waitFor(/❯ retry/);
    await term.type(KEY.enter);
    const result = await term.done;

    expect(result.exit, result.screen).toBe(0);
    expectCookedTerminal(result);
    expect(result.screen).toContain('│ first try fails');
    expect(result.screen).toMatch(/flaky failed: exit code 3\n {2}What now\? retry\n/);
    expect(result.screen).toContain('│ second try works');
    expect(result.screen).toMatch(/✔ flaky ok · attempt 2/);
    const state = await loadRun(box, 'Retry', 1);
    expect(state.run.status).toBe('ok');
    expect(attemptsOf(state, 'flaky').map((a) => a.split('/')[0])).toEqual(['nok', 'ok']);
  });

  it('skips a skippable failing step, and its dependent still runs', async () => {
    const box = await makeSandbox();
    const file = await runbook(
      box,
      'Skip',
      `[optional]\ntype = "Command"\ncommand_name = "exit 4"\nskippable = true\n\n` +
        `[after]\ntype = "Command"\ncommand_name = "echo after ran"\ndepends_on = ["optional"]`,
    );
    const term = startPty(box, ['run', file]);
    await term.waitFor(SELECTOR_HINT);
    await term.type(KEY.down);
    await term.waitFor(/❯ skip/);
    await term.type(KEY.enter);
    const result = await term.done;

    expect(result.exit, result.screen).toBe(0);
    expectCookedTerminal(result);
    expect(result.screen).toContain('What now? skip\n');
    expect(result.screen).toContain('│ after ran');
    const state = await loadRun(box, 'Skip', 1);
    expect(attemptsOf(state, 'optional')).toEqual([expect.stringMatching(/^nok/), 'skipped/skip']);
    expect(attemptsOf(state, 'after')).toEqual(['ok']);
  });

  it('aborts on the operator`s choice: exit 1, run aborted, and the summary`s resume command finishes it', async () => {
    const box = await makeSandbox();
    const file = await runbook(box, 'Abort', `[flaky]\ntype = "Command"\ncommand_name = "${flakyCommand()}"`);
    const term = startPty(box, ['run', file]);
    await term.waitFor(SELECTOR_HINT);
    await term.type(KEY.down);
    await term.waitFor(/❯ abort/);
    await term.type(KEY.enter);
    const result = await term.done;

    expect(result.exit, result.screen).toBe(1);
    expectCookedTerminal(result);
    expect(result.screen).toMatch(/Run 1 of "Abort" ended aborted/);
    expect(result.screen).toContain(`Resume with: playbook resume ${file} 1 --state-path`);
    expect((await loadRun(box, 'Abort', 1)).run.status).toBe('aborted');

    const resumed = startPty(box, ['resume', file, '1']);
    const end = await resumed.done;
    expect(end.exit, end.screen).toBe(0);
    expect(end.screen).toMatch(/✔ flaky ok · attempt 2/);
    expect((await loadRun(box, 'Abort', 1)).run.status).toBe('ok');
  });

  it('takes the letter shortcuts: s skips a Manual step, R retries, unknown letters are ignored', async () => {
    const box = await makeSandbox();
    const file = await runbook(
      box,
      'Letters',
      manualNode('look', 'Look at the dashboard', 'skippable = true') +
        `\n[flaky]\ntype = "Command"\ncommand_name = "${flakyCommand()}"\ndepends_on = ["look"]`,
    );
    const term = startPty(box, ['run', file]);
    await term.waitFor(SELECTOR_HINT);
    await term.type('x', 's');
    await term.waitFor('Note (optional');
    await term.type(KEY.enter);
    await term.waitFor('What now?');
    await term.type('q', 'R');
    const result = await term.done;

    expect(result.exit, result.screen).toBe(0);
    expectCookedTerminal(result);
    expect(result.screen).toContain('? Look at the dashboard skip\n');
    expect(result.screen).toContain('What now? retry\n');
    const state = await loadRun(box, 'Letters', 1);
    expect(attemptsOf(state, 'look')).toEqual(['skipped/skip']);
    expect(attemptsOf(state, 'flaky').map((a) => a.split('/')[0])).toEqual(['nok', 'ok']);
  });

  it('Ctrl-C while the selector waits: exit 130, run aborted, terminal back to cooked mode, resumable', async () => {
    const box = await makeSandbox();
    const file = await runbook(box, 'CtrlcPrompt', manualNode('gate', 'Proceed?'));
    const term = startPty(box, ['run', file]);
    await term.waitFor(SELECTOR_HINT);
    await term.type(KEY.ctrlC);
    const result = await term.done;

    expect(result.exit, result.screen).toBe(130);
    expectCookedTerminal(result);
    expect(result.screen).toContain('Interrupted');
    expect(result.screen).not.toContain(SELECTOR_HINT);
    const state = await loadRun(box, 'CtrlcPrompt', 1);
    expect(state.run.status).toBe('aborted');
    expect(attemptsOf(state, 'gate')).toEqual(['nok/interrupted']);

    const resumed = startPty(box, ['resume', file]);
    await resumed.waitFor(SELECTOR_HINT);
    await resumed.type('o');
    await resumed.waitFor('Note (optional');
    await resumed.type(KEY.enter);
    const end = await resumed.done;
    expect(end.exit, end.screen).toBe(0);
    expect(attemptsOf(await loadRun(box, 'CtrlcPrompt', 1), 'gate')).toEqual(['nok/interrupted', 'ok/ok']);
  });

  it('Ctrl-C while a command runs: exit 130, the command is gone, the terminal is left in cooked mode', async () => {
    const box = await makeSandbox();
    const file = await runbook(
      box,
      'CtrlcCommand',
      `[wait]\ntype = "Command"\ncommand_name = "sleep 30 & echo $! > sleep.pid; wait"`,
    );
    const term = startPty(box, ['run', file]);
    await waitFor(() => box.exists('sleep.pid') && box.read('sleep.pid').trim() !== '', 'the sleep to start');
    const pid = Number(box.read('sleep.pid').trim());
    expect(isAlive(pid)).toBe(true);
    await term.type(KEY.ctrlC);
    const result = await term.done;

    expect(result.exit, result.screen).toBe(130);
    expectCookedTerminal(result);
    expect(isAlive(pid)).toBe(false);
    expect(result.screen).toMatch(/⊘ wait interrupted · attempt 1/);
    expect(result.screen).toContain('Resume with: playbook resume');
    const state = await loadRun(box, 'CtrlcCommand', 1);
    expect(state.run.status).toBe('aborted');
    expect(attemptsOf(state, 'wait')).toEqual(['nok/interrupted']);
  });

  it('asks an ask-marked value at the prompt and passes what was typed', async () => {
    const box = await makeSandbox();
    const file = await runbook(
      box,
      'Ask',
      `[notify]\ntype = "Function"\nfunction_name = "playbook:notify"\nfunction_params = { message = "\${ask}" }`,
    );
    const term = startPty(box, ['run', file]);
    await term.waitFor('Value for `message` of notify:');
    await term.type('deploy 42 done ✓', KEY.enter);
    const result = await term.done;

    expect(result.exit, result.screen).toBe(0);
    expectCookedTerminal(result);
    expect(result.screen).toContain('Value for `message` of notify: deploy 42 done ✓\n');
    expect(result.screen).toContain('│ deploy 42 done ✓');
    const state = await loadRun(box, 'Ask', 1);
    expect(state.run.status).toBe('ok');
  });

  it('shows a running clock for a step longer than a second, and clears it without a trace', async () => {
    const box = await makeSandbox();
    const file = await runbook(
      box,
      'Clock',
      `[slow]\ntype = "Command"\nname = "Slow step"\ncommand_name = "sleep 1.6; echo slept"`,
    );
    const term = startPty(box, ['run', file]);
    await term.waitFor(/Slow step 1s/);
    const result = await term.done;

    expect(result.exit, result.screen).toBe(0);
    expect(result.raw).toMatch(SPINNER);
    expect(result.screen).not.toMatch(SPINNER);
    const lines = result.screen.split('\n');
    expect(
      lines.filter((line) => line.includes('Slow step')).map((line) => line.replace(/[\d.]+s$/, 'Ns')),
    ).toEqual(['› [1/1] Slow step (slow) Command', '✔ Slow step (slow) ok · attempt 1 · Ns']);
    expect(result.screen).toContain('\n  │ slept\n');
  });

  it('uses colours on a terminal, and none with NO_COLOR=1', async () => {
    const box = await makeSandbox();
    const file = await runbook(
      box,
      'Colours',
      `${manualNode('gate', 'Proceed?')}\n[echo]\ntype = "Command"\ncommand_name = "echo hi"`,
    );
    const answer = async (term: ReturnType<typeof startPty>) => {
      await term.waitFor(SELECTOR_HINT);
      await term.type('o');
      await term.waitFor('Note (optional');
      await term.type(KEY.enter);
      return term.done;
    };
    const coloured = await answer(startPty(box, ['run', file]));
    const plain = await answer(startPty(box, ['run', file], { env: { NO_COLOR: '1' } }));

    expect(coloured.exit, coloured.screen).toBe(0);
    expect(plain.exit, plain.screen).toBe(0);
    expect(coloured.raw).toMatch(SGR);
    expect(coloured.raw).toContain('\x1b[32m✔\x1b[39m');
    expect(plain.raw).not.toMatch(SGR);
    expect(plain.screen).toMatch(/✔ gate ok · attempt 1/);
  });

  it('renders awkward output readably: long lines, CRLF, invalid UTF-8, a character split across writes, no final newline', async () => {
    const box = await makeSandbox();
    const long = 'x'.repeat(150);
    const script = [
      `printf '${long}END\\n'`,
      `printf 'windows line\\r\\n'`,
      `printf 'bad \\377\\376 bytes\\n'`,
      `printf 'split \\303'`,
      'sleep 0.3',
      `printf '\\251 joined\\n'`,
      `printf 'no newline at the end'`,
    ].join('; ');
    await writeFile(box.path('out.sh'), `${script}\n`);
    const file = await runbook(box, 'Output', `[out]\ntype = "Command"\ncommand_name = "sh out.sh"`);
    const result = await startPty(box, ['run', file]).done;

    expect(result.exit, result.screen).toBe(0);
    const lines = result.screen.split('\n');
    // The long line wraps at the terminal's width and comes back whole when joined.
    const start = lines.findIndex((line) => line.startsWith('  │ xxx'));
    expect(start).toBeGreaterThan(-1);
    expect(lines.slice(start, start + 2).join('')).toBe(`  │ ${long}END`);
    expect(lines).toContain('  │ windows line');
    expect(lines).toContain('  │ bad �� bytes');
    expect(lines).toContain('  │ split é joined');
    // The unterminated last line is ended before the step's status line.
    const last = lines.indexOf('  │ no newline at the end');
    expect(last).toBeGreaterThan(-1);
    expect(lines[last + 1]).toMatch(/^✔ out ok · attempt 1/);
  });

  it('runs a runbook in a directory with spaces and Unicode, and its resume command works as printed', async () => {
    const box = await makeSandbox();
    const folder = 'ops runbooks/déploiement 日本';
    await mkdir(box.path(folder), { recursive: true });
    await writeFile(
      box.path(`${folder}/Bereit prüfen.playbook.toml`),
      [
        '[runbook]',
        'title = "Prüfung ünïcode"',
        'description = "d"',
        'version = "0.1.0"',
        'author = "t"',
        'created_at = "2025-05-03T12:08:00Z"',
        '',
        '[here]',
        'type = "Command"',
        'command_name = "pwd > \\"wo bin ich.txt\\"; echo ok in $(basename \\"$PWD\\")"',
        '',
        manualNode('gate', 'Weiter?', 'depends_on = ["here"]'),
      ].join('\n'),
    );
    const relative = `${folder}/Bereit prüfen.playbook.toml`;
    const term = startPty(box, ['run', relative]);
    await term.waitFor(SELECTOR_HINT);
    await term.type('n');
    await term.waitFor('Note (optional');
    await term.type(KEY.enter);
    await term.waitFor('What now?');
    await term.type('a');
    const result = await term.done;

    expect(result.exit, result.screen).toBe(1);
    expect(result.screen).toContain('│ ok in déploiement 日本');
    expect(readFileSync(box.path(`${folder}/wo bin ich.txt`), 'utf8').trim()).toBe(box.path(folder));
    // The printed resume command is pasted into a shell as is: its quoting must hold.
    const resume = /Resume with: (playbook resume .*)/.exec(renderScreen(result.raw, 10_000))?.[1];
    expect(resume).toBeDefined();
    const again = startPtyShell(box, resume ?? 'false');
    await again.waitFor(SELECTOR_HINT);
    await again.type('o');
    await again.waitFor('Note (optional');
    await again.type(KEY.enter);
    const end = await again.done;
    expect(end.exit, end.screen).toBe(0);
    const state = await loadRun(box, 'Prüfung ünïcode', 1);
    expect(state.run.status).toBe('ok');
    expect(attemptsOf(state, 'gate')).toEqual(['nok/nok', 'ok/ok']);
  });
  it('keeps a question and a clock longer than the terminal is wide readable: no rows left behind', async () => {
    const box = await makeSandbox();
    const longName = 'Check the canary in every region before the full rollout of this release goes on';
    const description =
      'Open the dashboards of eu-west-1, us-east-1 and ap-southeast-2 and compare them with the baseline.';
    const prompt =
      'Are the error rates and p99 latency of the canary within 5% of the baseline in all three regions?';
    const file = await runbook(
      box,
      'Wide',
      `[canary]\ntype = "Manual"\nname = "${longName}"\ndescription = "${description}"\nprompt = "${prompt}"\n\n` +
        `[slow]\ntype = "Command"\nname = "${longName} (slow part)"\ncommand_name = "sleep 1.6"\ndepends_on = ["canary"]`,
    );
    const term = startPty(box, ['run', file]);
    await term.waitFor(SELECTOR_HINT);
    // Each key redraws the list under the wrapped question.
    await term.type(KEY.down);
    await term.waitFor(/❯ nok/);
    await term.type(KEY.up);
    await term.waitFor(/❯ ok/);
    await term.type(KEY.enter);
    await term.waitFor('Note (optional');
    await term.type(KEY.enter);
    await term.waitFor(/ 1s\b/, { raw: true });
    const result = await term.done;

    expect(result.exit, result.screen).toBe(0);
    const occurrences = (text: string) => result.screen.split(text).length - 1;
    // Wrapped at 80 columns: look for the start of each, which sits on its first row.
    expect(occurrences(description.slice(0, 60)), result.screen).toBe(1);
    expect(occurrences(prompt.slice(0, 60)), result.screen).toBe(1);
    expect(result.raw).toMatch(SPINNER);
    expect(result.screen).not.toMatch(SPINNER);
    expect(result.screen.split('\n').filter((line) => line.startsWith('✔ '))).toHaveLength(3);
  });

  it('does not take an Enter pressed while a command ran as the answer to the question that follows', async () => {
    const box = await makeSandbox();
    const file = await runbook(
      box,
      'Typeahead',
      `[flaky]\ntype = "Command"\ncommand_name = "sleep 1; exit 3"`,
    );
    const term = startPty(box, ['run', file]);
    await term.waitFor('› [1/1] flaky Command');
    await term.type(KEY.enter);
    await term.waitFor(SELECTOR_HINT);
    await term.type('a');
    const result = await term.done;

    expect(result.exit, result.screen).toBe(1);
    expect(result.screen).toContain('What now? abort\n');
    expect(attemptsOf(await loadRun(box, 'Typeahead', 1), 'flaky').map((a) => a.split('/')[0])).toEqual([
      'nok',
    ]);
  });

  it('Ctrl-D at a value question ends the run cleanly, on a line of its own', async () => {
    const box = await makeSandbox();
    const file = await runbook(
      box,
      'AskEof',
      `[notify]\ntype = "Function"\nfunction_name = "playbook:notify"\nfunction_params = { message = "\${ask}" }`,
    );
    const term = startPty(box, ['run', file]);
    await term.waitFor('Value for `message` of notify:');
    await term.type(KEY.ctrlD);
    const result = await term.done;

    expect(result.exit, result.screen).toBe(1);
    expectCookedTerminal(result);
    const lines = result.screen.split('\n');
    const asked = lines.findIndex((line) => line.startsWith('? Value for `message` of notify:'));
    expect(lines[asked], result.screen).toBe('? Value for `message` of notify:');
    expect(lines[asked + 1]).toMatch(/^✖ notify nok/);
  });

  it('TERM=dumb gets plain lines: no clock, no redrawn selector, no escape sequence at all', async () => {
    const box = await makeSandbox();
    const file = await runbook(
      box,
      'Dumb',
      `[slow]\ntype = "Command"\ncommand_name = "sleep 1.6; echo slept"\n\n` +
        manualNode('gate', 'Proceed?', 'depends_on = ["slow"]'),
    );
    const term = startPty(box, ['run', file], { env: { TERM: 'dumb' } });
    await term.waitFor('Enter for ok:');
    await term.type('o');
    await term.waitFor('Note (optional');
    await term.type('fine', KEY.enter);
    const result = await term.done;

    expect(result.exit, result.screen).toBe(0);
    expectCookedTerminal(result);
    expect(result.raw).not.toContain('\x1b');
    expect(result.raw).not.toMatch(SPINNER);
    expect(result.screen).toContain('  Type a letter, or Enter for ok: ok\n');
    expect(result.screen).toContain('Note (optional, Enter for none): fine\n');
    expect(attemptsOf(await loadRun(box, 'Dumb', 1), 'gate')).toEqual(['ok/ok']);
  });

  it('the repeat question starts on "no": Enter keeps a repeatable step`s earlier result', async () => {
    const box = await makeSandbox();
    const file = await runbook(
      box,
      'Repeat',
      `[flush]\ntype = "Command"\ncommand_name = "echo flushed >> flush.log"\nrepeatable = true\n\n` +
        `[check]\ntype = "Command"\ncommand_name = "test -f fixed"\ndepends_on = ["flush"]`,
    );
    expect((await startPty(box, ['run', file, '--non-interactive']).done).exit).toBe(1);
    await writeFile(box.path('fixed'), '');
    const term = startPty(box, ['resume', file]);
    await term.waitFor(SELECTOR_HINT);
    expect(term.screen()).toMatch(/❯ no — keep the earlier result/);
    await term.type(KEY.enter);
    const result = await term.done;

    expect(result.exit, result.screen).toBe(0);
    expect(result.screen).toContain('Run it again? no\n');
    expect(box.read('flush.log')).toBe('flushed\n');
  });

  it('a runbook cannot drive the terminal through a name, a description or a prompt', async () => {
    const box = await makeSandbox();
    const evil = String.raw`\u001b]52;c;cm0gLXJmIH4=\u0007\u001b[2J\u009b3J`;
    const file = await runbook(
      box,
      'Hostile',
      `[gate]\ntype = "Manual"\nname = "Gate ${evil}"\ndescription = "Read ${evil}"\nprompt = "Go ${evil}?"`,
    );
    const term = startPty(box, ['run', file]);
    await term.waitFor(SELECTOR_HINT);
    await term.type('o');
    await term.waitFor('Note (optional');
    await term.type(KEY.enter);
    const result = await term.done;

    expect(result.exit, result.screen).toBe(0);
    for (const injected of ['\x1b]52', '\x1b[2J', '\x07', '\u009b']) {
      expect(result.raw).not.toContain(injected);
    }
    expect(result.screen).toContain('Read ␛]52;c;cm0gLXJmIH4=␇␛[2J\\u009b3J');
    expect(result.screen).toContain('Go ␛]52;c;cm0gLXJmIH4=␇␛[2J\\u009b3J? ok');
  });
});
