import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runbook } from '@playbook/domain';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../engine.js';
import type { EngineEvent } from '../events.js';
import type { ManualAnswer, ManualRequest } from '../ports/prompter.js';
import { FakeFunctionLoader } from '../testing/fake-function-loader.js';
import { buildRunbook, commandNode, functionNode, manualNode } from '../testing/runbook-builder.js';
import { ScriptedPrompter } from '../testing/scripted-prompter.js';
import { createTestPorts } from '../testing/test-ports.js';
import { NodeProcessRunner } from './node-process-runner.js';

// The runner keeps its copy of `process.env` between commands; what this process's own code does to it between
// two commands — a Function step, the prompter, the embedding program before a run — must still reach the next.
const NAME = 'PLAYBOOK_TEST_ENV_CHANGE';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'playbook-env-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  delete process.env[NAME];
});

const show = (id: string, dependsOn: string[]) =>
  commandNode(id, `echo "${id}=\${${NAME}-unset}"`, { dependsOn });

async function run(runbook: Runbook, runner: NodeProcessRunner, prompter = new ScriptedPrompter([])) {
  const printed: string[] = [];
  const ports = createTestPorts({
    processRunner: runner as never,
    prompter,
    functionLoader: new FakeFunctionLoader({
      'env#set': async (params) => {
        process.env[NAME] = String(params.value);
      },
      'env#unset': async () => {
        delete process.env[NAME];
      },
    }),
  });
  const outcome = await createEngine(ports).run(runbook, {
    interactive: true,
    onEvent: (event: EngineEvent) => {
      if (event.type === 'output' && event.stream === 'stdout') printed.push(event.chunk.trim());
    },
  });
  expect(outcome.status).toBe('ok');
  return printed;
}

describe.each(['off', 'eager'] as const)('process.env seen by commands (spawn helper %s)', (spawnHelper) => {
  const source = () => ({ directory: dir });

  it('gives the next command what a Function step set or removed in process.env', async () => {
    const runner = new NodeProcessRunner({ spawnHelper });
    const runbook = buildRunbook(
      [
        show('before', []),
        functionNode('set', 'env#set', { value: 'from a function' }, { dependsOn: ['before'] }),
        show('after-set', ['set']),
        show('again', ['after-set']),
        functionNode('unset', 'env#unset', {}, { dependsOn: ['again'] }),
        show('after-unset', ['unset']),
      ],
      { source: source() },
    );
    expect(await run(runbook, runner)).toEqual([
      'before=unset',
      'after-set=from a function',
      'again=from a function',
      'after-unset=unset',
    ]);
  });

  it('gives the next command what the prompter set in process.env while it asked', async () => {
    const runner = new NodeProcessRunner({ spawnHelper });
    class SettingPrompter extends ScriptedPrompter {
      override async manual(request: ManualRequest): Promise<ManualAnswer> {
        const answer = await super.manual(request);
        process.env[NAME] = 'from the prompter';
        return answer;
      }
    }
    const runbook = buildRunbook(
      [show('before', []), manualNode('ask', { dependsOn: ['before'] }), show('after', ['ask'])],
      {
        source: source(),
      },
    );
    expect(await run(runbook, runner, new SettingPrompter([{ manual: 'ok' }]))).toEqual([
      'before=unset',
      'after=from the prompter',
    ]);
  });

  it('gives a run what the embedding program set in process.env before it, with the same runner', async () => {
    const runner = new NodeProcessRunner({ spawnHelper });
    const runbook = buildRunbook([show('one', []), show('two', ['one'])], { source: source() });
    expect(await run(runbook, runner)).toEqual(['one=unset', 'two=unset']);
    process.env[NAME] = 'between runs';
    expect(await run(runbook, runner)).toEqual(['one=between runs', 'two=between runs']);
  });
});
