import { readFileSync } from 'node:fs';
import type { Runbook, RunbookNode } from '@playbook/domain';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import { planRun } from './plan-run.js';
import { PLAN_SCHEMA_PATH, PlanSchema, renderPlanJsonSchema } from './plan-schema.js';
import { findResumeRun } from './resume-checks.js';
import { FakeProcessRunner } from './testing/fake-process-runner.js';
import { buildRunbook, commandNode, functionNode, manualNode } from './testing/runbook-builder.js';
import { createTestPorts } from './testing/test-ports.js';

const withInputs = (runbook: Runbook): Runbook => ({
  ...runbook,
  inputs: [
    { name: 'env', type: 'string', secret: false },
    { name: 'count', type: 'integer', secret: false },
    { name: 'token', type: 'string', secret: true },
  ],
});

/** A node with the v2 fields of SPEC §8.4 (`when`, `runIf`, `retry`, …) a plan shows. */
const withFields = (node: RunbookNode, fields: Record<string, unknown>): RunbookNode =>
  ({ ...node, ...fields }) as RunbookNode;

describe('planRun (SPEC §9.2)', () => {
  it('the committed JSON Schema is up to date (run `pnpm --filter @playbook/engine generate:schema`)', () => {
    const committed = readFileSync(new URL(`../../../${PLAN_SCHEMA_PATH}`, import.meta.url), 'utf8');
    expect(committed).toBe(renderPlanJsonSchema());
  });

  it('lists every node in run order with its kind, command, prompt, call, limits — a valid plan document', async () => {
    const runbook = buildRunbook([
      manualNode('approve', { prompt: 'Go?', dependsOn: ['build'], critical: true }),
      commandNode('build', 'make all', { timeout: 60, description: 'Build it' }),
      functionNode(
        'notify',
        'playbook:notify',
        { message: 'done', n: 3 },
        {
          dependsOn: ['approve'],
          skippable: true,
        },
      ),
    ]);
    const plan = await planRun(runbook, { defaultTimeoutSeconds: 120 });
    expect(Value.Errors(PlanSchema, plan)).toEqual([]);
    expect(plan).toMatchObject({ schemaVersion: 1, workflow: 'Test runbook', mode: 'run', resume: null });
    expect(plan.steps.map((step) => [step.position, step.nodeId, step.kind, step.action])).toEqual([
      [1, 'build', 'Command', 'run'],
      [2, 'approve', 'Manual', 'run'],
      [3, 'notify', 'Function', 'run'],
    ]);
    const [build, approve, notify] = plan.steps;
    expect(build).toMatchObject({
      command: 'make all',
      description: 'Build it',
      timeoutSeconds: 60,
      condition: { decision: 'runs', expression: null, reason: null },
      runIf: 'success',
      retry: null,
      previousStatus: null,
    });
    expect(approve).toMatchObject({ prompt: 'Go?', critical: true, timeoutSeconds: null, command: null });
    expect(notify).toMatchObject({
      function: { name: 'playbook:notify', params: { message: 'done', n: 3 } },
      skippable: true,
      timeoutSeconds: 120,
      dependsOn: ['approve'],
    });
  });

  it('renders templates from the known inputs (shell-quoted in commands); the rest stays as written', async () => {
    const runbook = withInputs(
      buildRunbook([
        withFields(
          commandNode('deploy', 'deploy ${{ inputs.env }} --n ${{ inputs.count * 2 }} --run ${{ run.id }}', {
            description: 'to ${{ inputs.env }}',
          }),
          { env: { TOKEN: '${{ inputs.token }}', PREV: '${{ steps.deploy.status }}' } },
        ),
        functionNode(
          'notify',
          'playbook:notify',
          { count: '${{ inputs.count }}', text: 'hi ${{ inputs.env }}', asked: '${ask}' },
          { dependsOn: ['deploy'] },
        ),
      ]),
    );
    const plan = await planRun(runbook, {
      inputs: { env: "it's prod", count: 3, token: 's3cr3t-value' },
    });
    const [deploy, notify] = plan.steps;
    expect(deploy?.command).toBe("deploy 'it'\\''s prod' --n '6' --run ${{ run.id }}");
    expect(deploy?.description).toBe("to it's prod");
    expect(deploy?.env).toEqual({ TOKEN: '***', PREV: '${{ steps.deploy.status }}' });
    expect(deploy?.unresolved).toEqual(['${{ run.id }}', '${{ steps.deploy.status }}']);
    expect(notify?.function?.params).toEqual({ count: 3, text: "hi it's prod", asked: '${ask}' });
    expect(plan.inputs).toEqual([
      { name: 'env', type: 'string', known: true, value: "it's prod", secret: false },
      { name: 'count', type: 'integer', known: true, value: 3, secret: false },
      { name: 'token', type: 'string', known: true, value: '***', secret: true },
    ]);
    expect(JSON.stringify(plan)).not.toContain('s3cr3t-value');
  });

  it('an input without a value leaves what reads it for run time', async () => {
    const runbook = withInputs(buildRunbook([commandNode('deploy', 'deploy ${{ inputs.env }}')]));
    const plan = await planRun(runbook, { inputs: { count: 1 } });
    expect(plan.steps[0]?.command).toBe('deploy ${{ inputs.env }}');
    expect(plan.inputs[0]).toEqual({ name: 'env', type: 'string', known: false, value: null, secret: false });
  });

  it('decides `when` where every value it reads is known: runs, skipped, or decided at run time', async () => {
    const runbook = withInputs(
      buildRunbook([
        withFields(commandNode('a', 'a'), { when: 'inputs.env == "prod"' }),
        withFields(commandNode('b', 'b'), { when: 'inputs.count > 5' }),
        withFields(commandNode('c', 'c', { dependsOn: ['a'] }), { when: 'steps.a.status == "ok"' }),
        withFields(commandNode('d', 'd'), { when: 'run.id > 1' }),
        withFields(commandNode('e', 'e'), { when: 'inputs.env' }),
        withFields(commandNode('f', 'f'), { when: 'run.operator == "ann"' }),
      ]),
    );
    const plan = await planRun(runbook, { inputs: { env: 'prod', count: 2 } });
    const conditions = Object.fromEntries(plan.steps.map((step) => [step.nodeId, step.condition]));
    expect(conditions['a']).toEqual({ decision: 'runs', expression: 'inputs.env == "prod"', reason: null });
    expect(conditions['b']).toEqual({ decision: 'skipped', expression: 'inputs.count > 5', reason: null });
    expect(conditions['c']).toMatchObject({ decision: 'decided at run time', reason: 'it reads steps.a' });
    expect(conditions['d']).toMatchObject({ decision: 'decided at run time', reason: 'it reads run.id' });
    expect(conditions['e']).toMatchObject({ decision: 'decided at run time' });
    expect(plan.steps[4]?.problems).toEqual(['when: it gives string, not a boolean']);
    expect(conditions['f']).toMatchObject({
      decision: 'decided at run time',
      reason: 'it reads run.operator',
    });
    const known = await planRun(runbook, { inputs: { env: 'prod', count: 2 }, operator: 'ann' });
    expect(known.steps[5]?.condition?.decision).toBe('runs');
  });

  it('shows run_if, the retry policy and the expected duration where the runbook has them', async () => {
    const runbook = buildRunbook([
      withFields(commandNode('a', 'a'), {
        retry: { attempts: 3, delay: 5, backoff: 2, exitCodes: [75] },
        expectedDuration: 30,
      }),
      withFields(commandNode('rollback', 'r', { dependsOn: ['a'] }), { runIf: 'failure' }),
    ]);
    const plan = await planRun(runbook);
    expect(plan.steps[0]).toMatchObject({
      retry: { attempts: 3, delaySeconds: 5, backoff: 2, exitCodes: [75] },
      expectedDurationSeconds: 30,
    });
    expect(plan.steps[1]?.runIf).toBe('failure');
  });

  it('run_if: a failure step is decided at run time in a new run, and so is a success step after it', async () => {
    const runbook = buildRunbook([
      commandNode('deploy', 'deploy'),
      withFields(commandNode('rollback', 'rollback', { dependsOn: ['deploy'] }), { runIf: 'failure' }),
      commandNode('page', 'page', { dependsOn: ['rollback'] }),
      withFields(commandNode('quiet', 'quiet', { dependsOn: ['deploy'] }), {
        runIf: 'failure',
        when: 'false',
      }),
      withFields(commandNode('cleanup', 'cleanup', { dependsOn: ['rollback'] }), { runIf: 'always' }),
    ]);
    const plan = await planRun(runbook);
    expect(Object.fromEntries(plan.steps.map((step) => [step.nodeId, step.condition]))).toEqual({
      deploy: { decision: 'runs', expression: null, reason: null },
      rollback: {
        decision: 'decided at run time',
        expression: null,
        reason: 'run_if = "failure": it runs only if a step it depends on ends nok',
      },
      page: {
        decision: 'decided at run time',
        expression: null,
        reason: 'a step it depends on may be skipped by its run_if',
      },
      quiet: { decision: 'skipped', expression: 'false', reason: null },
      cleanup: { decision: 'runs', expression: null, reason: null },
    });
  });

  it('run_if on a resume: decided from the kept steps, as the engine decides it', async () => {
    const runbook = buildRunbook([
      commandNode('deploy', 'deploy'),
      withFields(commandNode('rollback', 'rollback', { dependsOn: ['deploy'] }), { runIf: 'failure' }),
      commandNode('page', 'page', { dependsOn: ['rollback'] }),
    ]);
    const state = (deploy: 'ok' | 'nok') => ({
      run: {
        workflowName: runbook.meta.title,
        runId: 4,
        startTime: '2025-01-01T00:00:00.000Z',
        endTime: '2025-01-01T00:01:00.000Z',
        status: 'aborted' as const,
        nodesOk: 0,
        nodesNok: 0,
        nodesSkipped: 0,
        trigger: 'run' as const,
        owner: null,
        runbookHash: 'hash-1',
        nodeIds: ['deploy', 'rollback', 'page'],
      },
      attempts: [attempt('deploy', deploy)],
      answers: {},
    });
    // deploy kept ok: the rollback's run_if can no longer be met, and the step after it is skipped the same way.
    const kept = await planRun(runbook, { resume: { state: state('ok') } });
    expect(kept.steps.map((step) => [step.nodeId, step.action, step.condition?.decision ?? null])).toEqual([
      ['deploy', 'keep', null],
      ['rollback', 'run', 'skipped'],
      ['page', 'run', 'skipped'],
    ]);
    expect(kept.steps[1]?.condition?.reason).toBe('run_if = "failure": no step it depends on ended nok');
    // deploy kept nok (the rollback re-run alone): the rollback runs, the step after it too.
    const failed = await planRun(runbook, {
      resume: { state: state('nok'), fromNode: 'rollback', rerun: 'only' },
    });
    expect(failed.steps[1]?.condition?.decision).toBe('runs');
  });

  it('run_if on a resume: a step after one its run_if skipped in the history is skipped, as the engine skips it', async () => {
    const runbook = buildRunbook([
      commandNode('deploy', 'deploy'),
      withFields(commandNode('rollback', 'rollback', { dependsOn: ['deploy'] }), { runIf: 'failure' }),
      commandNode('page', 'page', { dependsOn: ['rollback'] }),
      commandNode('check', 'check'),
    ]);
    const ports = createTestPorts({
      processRunner: new FakeProcessRunner({ deploy: { exitCode: 0 }, check: { exitCode: 1 } }),
    });
    const engine = createEngine(ports);
    await engine.run(runbook, { interactive: false });
    const state = await findResumeRun(ports.repository, runbook.meta.title, 1);
    const resume = { runId: 1, fromNode: 'page', rerun: 'only' } as const;
    const plan = await planRun(runbook, { resume: { state, ...resume } });
    expect(plan.steps.find((step) => step.nodeId === 'page')?.condition).toEqual({
      decision: 'skipped',
      expression: null,
      reason: 'a step it depends on was skipped by its run_if',
    });
    await engine.resume(runbook, { interactive: false, ...resume });
    const after = await ports.repository.loadRun({ workflowName: runbook.meta.title, runId: 1 });
    expect(after?.attempts.filter((a) => a.nodeId === 'page').map((a) => a.operatorDecision)).toEqual([
      'run_if',
      'run_if',
    ]);
  });

  it('a failure step after one a false `when` skips is skipped for certain, not decided at run time', async () => {
    const runbook = buildRunbook([
      withFields(commandNode('deploy', 'deploy'), { when: 'false' }),
      withFields(commandNode('rollback', 'rollback', { dependsOn: ['deploy'] }), { runIf: 'failure' }),
    ]);
    const plan = await planRun(runbook);
    expect(plan.steps[1]?.condition).toEqual({
      decision: 'skipped',
      expression: null,
      reason: 'run_if = "failure": no step it depends on ended nok',
    });
  });

  it('a resume keeps the steps that ended ok or skipped and runs the others, as resume does', async () => {
    const runbook = buildRunbook([
      commandNode('build', 'build'),
      commandNode('test', 'test', { dependsOn: ['build'] }),
      commandNode('deploy', 'deploy', { dependsOn: ['test'] }),
      commandNode('again', 'again', { repeatable: true }),
    ]);
    const ports = createTestPorts({
      processRunner: new FakeProcessRunner({
        build: { exitCode: 0 },
        test: { exitCode: 1 },
        again: { exitCode: 0 },
      }),
    });
    await createEngine(ports).run(runbook, { interactive: false });
    const state = await findResumeRun(ports.repository, runbook.meta.title, undefined);
    const plan = await planRun(runbook, { resume: { state } });
    expect(Value.Errors(PlanSchema, plan)).toEqual([]);
    expect(plan.mode).toBe('resume');
    expect(plan.resume).toMatchObject({ runId: 1, status: 'nok', node: null, rerun: null, changes: null });
    expect(plan.steps.map((step) => [step.nodeId, step.action, step.previousStatus])).toEqual([
      ['build', 'keep', 'ok'],
      ['test', 'run', 'nok'],
      ['deploy', 'run', 'pending'],
      ['again', 'ask', 'ok'],
    ]);
    expect(plan.steps[0]?.condition).toBeNull();

    const only = await planRun(runbook, { resume: { state, fromNode: 'build', rerun: 'only' } });
    expect(only.steps.filter((step) => step.action === 'run').map((step) => step.nodeId)).toEqual(['build']);
    const down = await planRun(runbook, { resume: { state, fromNode: 'build', rerun: 'downstream' } });
    expect(down.steps.filter((step) => step.action === 'run').map((step) => step.nodeId)).toEqual([
      'build',
      'test',
      'deploy',
    ]);
    expect(down.resume).toMatchObject({ node: 'build', rerun: 'downstream' });
    // A step re-run alone after a failed one it needs cannot run: the engine blocks it, and the plan says so.
    const blocked = await planRun(runbook, { resume: { state, fromNode: 'deploy', rerun: 'only' } });
    expect(blocked.steps[2]?.condition).toEqual({
      decision: 'blocked',
      expression: null,
      reason: 'it needs "test", which is kept nok',
    });
    expect(Value.Errors(PlanSchema, blocked)).toEqual([]);
    const from = await planRun(runbook, { resume: { state, fromNode: 'test' } });
    expect(from.steps.filter((step) => step.action === 'run').map((step) => step.nodeId)).toEqual([
      'test',
      'deploy',
      'again',
    ]);
  });

  it('a resume reads the kept steps’ status and outputs in conditions and templates', async () => {
    const runbook = buildRunbook([
      { ...commandNode('build', 'build'), outputs: ['image'] },
      withFields(commandNode('deploy', 'deploy ${{ steps.build.outputs.image }}', { dependsOn: ['build'] }), {
        when: 'steps.build.status == "ok"',
      }),
    ]);
    const state = {
      run: {
        workflowName: runbook.meta.title,
        runId: 4,
        startTime: '2025-01-01T00:00:00.000Z',
        endTime: '2025-01-01T00:01:00.000Z',
        status: 'nok' as const,
        nodesOk: 1,
        nodesNok: 1,
        nodesSkipped: 0,
        trigger: 'run' as const,
        owner: null,
        runbookHash: 'other-hash',
        nodeIds: ['build', 'deploy', 'gone'],
      },
      attempts: [attempt('build', 'ok', { image: 'app:1.2' }), attempt('deploy', 'nok')],
      answers: {},
    };
    const plan = await planRun(runbook, { resume: { state } });
    expect(plan.steps[1]).toMatchObject({
      command: "deploy 'app:1.2'",
      condition: { decision: 'runs', expression: 'steps.build.status == "ok"' },
      unresolved: [],
    });
    expect(plan.resume?.changes).toEqual({ added: [], removed: ['gone'], changed: null });
  });

  it('refuses what resume refuses: an ok run without re-run, a re-run of an ok run without its id, an unknown node', async () => {
    const runbook = buildRunbook([commandNode('build', 'build')]);
    const ports = createTestPorts({ processRunner: new FakeProcessRunner({ build: { exitCode: 0 } }) });
    await createEngine(ports).run(runbook, { interactive: false });
    const state = await findResumeRun(ports.repository, runbook.meta.title, 1);
    await expect(planRun(runbook, { resume: { state, runId: 1 } })).rejects.toThrow(
      'run 1 of "Test runbook" ended ok: there is nothing to resume',
    );
    await expect(planRun(runbook, { resume: { state, fromNode: 'build', rerun: 'only' } })).rejects.toThrow(
      'needs its run id',
    );
    await expect(planRun(runbook, { resume: { state, runId: 1, rerun: 'only' } })).rejects.toThrow(
      're-running steps (only) needs the node to start from',
    );
    await expect(
      planRun(runbook, { resume: { state, runId: 1, fromNode: 'ghost', rerun: 'only' } }),
    ).rejects.toThrow('node "ghost" is not in the runbook');
    const ok = await planRun(runbook, { resume: { state, runId: 1, fromNode: 'build', rerun: 'only' } });
    expect(ok.resume?.notes).toEqual(['run 1 ended ok: the resume needs --reason <text>, which is recorded']);
    await expect(findResumeRun(ports.repository, runbook.meta.title, undefined)).rejects.toThrow(
      'has no run to resume',
    );
  });
});

function attempt(nodeId: string, status: 'ok' | 'nok', outputs?: Record<string, string>) {
  return {
    workflowName: 'Test runbook',
    runId: 4,
    nodeId,
    attempt: 1,
    startTime: '2025-01-01T00:00:00.000Z',
    endTime: '2025-01-01T00:00:01.000Z',
    status,
    operatorDecision: null,
    resultText: null,
    exitCode: status === 'ok' ? 0 : 1,
    exception: null,
    stdout: null,
    stderr: null,
    durationMs: 1000,
    ...(outputs === undefined ? {} : { outputs }),
  };
}
