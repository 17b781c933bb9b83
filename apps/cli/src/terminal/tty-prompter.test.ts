import { PassThrough } from 'node:stream';
import type { FunctionNode, ManualNode } from '@playbook/domain';
import { PromptClosedError } from '@playbook/engine';
import { describe, expect, it } from 'vitest';
import { createColors } from './colors.js';
import type { RawInput } from './select.js';
import { TtyPrompter } from './tty-prompter.js';

const node: ManualNode = {
  id: 'approve',
  type: 'Manual',
  name: 'Approve deploy',
  prompt: 'Deploy to production?',
  dependsOn: [],
  repeatable: false,
  skippable: false,
  critical: false,
};

const notify: FunctionNode = {
  id: 'notify',
  type: 'Function',
  name: 'Notify',
  functionName: 'playbook:notify',
  functionParams: { message: 'asked' },
  dependsOn: [],
  repeatable: false,
  skippable: false,
  critical: false,
};

/** A stand-in for a terminal's stdin: keys are written to it as the bytes a terminal sends. */
class FakeTty extends PassThrough implements RawInput {
  readonly isTTY = true;
  isRaw = false;
  readonly rawModes: boolean[] = [];
  setRawMode(mode: boolean): this {
    this.isRaw = mode;
    this.rawModes.push(mode);
    return this;
  }
}

function setup(options: { plain?: boolean } = {}) {
  const input = new FakeTty();
  const output = new PassThrough();
  let written = '';
  output.on('data', (chunk: Buffer) => {
    written += chunk.toString();
  });
  const controller = new AbortController();
  let interrupts = 0;
  const prompter = new TtyPrompter({
    input,
    output,
    colors: createColors(false),
    signal: controller.signal,
    onInterrupt: () => {
      interrupts += 1;
      controller.abort();
    },
    ...options,
  });
  const type = (...keys: string[]) => {
    let delay = 0;
    for (const key of keys) {
      delay += 5;
      setTimeout(() => input.write(key), delay);
    }
  };
  /** Resolves once the output shows `text`: keys meant for a question are typed when it is on the screen. */
  const shown = async (text: string) => {
    while (!written.includes(text)) await new Promise((resolve) => setTimeout(resolve, 2));
  };
  return { input, output, prompter, type, shown, written: () => written, interrupts: () => interrupts };
}

describe('TtyPrompter', () => {
  it('selects with the arrow keys and Enter, then reads the note, and restores the terminal', async () => {
    const { input, prompter, type, shown, written } = setup();
    const answer = prompter.manual({ node, attempt: 1, canSkip: false });
    // Keys typed before the list is drawn are dropped as typeahead: under load the first timer can fire first.
    await shown('❯');
    type('\x1b[B', '\r');
    await shown('Note (optional');
    type('checked by hand\r');
    expect(await answer).toEqual({ decision: 'nok', note: 'checked by hand' });
    expect(input.rawModes[0]).toBe(true);
    expect(input.isRaw).toBe(false);
    expect(written()).toContain('Deploy to production?');
    // The list is replaced by the question and the answer on one line.
    expect(written()).toMatch(/Deploy to production\? nok\n/);
  });

  it('picks a choice by its letter', async () => {
    const { prompter, type, shown } = setup();
    const answer = prompter.afterFailure({ node, attempt: 1, reason: 'exit code 1', canSkip: true });
    await shown('What now?');
    type('s');
    expect(await answer).toBe('skip');
  });

  it('offers mark ok when allowed: picked by its letter, then a required note (asked again while empty) and each output', async () => {
    const { prompter, type, shown, written } = setup();
    const choice = prompter.afterFailure({
      node,
      attempt: 1,
      reason: 'exit code 1',
      canSkip: false,
      canOverride: true,
    });
    await shown('What now?');
    expect(written()).toContain('mark ok — it was done by hand');
    type('o');
    expect(await choice).toBe('override');
    const answer = prompter.markOk({ node, attempt: 1, outputs: ['image'] });
    await shown('Note (required)');
    type('\r');
    await shown('A note is required');
    type('pushed by hand\r');
    await shown('Value of output `image`');
    type('app:42\r');
    expect(await answer).toEqual({ note: 'pushed by hand', outputs: { image: 'app:42' } });
  });

  it('does not list mark ok when it is not allowed', async () => {
    const { prompter, type, shown, written } = setup();
    const choice = prompter.afterFailure({ node, attempt: 1, reason: 'exit code 1', canSkip: false });
    await shown('What now?');
    type('a');
    expect(await choice).toBe('abort');
    expect(written()).not.toContain('mark ok');
  });

  it('wraps around with the up arrow', async () => {
    const { prompter, type, shown } = setup();
    const answer = prompter.afterFailure({ node, attempt: 1, reason: 'exit code 1', canSkip: false });
    await shown('What now?');
    type('\x1b[A', '\r');
    expect(await answer).toBe('abort');
  });

  it('forwards Ctrl-C in raw mode as an interrupt', async () => {
    const { input, prompter, type, interrupts } = setup();
    const answer = prompter.confirmRepeat({ node });
    type('\x03');
    await expect(answer).rejects.toBeInstanceOf(PromptClosedError);
    expect(interrupts()).toBe(1);
    expect(input.isRaw).toBe(false);
  });

  it('ignores keys typed before the question showed: a stray Enter is not an answer', async () => {
    const { input, prompter, type, shown } = setup();
    // Pressed while a command ran: already waiting when the question comes.
    input.write('\r');
    const answer = prompter.afterFailure({ node, attempt: 1, reason: 'exit code 1', canSkip: false });
    input.write('\r');
    await shown('What now?');
    type('a');
    expect(await answer).toBe('abort');
  });

  it('drops a line typed ahead of a value question', async () => {
    const { input, prompter, type, shown } = setup();
    input.write('\r');
    const answer = prompter.askValue({ node: notify, param: 'message' });
    await shown('Value for');
    type('typed after\r');
    expect(await answer).toBe('typed after');
  });

  it('redraws a question that wraps on the terminal without leaving its first rows behind', async () => {
    const { input, prompter, type, shown, written, output } = setup();
    Object.assign(output, { columns: 40 });
    const long = { ...node, prompt: 'A question much longer than this terminal of forty columns is wide?' };
    const answer = prompter.manual({ node: long, attempt: 1, canSkip: false });
    await shown('A question much');
    type('\x1b[B', '\x1b[A', 'o');
    await shown('Note (optional');
    type('\r');
    expect(await answer).toEqual({ decision: 'ok', note: '' });
    // The question is 2 rows on this terminal: each redraw goes up over those 2 rows, the 2 choices and the hint.
    expect(written().match(/\x1b\[\d+A/g)).toEqual(['\x1b[5A', '\x1b[5A', '\x1b[5A']);
    expect(input.isRaw).toBe(false);
  });

  it('reads a secret value without showing it, and with the usual line editing', async () => {
    const { input, prompter, type, shown, written } = setup();
    const answer = prompter.askValue({ node: notify, param: 'token', secret: true });
    await shown('Value for');
    // Backspace (DEL) removes the stray 'X'; arrow keys are not part of the value; a pasted chunk is taken whole.
    type('s3cr3t', 'X', '\x7f', '\x1b[D', '-token', '\r');
    expect(await answer).toBe('s3cr3t-token');
    expect(written()).toContain('Value for `token` of Notify (secret, not shown): \n');
    expect(written()).not.toMatch(/s3cr3t|token\b(?!`)|•|\*/);
    expect(input.rawModes[0]).toBe(true);
    expect(input.isRaw).toBe(false);
  });

  it('clears a secret typed so far on Ctrl-U', async () => {
    const { prompter, type, shown } = setup();
    const answer = prompter.askValue({ node: notify, param: 'token', secret: true });
    await shown('Value for');
    type('wrong', '\x15', 'right', '\r');
    expect(await answer).toBe('right');
  });

  it('forwards Ctrl-C at a secret question as an interrupt', async () => {
    const { input, prompter, type, shown, interrupts } = setup();
    const answer = prompter.askValue({ node: notify, param: 'token', secret: true });
    await shown('Value for');
    type('abc', '\x03');
    await expect(answer).rejects.toThrow('interrupted');
    expect(interrupts()).toBe(1);
    expect(input.isRaw).toBe(false);
  });

  it('takes Ctrl-D at an empty secret question as end of input', async () => {
    const { prompter, type, shown } = setup();
    const answer = prompter.askValue({ node: notify, param: 'token', secret: true });
    await shown('Value for');
    type('\x04');
    await expect(answer).rejects.toThrow('input ended');
  });

  it('ends the line of a value question on Ctrl-D, so what follows starts on its own line', async () => {
    const { prompter, type, shown, written } = setup();
    const answer = prompter.askValue({ node: notify, param: 'message' });
    await shown('Value for');
    type('\x04');
    await expect(answer).rejects.toThrow('input ended');
    expect(written()).toMatch(/of Notify: (\x1b\[\d+G)?\n$/);
  });

  it('takes Ctrl-D as end of input', async () => {
    const { prompter, type, shown, interrupts } = setup();
    const answer = prompter.confirmRepeat({ node });
    await shown('Run it again?');
    type('\x04');
    await expect(answer).rejects.toThrow('input ended');
    expect(interrupts()).toBe(0);
  });

  it('takes a key pressed the moment the question appears: it is drawn only once earlier keys are gone', async () => {
    const { input, output, prompter } = setup();
    // An operator (or a script) answering as soon as the question shows: the key arrives right after the draw.
    let pressed = false;
    output.on('data', (chunk: Buffer) => {
      if (!pressed && chunk.toString().includes('What now?')) {
        pressed = true;
        input.write('a');
      }
    });
    const answer = prompter.afterFailure({ node, attempt: 1, reason: 'exit code 1', canSkip: false });
    const lost = new Promise((resolve) => setTimeout(() => resolve('the key was lost'), 1000));
    expect(await Promise.race([answer, lost])).toBe('abort');
  });

  it('starts the repeat question on "no": Enter keeps the earlier result', async () => {
    const { prompter, type, shown, written } = setup();
    const answer = prompter.confirmRepeat({ node });
    await shown('Run it again?');
    expect(written()).toMatch(/❯ no — keep the earlier result/);
    type('\r');
    expect(await answer).toBe(false);
  });

  it('writes plain lines on a terminal that cannot move the cursor (TERM=dumb): no escape sequence at all', async () => {
    const { prompter, type, shown, written } = setup({ plain: true });
    const decision = prompter.manual({ node, attempt: 1, canSkip: true });
    await shown('Enter for ok');
    type('s');
    await shown('Note (optional');
    type('by hand\n');
    expect(await decision).toEqual({ decision: 'skip', note: 'by hand' });
    const repeat = prompter.confirmRepeat({ node });
    await shown('Enter for no');
    type('\r');
    expect(await repeat).toBe(false);
    expect(written()).not.toContain('\x1b');
    expect(written()).toContain(
      '? Deploy to production?\n  (o) ok — done, it worked\n  (n) nok — it did not work\n' +
        '  (s) skip — leave this step out\n  Type a letter, or Enter for ok: skip\n',
    );
  });
});

// A closed terminal ends stdin under the question (raw mode reads Ctrl-D as a key, so nothing else does). Without
// a listener for that end the question waited forever while nothing kept the process alive: it exited with the
// run unrecorded. Each kind of question ends as end of input and reports the hang-up.
describe('TtyPrompter when the terminal is closed under a question', () => {
  const questions = {
    select: (prompter: TtyPrompter) => prompter.confirmRepeat({ node }),
    note: (prompter: TtyPrompter) => prompter.askValue({ node: notify, param: 'message' }),
    secret: (prompter: TtyPrompter) => prompter.askValue({ node: notify, param: 'token', secret: true }),
  };
  for (const [kind, ask] of Object.entries(questions)) {
    it(`ends a ${kind} question as end of input and reports the hang-up`, async () => {
      const input = new FakeTty();
      let hangups = 0;
      const prompter = new TtyPrompter({
        input,
        output: new PassThrough(),
        colors: createColors(false),
        onInterrupt: () => {},
        onHangup: () => {
          hangups += 1;
        },
      });
      const answer = ask(prompter);
      setTimeout(() => input.end(), 20);
      await expect(answer).rejects.toThrow('input ended');
      expect(hangups).toBe(1);
      expect(input.isRaw).toBe(false);
    });
  }
});
