import { mkdir, rm } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeSandbox, startCli, waitFor } from './fixtures-run/e2e.js';
import { pidsIn } from './fixtures-run/pids.js';

// SPEC §9.1: an interrupt of steps running together, as the operator and a --json reader are told. The built
// binary, real commands, real SQLite. Apart from parallel.e2e.test.ts, whose tests all run at once: this one
// stops three commands and takes seconds to.

const command = (id: string, line: string, extra = '') =>
  `[${id}]\ntype = "Command"\ncommand_name = ${JSON.stringify(line)}\n${extra}\n`;

describe('an interrupt of steps running together (built binary)', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  it('Ctrl-C while three steps run names all three, in the runbook order, in the banner, the summary and --json', async () => {
    const box = await makeSandbox();
    // The first-declared step takes longest to stop, so it ends last: the summary must not follow the ends.
    const named = (id: string, name: string, line: string) =>
      command(id, line, `name = ${JSON.stringify(name)}`);
    const nodes = [
      named('a', 'First', `trap 'sleep 0.5; exit 1' INT TERM; echo $$ > pids/a; sleep 60 & wait`),
      named('b', 'Second', 'echo $$ > pids/b; exec sleep 60'),
      named('c', 'Third', 'echo $$ > pids/c; exec sleep 60'),
    ].join('\n');
    const file = await box.runbook('three', 'Three', nodes);
    for (const json of [false, true]) {
      await rm(box.path('pids'), { recursive: true, force: true });
      await mkdir(box.path('pids'));
      const args = ['run', file, '--concurrency', '3', '--non-interactive', ...(json ? ['--json'] : [])];
      const run = startCli(box, args);
      await waitFor(
        async () => (await pidsIn(box)).filter((pid) => pid > 0).length === 3,
        'the steps to start',
      );
      run.child.kill('SIGINT');
      const result = await run.done;
      expect(result.code, result.stdout + result.stderr).toBe(130);
      expect(result.stderr).toContain(
        'Interrupted: stopping the 3 running steps "First", "Second" and "Third"… (press Ctrl-C again to quit at once)',
      );
      const human = json ? result.stderr : result.stdout;
      expect(human).toContain('  Stopped at: First (a), Second (b) and Third (c) — interrupted\n');
      if (json) {
        const finished = result.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { type: string; failed?: unknown; stopped?: unknown })
          .find((event) => event.type === 'run-finished');
        expect(finished).toMatchObject({
          failed: { nodeId: 'a', name: 'First', reason: 'interrupted' },
          stopped: ['a', 'b', 'c'].map((nodeId, i) => ({
            nodeId,
            name: ['First', 'Second', 'Third'][i],
            reason: 'interrupted',
          })),
        });
      }
    }
  }, 60_000);
});
