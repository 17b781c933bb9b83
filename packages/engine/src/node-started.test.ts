import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import type { CommandRequest, CommandResult, ProcessRunner } from './ports/process-runner.js';
import { buildRunbook, commandNode } from './testing/runbook-builder.js';
import { createTestPorts } from './testing/test-ports.js';

/**
 * A runner that notes, in one list with the run's events, when it was called and when it asked for the command
 * (`onSpawning`), and prints a line. `calls`: whether it says it calls `onSpawning`, and whether it does.
 */
class NotingRunner implements ProcessRunner {
  readonly callsOnSpawning: boolean;
  constructor(
    readonly notes: string[],
    says: boolean,
    readonly calls: boolean,
  ) {
    this.callsOnSpawning = says;
  }

  async run(request: CommandRequest): Promise<CommandResult> {
    this.notes.push('runner called');
    if (this.calls) {
      this.notes.push('spawning');
      request.onSpawning?.();
      this.notes.push('spawn requested');
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
    request.onOutput('stdout', 'hello\n');
    return { exitCode: 0, timedOut: false, aborted: false, stdout: 'hello\n', stderr: '' };
  }
}

async function notesOf(says: boolean, calls: boolean): Promise<string[]> {
  const notes: string[] = [];
  const processRunner = new NotingRunner(notes, says, calls);
  const engine = createEngine({ ...createTestPorts(), processRunner });
  const outcome = await engine.run(buildRunbook([commandNode('a', 'echo hello')]), {
    interactive: false,
    onEvent: (event) => {
      if (event.type !== 'run-started' && event.type !== 'run-finished') notes.push(event.type);
    },
  });
  expect(outcome.status).toBe('ok');
  return notes;
}

describe("a command's node-started event", () => {
  it.each([
    // Told once the runner has asked for the command: the listener's work overlaps the fork.
    [true, true, ['runner called', 'spawning', 'node-started', 'spawn requested', 'output', 'node-finished']],
    // Before the output and the end all the same when a runner that said so does not call it.
    [true, false, ['runner called', 'node-started', 'output', 'node-finished']],
    // Before the runner is called otherwise, as always.
    [false, false, ['node-started', 'runner called', 'output', 'node-finished']],
    [
      false,
      true,
      ['node-started', 'runner called', 'spawning', 'spawn requested', 'output', 'node-finished'],
    ],
  ])('runner says it calls onSpawning: %s, calls it: %s', async (says, calls, expected) => {
    expect(await notesOf(says, calls)).toEqual(expected);
  });
});
