import { PassThrough, Readable } from 'node:stream';
import { ASK_PLACEHOLDER, type FunctionNode, type ManualNode } from '@playbook/domain';
import { PromptClosedError } from '@playbook/engine';
import { describe, expect, it } from 'vitest';
import { createColors } from './colors.js';
import { LinePrompter } from './line-prompter.js';

const manualNode: ManualNode = {
  id: 'approve',
  type: 'Manual',
  name: 'Approve deploy',
  prompt: 'Deploy to production?',
  dependsOn: [],
  repeatable: false,
  skippable: true,
  critical: false,
};
const functionNode: FunctionNode = {
  id: 'notify',
  type: 'Function',
  name: 'Notify',
  functionName: 'playbook:notify',
  functionParams: { message: ASK_PLACEHOLDER },
  dependsOn: [],
  repeatable: false,
  skippable: false,
  critical: false,
};

function prompterFor(input: string | Readable, signal?: AbortSignal) {
  const output = new PassThrough();
  let written = '';
  output.on('data', (chunk: Buffer) => {
    written += chunk.toString();
  });
  const stream = typeof input === 'string' ? Readable.from([input]) : input;
  const prompter = new LinePrompter({
    input: stream,
    output,
    colors: createColors(false),
    ...(signal ? { signal } : {}),
  });
  return { prompter, written: () => written };
}

describe('LinePrompter', () => {
  it('answers a sequence of questions from input that arrived all at once, case-insensitively', async () => {
    const { prompter, written } = prompterFor('OK\nall good\nR\nSkip\nhello world \nY\n');
    expect(await prompter.manual({ node: manualNode, attempt: 1, canSkip: true })).toEqual({
      decision: 'ok',
      note: 'all good',
    });
    expect(
      await prompter.afterFailure({ node: manualNode, attempt: 1, reason: 'exit code 1', canSkip: true }),
    ).toBe('retry');
    expect(
      await prompter.afterFailure({ node: manualNode, attempt: 2, reason: 'exit code 1', canSkip: true }),
    ).toBe('skip');
    expect(await prompter.askValue({ node: functionNode, param: 'message' })).toBe('hello world ');
    expect(await prompter.confirmRepeat({ node: manualNode })).toBe(true);
    expect(written()).toContain('Deploy to production?');
    expect(written()).toContain('Value for `message` of Notify:');
    // Piped answers are echoed so that the transcript reads like a session.
    expect(written()).toContain('ok/nok/skip? OK\n');
    prompter.close();
  });

  it('reads a piped secret value as it is but never echoes it, unlike other answers', async () => {
    const { prompter, written } = prompterFor(' s3cr3t-token \nvisible\n');
    expect(await prompter.askValue({ node: functionNode, param: 'token', secret: true })).toBe(
      ' s3cr3t-token ',
    );
    expect(await prompter.askValue({ node: functionNode, param: 'message' })).toBe('visible');
    expect(written()).toBe(
      '? Value for `token` of Notify (secret, not shown): \n? Value for `message` of Notify: visible\n',
    );
    prompter.close();
  });

  it('accepts every synonym of SPEC §2.4', async () => {
    const { prompter } = prompterFor('y\n\nyes\n\nn\n\nno\n\nnok\n\ns\n\n');
    const ask = () => prompter.manual({ node: manualNode, attempt: 1, canSkip: true });
    const decisions = [];
    for (let i = 0; i < 6; i++) decisions.push((await ask()).decision);
    expect(decisions).toEqual(['ok', 'ok', 'nok', 'nok', 'nok', 'skip']);
  });

  it('does not accept skip where the node cannot be skipped', async () => {
    const { prompter, written } = prompterFor('s\nskip\na\n');
    expect(
      await prompter.afterFailure({ node: manualNode, attempt: 1, reason: 'boom', canSkip: false }),
    ).toBe('abort');
    expect(written()).toContain('Not an answer: "s"');
    expect(written()).toContain('r/a?');
  });

  it('asks again after an unrecognised answer, and gives up after three', async () => {
    const { prompter, written } = prompterFor('maybe\nperhaps\nwhat\nr\n');
    expect(await prompter.afterFailure({ node: manualNode, attempt: 1, reason: 'boom', canSkip: true })).toBe(
      'abort',
    );
    expect(written().match(/Not an answer/g)).toHaveLength(3);
    const manual = prompterFor('x\nmaybe\nz\nok\n\n');
    await expect(
      manual.prompter.manual({ node: manualNode, attempt: 1, canSkip: false }),
    ).rejects.toBeInstanceOf(PromptClosedError);
  });

  it('throws PromptClosedError at end of input, but takes a missing note as none', async () => {
    const { prompter } = prompterFor('nok');
    expect(await prompter.manual({ node: manualNode, attempt: 1, canSkip: false })).toEqual({
      decision: 'nok',
      note: '',
    });
    await expect(
      prompter.afterFailure({ node: manualNode, attempt: 1, reason: 'x', canSkip: false }),
    ).rejects.toThrow(PromptClosedError);
    await expect(prompter.askValue({ node: functionNode, param: 'message' })).rejects.toThrow(
      PromptClosedError,
    );
  });

  it('lets a waiting question go when the run is interrupted', async () => {
    const input = new PassThrough();
    const controller = new AbortController();
    const { prompter } = prompterFor(input, controller.signal);
    const answer = prompter.confirmRepeat({ node: manualNode });
    setTimeout(() => controller.abort(), 10);
    await expect(answer).rejects.toThrow('interrupted');
    prompter.close();
  });

  it('waits for a line that arrives later, split across chunks', async () => {
    const input = new PassThrough();
    const { prompter } = prompterFor(input);
    const answer = prompter.askValue({ node: functionNode, param: 'message' });
    input.write('hel');
    setTimeout(() => input.write('lo\r\n'), 5);
    expect(await answer).toBe('hello');
    prompter.close();
  });

  it('takes an empty line to the repeat question as "no" (SPEC §9.3), and says so in the hint', async () => {
    const { prompter, written } = prompterFor('\n');
    expect(await prompter.confirmRepeat({ node: manualNode })).toBe(false);
    expect(written()).toContain('Run it again? y/N? \n');
    prompter.close();
  });

  it('shows the control characters of an echoed answer instead of sending them to the terminal', async () => {
    const { prompter, written } = prompterFor('ok\nnote \x1b]52;c;eA==\x07 \x1b[2J\n');
    expect(await prompter.manual({ node: manualNode, attempt: 1, canSkip: false })).toEqual({
      decision: 'ok',
      note: 'note \x1b]52;c;eA==\x07 \x1b[2J',
    });
    expect(written()).toContain('note ␛]52;c;eA==␇ ␛[2J\n');
    expect(written()).not.toContain('\x1b');
    prompter.close();
  });
});
