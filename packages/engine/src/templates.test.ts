import type { Runbook } from '@playbook/domain';
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import type { RunOptions } from './engine-types.js';
import type { EngineEvent } from './events.js';
import { FakeFunctionLoader } from './testing/fake-function-loader.js';
import { FakeProcessRunner } from './testing/fake-process-runner.js';
import { buildRunbook, commandNode, functionNode, manualNode } from './testing/runbook-builder.js';
import { createTestPorts, type TestPorts } from './testing/test-ports.js';

async function runWith(runbook: Runbook, setup: Partial<TestPorts>, options: Partial<RunOptions> = {}) {
  const ports = createTestPorts(setup);
  const events: EngineEvent[] = [];
  const outcome = await createEngine(ports).run(runbook, {
    interactive: false,
    onEvent: (event) => events.push(event),
    ...options,
  });
  const state = await ports.repository.loadRun({ workflowName: runbook.meta.title, runId: outcome.runId });
  return { outcome, events, state };
}

const withInputs = (runbook: Runbook): Runbook => ({
  ...runbook,
  inputs: [
    { name: 'env', type: 'string', secret: false },
    { name: 'count', type: 'integer', secret: false },
  ],
});

describe('templates at run time (SPEC §8.2)', () => {
  it('renders command lines shell-quoted, env, description and typed function params as each node starts', async () => {
    const processRunner = new FakeProcessRunner({
      "deploy 'it'\\''s; rm x' '3'": { exitCode: 0 },
      "after 'ok'": { exitCode: 0 },
    });
    const seen: unknown[] = [];
    const functionLoader = new FakeFunctionLoader({
      './f.mjs#f': (params: unknown) => {
        seen.push(params);
      },
    });
    const runbook = withInputs(
      buildRunbook([
        {
          ...commandNode('deploy', 'deploy ${{ inputs.env }} ${{ inputs.count }}', {
            description: 'to ${{ inputs.env }}',
          }),
          env: { TARGET: '${{ inputs.env }}-${{ run.id }}' },
        },
        commandNode('after', 'after ${{ steps.deploy.status }}', { dependsOn: ['deploy'] }),
        functionNode(
          'f',
          './f.mjs#f',
          { n: '${{ inputs.count * 2 }}', s: 'n=${{ inputs.count }}' },
          {
            dependsOn: ['after'],
          },
        ),
      ]),
    );
    const { outcome, events } = await runWith(
      runbook,
      { processRunner, functionLoader },
      { inputs: { env: "it's; rm x", count: 3 } },
    );
    expect(outcome.failed).toEqual(null);
    expect(processRunner.requests[0]?.env?.['TARGET']).toBe("it's; rm x-1");
    expect(seen).toEqual([{ n: 6, s: 'n=3' }]);
    expect(events.find((event) => event.type === 'node-started')).toMatchObject({
      description: "to it's; rm x",
    });
  });

  it('a template that fails at run time ends the attempt nok with its message, never retried', async () => {
    const processRunner = new FakeProcessRunner({ a: { exitCode: 0 } });
    const runbook = buildRunbook([
      commandNode('a', 'a'),
      manualNode('b', { prompt: '${{ steps.a.outputs.nope }}', dependsOn: ['a'] }),
    ]);
    const { outcome, state } = await runWith(runbook, { processRunner }, { retries: 3 });
    expect(outcome.status).toBe('nok');
    const attempts = state?.attempts.filter((attempt) => attempt.nodeId === 'b') ?? [];
    expect(attempts).toHaveLength(1);
    expect(attempts[0]?.status).toBe('nok');
    expect(attempts[0]?.exception).toContain('step `a` has no output `nope`');
  });

  it('a runbook without templates runs its nodes as they are', async () => {
    const processRunner = new FakeProcessRunner({ 'echo ${HOME} {{ x }}': { exitCode: 0 } });
    const runbook = buildRunbook([commandNode('a', 'echo ${HOME} {{ x }}')]);
    const { outcome } = await runWith(runbook, { processRunner });
    expect(outcome.status).toBe('ok');
    expect(processRunner.requests[0]?.command).toBe('echo ${HOME} {{ x }}');
  });
});
