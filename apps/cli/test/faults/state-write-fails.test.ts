import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '@playbook/engine';
import { createNodePorts } from '@playbook/engine/node';
import { buildRunbook, commandNode, InMemoryRunRepository, ScriptedPrompter } from '@playbook/engine/testing';
import { afterEach, describe, expect, it } from 'vitest';

/** A repository whose record of the running command's process group fails (a full disk, a lost lock…). */
class FailingOwnerWrites extends InMemoryRunRepository {
  override async setOwnerProcessGroup(
    ...args: Parameters<InMemoryRunRepository['setOwnerProcessGroup']>
  ): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (args[1] !== null) throw new Error('database or disk is full');
    return super.setOwnerProcessGroup(...args);
  }
}

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

// A state write that fails while a command runs must surface as the run's error once the command ends — not
// as an unhandled promise rejection, which would kill the process with a stack trace mid-command.
describe('a state write that fails while a command is running', () => {
  it('rejects the run with that error; no unhandled rejection', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'playbook-owner-write-'));
    dirs.push(dir);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const runbook = buildRunbook([commandNode('slow', 'sleep 0.3')], {
        source: { path: join(dir, 'x.playbook.toml'), directory: dir },
      });
      const repository = new FailingOwnerWrites();
      const engine = createEngine({
        ...createNodePorts(),
        repository,
        prompter: new ScriptedPrompter([]),
      });
      await expect(engine.run(runbook, { interactive: false })).rejects.toThrow('database or disk is full');
      // Give Node the turn in which it reports unhandled rejections.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  }, 10_000);
});
