import type { Runbook, RunbookNode } from '@playbook/domain';
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import type { EngineEvent } from './events.js';
import type { FailureChoice, FailureRequest, Prompter } from './ports/prompter.js';
import { FakeProcessRunner } from './testing/fake-process-runner.js';
import { buildRunbook, commandNode } from './testing/runbook-builder.js';
import { type ScriptedAnswer, ScriptedPrompter } from './testing/scripted-prompter.js';
import { createTestPorts } from './testing/test-ports.js';

/** A scripted prompter that also keeps what each after-failure question offered. */
class OfferRecorder extends ScriptedPrompter {
  readonly offers: { canSkip: boolean; canOverride: boolean | undefined }[] = [];
  override afterFailure(request: FailureRequest): Promise<FailureChoice> {
    this.offers.push({ canSkip: request.canSkip, canOverride: request.canOverride });
    return super.afterFailure(request);
  }
}

async function run(runbook: Runbook, answers: readonly ScriptedAnswer[], prompter?: Prompter) {
  const recorder = new OfferRecorder(answers);
  const ports = createTestPorts({
    prompter: recorder,
    processRunner: new FakeProcessRunner({ deploy: { exitCode: 1, stderr: 'no route\n' }, after: {} }),
  });
  const events: EngineEvent[] = [];
  const outcome = await createEngine(prompter === undefined ? ports : { ...ports, prompter }).run(runbook, {
    interactive: true,
    onEvent: (event) => events.push(event),
  });
  const state = await ports.repository.loadRun({ workflowName: runbook.meta.title, runId: outcome.runId });
  const attempts = (state?.attempts ?? []).map((a) => ({
    node: `${a.nodeId}#${a.attempt}`,
    status: a.status,
    decision: a.operatorDecision,
    note: a.resultText,
  }));
  return { outcome, attempts, recorder, events };
}

const twoSteps = (deploy: Partial<RunbookNode> = {}) =>
  buildRunbook([
    { ...commandNode('deploy', 'deploy', { critical: true }), ...deploy } as RunbookNode,
    commandNode('after', 'after', { dependsOn: ['deploy'] }),
  ]);

describe('mark ok after a failed attempt (SPEC §9.3)', () => {
  it('records a new attempt ok / override with the note; the failed one gets the decision; dependents run', async () => {
    const { outcome, attempts, recorder, events } = await run(twoSteps(), [
      { afterFailure: 'override' },
      { markOk: '  rolled out by hand from the console  ' },
    ]);
    expect(outcome.status).toBe('ok');
    expect(recorder.offers).toEqual([{ canSkip: false, canOverride: true }]);
    expect(attempts).toEqual([
      { node: 'deploy#1', status: 'nok', decision: 'override', note: null },
      { node: 'deploy#2', status: 'ok', decision: 'override', note: 'rolled out by hand from the console' },
      { node: 'after#1', status: 'ok', decision: null, note: null },
    ]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'prompt', question: 'mark-ok' }));
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'node-finished',
        nodeId: 'deploy',
        attempt: 2,
        operatorDecision: 'override',
      }),
    );
  });

  it('requires a note: an empty one is asked again, three empty ones abort the run', async () => {
    const again = await run(twoSteps(), [
      { afterFailure: 'override' },
      { markOk: ' ' },
      { markOk: 'done by hand' },
    ]);
    expect(again.outcome.status).toBe('ok');
    expect(again.recorder.questions.filter((q) => q.kind === 'mark-ok')).toHaveLength(2);

    const never = await run(twoSteps(), [
      { afterFailure: 'override' },
      { markOk: '' },
      { markOk: '' },
      { markOk: '' },
    ]);
    expect(never.outcome.status).toBe('aborted');
    expect(never.attempts).toEqual([{ node: 'deploy#1', status: 'nok', decision: 'abort', note: null }]);
    expect(never.outcome.failed?.reason).toMatch(/needs a note/);
  });

  it('asks for each declared output of the node', async () => {
    const { outcome, recorder } = await run(
      twoSteps({ outputs: ['image', 'digest'] } as Partial<RunbookNode>),
      [
        { afterFailure: 'override' },
        { markOk: 'pushed by hand', outputs: { image: 'app:1', digest: 'sha256:1' } },
      ],
    );
    expect(outcome.status).toBe('ok');
    expect(recorder.questions).toContainEqual({
      kind: 'mark-ok',
      nodeId: 'deploy',
      attempt: 1,
      outputs: ['image', 'digest'],
    });
  });

  it('stores the given outputs with the override attempt, and who marked it ok; the steps after it read them', async () => {
    const recorder = new OfferRecorder([
      { afterFailure: 'override' },
      { markOk: 'pushed by hand', outputs: { image: 'app:1' } },
    ]);
    const runner = new FakeProcessRunner({ deploy: { exitCode: 1 }, "echo 'app:1'": {} });
    const ports = createTestPorts({
      prompter: recorder,
      processRunner: runner,
      identity: { operator: 'ann', osUser: 'ann@host' },
    });
    const runbook = buildRunbook([
      { ...commandNode('deploy', 'deploy'), outputs: ['image'] } as RunbookNode,
      commandNode('after', 'echo ${{ steps.deploy.outputs.image }}', { dependsOn: ['deploy'] }),
    ]);
    const outcome = await createEngine(ports).run(runbook, { interactive: true });
    expect(outcome.status).toBe('ok');
    const state = await ports.repository.loadRun({ workflowName: runbook.meta.title, runId: outcome.runId });
    const override = state?.attempts.find((a) => a.status === 'ok' && a.operatorDecision === 'override');
    expect(override?.outputs).toEqual({ image: 'app:1' });
    expect(override?.by?.operator).toBe('ann');
    expect(runner.commands).toEqual(['deploy', "echo 'app:1'"]);
  });

  it('is never offered on an approval gate: the gate is never run, so nothing is asked and the run waits', async () => {
    const gate = twoSteps({
      skippable: true,
      critical: false,
      approval: { approvers: ['alice'], min: 1, notStarter: false },
    } as Partial<RunbookNode>);
    const { outcome, recorder, attempts } = await run(gate, [
      { afterFailure: 'override' },
      { afterFailure: 'abort' },
    ]);
    expect(recorder.offers).toEqual([]);
    expect(outcome.status).toBe('waiting');
    expect(outcome.waitingAt?.map((gate) => gate.nodeId)).toEqual(['deploy']);
    expect(attempts).toEqual([]);
  });

  it('is not offered by a prompter that cannot ask the note (no markOk)', async () => {
    const offers: (boolean | undefined)[] = [];
    const prompter: Prompter = {
      manual: () => Promise.reject(new Error('not asked')),
      afterFailure: async (request) => {
        offers.push(request.canOverride);
        return offers.length === 1 ? 'override' : 'abort';
      },
      askValue: () => Promise.reject(new Error('not asked')),
      confirmRepeat: () => Promise.reject(new Error('not asked')),
    };
    const { outcome } = await run(twoSteps(), [], prompter);
    expect(offers).toEqual([false, false]);
    expect(outcome.status).toBe('aborted');
  });
});
