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

function setup() {
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
  });
  const type = (...keys: string[]) => {
    let delay = 0;
    for (const key of keys) {
      delay += 5;
      setTimeout(() => input.write(key), delay);
    }
  };
  return { input, output, prompter, type, written: () => written, interrupts: () => interrupts };
}

describe('TtyPrompter', () => {
  it('selects with the arrow keys and Enter, then reads the note, and restores the terminal', async () => {
    const { input, prompter, type, written } = setup();
    const answer = prompter.manual({ node, attempt: 1, canSkip: false });
    type('\x1b[B', '\r', 'checked by hand\r');
    expect(await answer).toEqual({ decision: 'nok', note: 'checked by hand' });
    expect(input.rawModes[0]).toBe(true);
    expect(input.isRaw).toBe(false);
    expect(written()).toContain('Deploy to production?');
    // The list is replaced by the question and the answer on one line.
    expect(written()).toMatch(/Deploy to production\? nok\n/);
  });

  it('picks a choice by its letter', async () => {
    const { prompter, type } = setup();
    const answer = prompter.afterFailure({ node, attempt: 1, reason: 'exit code 1', canSkip: true });
    type('s');
    expect(await answer).toBe('skip');
  });

  it('wraps around with the up arrow', async () => {
    const { prompter, type } = setup();
    const answer = prompter.afterFailure({ node, attempt: 1, reason: 'exit code 1', canSkip: false });
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
    const { input, prompter, type } = setup();
    // Pressed while a command ran: already waiting when the question comes.
    input.write('\r');
    const answer = prompter.afterFailure({ node, attempt: 1, reason: 'exit code 1', canSkip: false });
    input.write('\r');
    type('a');
    expect(await answer).toBe('abort');
  });

  it('drops a line typed ahead of a value question', async () => {
    const { input, prompter, type } = setup();
    input.write('\r');
    const answer = prompter.askValue({ node: notify, param: 'message' });
    type('typed after\r');
    expect(await answer).toBe('typed after');
  });

  it('redraws a question that wraps on the terminal without leaving its first rows behind', async () => {
    const { input, prompter, type, written, output } = setup();
    Object.assign(output, { columns: 40 });
    const long = { ...node, prompt: 'A question much longer than this terminal of forty columns is wide?' };
    const answer = prompter.manual({ node: long, attempt: 1, canSkip: false });
    type('\x1b[B', '\x1b[A', 'o', '\r');
    expect(await answer).toEqual({ decision: 'ok', note: '' });
    // The question is 2 rows on this terminal: each redraw goes up over those 2 rows, the 2 choices and, once
    // keys are taken, the hint.
    expect(written().match(/\x1b\[\d+A/g)).toEqual(['\x1b[4A', '\x1b[5A', '\x1b[5A', '\x1b[5A']);
    expect(input.isRaw).toBe(false);
  });

  it('reads a secret value without showing it, and with the usual line editing', async () => {
    const { input, prompter, type, written } = setup();
    const answer = prompter.askValue({ node: notify, param: 'token', secret: true });
    // Backspace (DEL) removes the stray 'X'; arrow keys are not part of the value; a pasted chunk is taken whole.
    type('s3cr3t', 'X', '\x7f', '\x1b[D', '-token', '\r');
    expect(await answer).toBe('s3cr3t-token');
    expect(written()).toContain('Value for `token` of Notify (secret, not shown): \n');
    expect(written()).not.toMatch(/s3cr3t|token\b(?!`)|•|\*/);
    expect(input.rawModes[0]).toBe(true);
    expect(input.isRaw).toBe(false);
  });

  it('clears a secret typed so far on Ctrl-U', async () => {
    const { prompter, type } = setup();
    const answer = prompter.askValue({ node: notify, param: 'token', secret: true });
    type('wrong', '\x15', 'right', '\r');
    expect(await answer).toBe('right');
  });

  it('forwards Ctrl-C at a secret question as an interrupt', async () => {
    const { input, prompter, type, interrupts } = setup();
    const answer = prompter.askValue({ node: notify, param: 'token', secret: true });
    type('abc', '\x03');
    await expect(answer).rejects.toThrow('interrupted');
    expect(interrupts()).toBe(1);
    expect(input.isRaw).toBe(false);
  });

  it('takes Ctrl-D at an empty secret question as end of input', async () => {
    const { prompter, type } = setup();
    const answer = prompter.askValue({ node: notify, param: 'token', secret: true });
    type('\x04');
    await expect(answer).rejects.toThrow('input ended');
  });

  it('ends the line of a value question on Ctrl-D, so what follows starts on its own line', async () => {
    const { prompter, type, written } = setup();
    const answer = prompter.askValue({ node: notify, param: 'message' });
    type('\x04');
    await expect(answer).rejects.toThrow('input ended');
    expect(written()).toMatch(/of Notify: (\x1b\[\d+G)?\n$/);
  });

  it('takes Ctrl-D as end of input', async () => {
    const { prompter, type, interrupts } = setup();
    const answer = prompter.confirmRepeat({ node });
    type('\x04');
    await expect(answer).rejects.toThrow('input ended');
    expect(interrupts()).toBe(0);
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
