import type { Runbook, StoredInputValue } from '@playbook/domain';
import { refuseIfAborted } from './abort-reason.js';
import { checkGivenValues } from './ask-values.js';
import { identityOf, type ResolvedSettings } from './attempt-context.js';
import {
  DEFAULT_HEARTBEAT_SECONDS,
  DEFAULT_KILL_GRACE_MS,
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_TIMEOUT_SECONDS,
} from './defaults.js';
import type { Engine, EnginePorts, EngineSettings, RunOptions, RunOutcome } from './engine-types.js';
import { isolateListener } from './event-delivery.js';
import { finishRun } from './finish-run.js';
import { planOrder } from './planner.js';
import { recoverStaleRuns } from './recover-stale-run.js';
import { RunSession, type SessionInit } from './run-session.js';

/** Builds an engine over the given ports; settings left out take the defaults of SPEC §5. */
export function createEngine(ports: EnginePorts, settings: EngineSettings = {}): Engine {
  const resolved: ResolvedSettings = {
    defaultTimeoutSeconds: settings.defaultTimeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    maxOutputBytes: settings.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
    killGraceMs: settings.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
    heartbeatSeconds: settings.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS,
  };
  return {
    run: (runbook, options) => startRun(ports, resolved, runbook, options),
    // Loaded when resuming: a program that only starts runs (the CLI's `run`) need not load it (~11 kB).
    resume: async (runbook, options) =>
      (await import('./resume-run.js')).resumeRun(ports, resolved, runbook, options),
  };
}

async function startRun(
  ports: EnginePorts,
  settings: ResolvedSettings,
  runbook: Runbook,
  options: RunOptions,
): Promise<RunOutcome> {
  const plan = planOrder(runbook);
  checkGivenValues(runbook, options.values);
  refuseIfAborted(options.signal, runbook.meta.title);
  const deliver = isolateListener(options.onEvent);
  // Earlier runs of this workflow whose owner died are ended `aborted` first (SPEC §2.5), so the history never
  // shows one as running next to the new run. Only runs still `running` are looked at.
  // Each one is told (`stale-run-recovered`) before the new run's `run-started`.
  await recoverStaleRuns(ports, runbook.meta.title, {
    killGraceMs: settings.killGraceMs,
    onRecovered: deliver,
  });
  const startedAt = ports.clock.now();
  const by = identityOf(ports);
  const runbookHash = runbook.source?.hash ?? null;
  const record = await ports.repository.createRun({
    workflowName: runbook.meta.title,
    startTime: startedAt.toISOString(),
    owner: { host: ports.processTable.host, pid: ports.processTable.pid, processGroup: null },
    runbookHash,
    nodeIds: plan,
    ...storedInputs(runbook, options),
    by,
    session: { kind: 'run', at: startedAt.toISOString(), by, flags: options.flags ?? [], runbookHash },
    ...(runbook.source?.text === undefined ? {} : { runbookText: runbook.source.text }),
  });
  const init: SessionInit = {
    ports,
    settings,
    runbook,
    options,
    run: { workflowName: record.workflowName, runId: record.runId },
    plan,
    statuses: new Map(),
    reasons: new Map(),
    answers: new Map(),
    deliver,
    outputs: new Map(),
  };
  const session = new RunSession(init);
  session.emit({
    type: 'run-started',
    trigger: 'run',
    plan,
    kept: [],
    operator: by,
  });
  return finishRun(session, init, startedAt, () => session.execute(new Set(plan)));
}

/** The inputs to store with the run: a secret one as null, its value never written (SPEC §8.1). */
function storedInputs(runbook: Runbook, options: RunOptions): { inputs?: Record<string, StoredInputValue> } {
  const declared = runbook.inputs ?? [];
  if (declared.length === 0 || options.inputs === undefined) return {};
  const inputs: Record<string, StoredInputValue> = {};
  for (const input of declared) {
    const value = options.inputs[input.name];
    if (input.secret) inputs[input.name] = null;
    else if (value !== undefined) inputs[input.name] = value;
  }
  return { inputs };
}
