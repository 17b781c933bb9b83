import { ASK_SECRET_PLACEHOLDER } from '@playbook/domain';
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import { FakeFunctionLoader } from './testing/fake-function-loader.js';
import { buildRunbook, functionNode, manualNode } from './testing/runbook-builder.js';
import { createTestPorts } from './testing/test-ports.js';

// SPEC §10.1: captured output keeps the order of stdout and stderr lines as they arrived, each with its time,
// and (SPEC §11) only masked text is kept.
describe('the output log of an attempt', () => {
  it('stores both streams in arrival order with the Clock port time of each line, masked; none for a Manual', async () => {
    const ports = createTestPorts({
      answers: [{ value: 's3cr3t' }, { manual: 'ok' }],
      functionLoader: new FakeFunctionLoader({
        talk: (params, context) => {
          context.logger.info('one');
          context.logger.warn(`two ${String(params['token'])}`);
          context.logger.info('three');
          context.logger.error('four');
        },
      }),
    });
    const runbook = buildRunbook([
      functionNode('talk', 'talk', { token: ASK_SECRET_PLACEHOLDER }),
      manualNode('check', { dependsOn: ['talk'] }),
    ]);
    const outcome = await createEngine(ports).run(runbook, { interactive: true });
    const state = await ports.repository.loadRun({ workflowName: runbook.meta.title, runId: outcome.runId });
    const [talk, check] = state?.attempts ?? [];
    const log = talk?.outputLog;
    expect(log?.lines.map((line) => [line.stream, line.text])).toEqual([
      ['stdout', 'one'],
      ['stderr', 'two ***'],
      ['stdout', 'three'],
      ['stderr', 'four'],
    ]);
    expect(log?.dropped).toBeNull();
    // The test clock moves 1 s per reading: each line has its own, in order.
    const times = log?.lines.map((line) => line.time) ?? [];
    expect([...times].sort()).toEqual(times);
    expect(new Set(times).size).toBe(4);
    expect(talk?.stdout).toBe('one\nthree\n');
    expect(talk?.stderr).toBe('two ***\nfour\n');
    expect(check?.outputLog ?? null).toBeNull();
  });
});
