import { ASK_SECRET_PLACEHOLDER } from '@playbook/domain';
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import type { EngineEvent } from './events.js';
import type { OperatorIdentity } from './ports/identity.js';
import { FakeFunctionLoader } from './testing/fake-function-loader.js';
import { FakeProcessRunner } from './testing/fake-process-runner.js';
import { buildRunbook, commandNode, functionNode } from './testing/runbook-builder.js';
import { createTestPorts } from './testing/test-ports.js';

const ALICE: OperatorIdentity = { operator: 'alice', osUser: 'ops@host-a' };
const BOB: OperatorIdentity = { operator: 'bob', osUser: 'bob@host-b' };

describe('who did what (SPEC §10.1)', () => {
  const runbook = buildRunbook(
    [
      commandNode('build', 'make build'),
      functionNode('notify', 'ops#notify', { channel: '#ops', token: ASK_SECRET_PLACEHOLDER }),
    ],
    { source: { text: '[runbook]\ntitle = "Test runbook"\n' } },
  );
  const functions = { 'ops#notify': async () => 'sent' };

  it('records the starter, each attempt’s operator and what it ran, the session and the runbook text', async () => {
    const ports = createTestPorts({
      identity: ALICE,
      processRunner: new FakeProcessRunner({ 'make build': { exitCode: 1 } }),
      functionLoader: new FakeFunctionLoader(functions),
    });
    const events: EngineEvent[] = [];
    const outcome = await createEngine(ports).run(runbook, {
      interactive: false,
      retries: 1,
      env: { DEPLOY_TOKEN: 'not stored' },
      values: { notify: { token: 'sekret-value' } },
      flags: ['--non-interactive', '--retries', '1'],
      onEvent: (event) => events.push(event),
    });
    const state = await ports.repository.loadRun({ workflowName: 'Test runbook', runId: outcome.runId });
    expect(state?.run.startedBy).toEqual({ ...ALICE, dbUser: null });
    expect(state?.sessions).toEqual([
      {
        seq: 1,
        kind: 'run',
        at: '2025-01-01T00:00:00.000Z',
        by: { ...ALICE, dbUser: null },
        flags: ['--non-interactive', '--retries', '1'],
        runbookHash: 'hash-1',
      },
    ]);
    expect(await ports.repository.runbookText('hash-1')).toBe('[runbook]\ntitle = "Test runbook"\n');
    const build = state?.attempts.find((a) => a.nodeId === 'build');
    expect(build?.by).toEqual({ ...ALICE, dbUser: null });
    // The values of the environment are never stored, only the names Playbook set.
    expect(build?.ran).toEqual({
      command: 'make build',
      params: null,
      cwd: '/runbooks',
      envKeys: [
        'DEPLOY_TOKEN',
        'PLAYBOOK_ATTEMPT',
        'PLAYBOOK_NODE_ID',
        'PLAYBOOK_RUN_ID',
        'PLAYBOOK_WORKFLOW',
      ],
    });
    expect(JSON.stringify(state)).not.toContain('not stored');
    // Each event names who drove it: the run, both tries of the build, then notify.
    expect(events.find((e) => e.type === 'run-started')).toMatchObject({ operator: ALICE });
    expect(events.filter((e) => e.type === 'node-started').map((e) => e.operator)).toEqual([
      ALICE,
      ALICE,
      ALICE,
    ]);
  });

  it('stores a Function’s params with its secret values as ***', async () => {
    const ports = createTestPorts({ identity: ALICE, functionLoader: new FakeFunctionLoader(functions) });
    const only = buildRunbook([runbook.nodes[1] as (typeof runbook.nodes)[number]]);
    const outcome = await createEngine(ports).run(only, {
      interactive: false,
      values: { notify: { token: 'sekret-value' } },
    });
    const state = await ports.repository.loadRun({ workflowName: 'Test runbook', runId: outcome.runId });
    expect(state?.attempts[0]?.ran).toEqual({
      command: 'ops#notify',
      params: '{"channel":"#ops","token":"***"}',
      cwd: null,
      envKeys: [],
    });
    expect(JSON.stringify(state)).not.toContain('sekret-value');
  });

  it('records a resume as a second session by whoever resumes, the starter unchanged', async () => {
    const repository = createTestPorts().repository;
    const failing = createTestPorts({
      repository,
      identity: ALICE,
      processRunner: new FakeProcessRunner({ 'make build': { exitCode: 1 } }),
    });
    const first = await createEngine(failing).run(buildRunbook([runbook.nodes[0] as never]), {
      interactive: false,
    });
    const resuming = createTestPorts({
      repository,
      identity: BOB,
      processRunner: new FakeProcessRunner({ 'make build': { exitCode: 0 } }),
    });
    await createEngine(resuming).resume(buildRunbook([runbook.nodes[0] as never]), {
      interactive: false,
      runId: first.runId,
      flags: ['--non-interactive'],
    });
    const state = await repository.loadRun({ workflowName: 'Test runbook', runId: first.runId });
    expect(state?.run.startedBy?.operator).toBe('alice');
    expect(state?.sessions?.map((s) => `${s.kind}:${s.by.operator}:${s.flags.join(' ')}`)).toEqual([
      'run:alice:',
      'resume:bob:--non-interactive',
    ]);
    expect(state?.attempts.map((a) => `${a.attempt}:${a.status}:${a.by?.operator}`)).toEqual([
      '1:nok:alice',
      '2:ok:bob',
    ]);
  });

  it('without an identity port, records nobody claimed on the process table’s host', async () => {
    const ports = createTestPorts({
      processRunner: new FakeProcessRunner({ 'make build': { exitCode: 0 } }),
    });
    const outcome = await createEngine(ports).run(buildRunbook([runbook.nodes[0] as never]), {
      interactive: false,
    });
    const state = await ports.repository.loadRun({ workflowName: 'Test runbook', runId: outcome.runId });
    expect(state?.run.startedBy).toEqual({
      operator: null,
      osUser: `unknown@${ports.processTable.host}`,
      dbUser: null,
    });
  });
});
