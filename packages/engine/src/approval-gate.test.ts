import type { ManualNode, OperatorIdentity, RunbookNode } from '@playbook/domain';
import { describe, expect, it } from 'vitest';
import { decideGate } from './approval-gate.js';
import { createEngine } from './engine.js';
import type { EngineEvent } from './events.js';
import { FakeProcessRunner } from './testing/fake-process-runner.js';
import { buildRunbook, commandNode, manualNode } from './testing/runbook-builder.js';
import { createTestPorts } from './testing/test-ports.js';

const gate = (options: Partial<ManualNode> = {}): ManualNode => ({
  ...manualNode('gate', { dependsOn: ['build'] }),
  approval: { approvers: ['alice', 'bob'], min: 1, notStarter: true },
  ...options,
});

const runbook = (...extra: RunbookNode[]) =>
  buildRunbook([
    commandNode('build', 'build'),
    gate(),
    commandNode('ship', 'ship', { dependsOn: ['gate'] }),
    commandNode('notes', 'notes'),
    ...extra,
  ]);

const who = (operator: string): OperatorIdentity => ({ operator, osUser: `${operator}@host` });

function ports(processes: ConstructorParameters<typeof FakeProcessRunner>[0] = {}) {
  const runner = new FakeProcessRunner({ build: {}, ship: {}, notes: {}, ...processes });
  return createTestPorts({ processRunner: runner, identity: who('dave') });
}

describe('approval gates in a run (SPEC §10.2)', () => {
  it('stops at a gate without an attempt: independent steps finish first, the run ends waiting', async () => {
    const test = ports();
    const events: EngineEvent[] = [];
    const outcome = await createEngine(test).run(runbook(), {
      interactive: true,
      onEvent: (event) => events.push(event),
    });
    expect(outcome.status).toBe('waiting');
    expect(outcome.waitingAt).toEqual([{ nodeId: 'gate', name: 'gate' }]);
    const state = await test.repository.loadRun({ workflowName: 'Test runbook', runId: 1 });
    expect(state?.run.status).toBe('waiting');
    expect(state?.attempts.map((a) => `${a.nodeId}:${a.status}`)).toEqual(['build:ok', 'notes:ok']);
    expect(events.filter((e) => e.type === 'waiting').map((e) => (e as { nodeId: string }).nodeId)).toEqual([
      'gate',
    ]);
    // No node after the gate is reported blocked: it waits with it.
    expect(events.some((e) => e.type === 'node-blocked')).toBe(false);
  });

  it('with parallel branches too: the gate waits, its dependents wait with it, the others finish', async () => {
    const test = ports();
    const events: EngineEvent[] = [];
    const outcome = await createEngine(test).run(runbook(), {
      interactive: false,
      concurrency: 3,
      onEvent: (event) => events.push(event),
    });
    expect(outcome.status).toBe('waiting');
    const state = await test.repository.loadRun({ workflowName: 'Test runbook', runId: 1 });
    expect(state?.attempts.map((a) => `${a.nodeId}:${a.status}`).sort()).toEqual(['build:ok', 'notes:ok']);
    expect(events.some((e) => e.type === 'node-blocked')).toBe(false);
  });

  it('a critical nok takes precedence over waiting', async () => {
    const test = ports({ notes: { exitCode: 2 } });
    const book = buildRunbook([
      commandNode('build', 'build'),
      gate(),
      commandNode('notes', 'notes', { critical: true }),
    ]);
    const outcome = await createEngine(test).run(book, { interactive: false });
    expect(outcome.status).toBe('nok');
  });

  it('resume before a decision is refused with APPROVAL_PENDING naming who may approve; after it, the run goes on', async () => {
    const test = ports();
    const engine = createEngine(test);
    const book = runbook();
    await engine.run(book, { interactive: false });
    await expect(engine.resume(book, { interactive: false })).rejects.toMatchObject({
      code: 'APPROVAL_PENDING',
      message: expect.stringContaining('"gate" waits for approval by alice, bob'),
    });
    const state = await test.repository.loadRun({ workflowName: 'Test runbook', runId: 1 });
    const decide = (operator: string) =>
      decideGate(test, {
        runbook: book,
        state: state as NonNullable<typeof state>,
        decision: 'approve',
        note: null,
        by: who(operator),
        flags: [],
      });
    await expect(decide('dave')).rejects.toMatchObject({ code: 'APPROVAL_REFUSED' });
    await expect(decide('mallory')).rejects.toThrow(
      'mallory may not decide "gate": its approvers are alice, bob',
    );
    const decided = await decide('alice@laptop');
    expect(decided.outcome).toEqual({ kind: 'recorded', gate: 'approved', approvers: ['alice'] });
    const outcome = await engine.resume(book, { interactive: false });
    expect(outcome.status).toBe('ok');
    // bob read the run while the gate waited; alice opened it and the run went on meanwhile: refused, saying so.
    await expect(decide('bob')).rejects.toThrow(
      'run 1 of "Test runbook" is not waiting for an approval any more (it is ok): "gate" was already approved by alice',
    );
  });
});
