import { identityOf } from './attempt-context.js';
import type { RunOutcome } from './engine-types.js';
import { countNodes } from './node-statuses.js';
import type { RunSession, SessionEnd, SessionInit } from './run-session.js';

/**
 * Runs `work` and writes the run as finished with its counts, then emits `run-finished`. When a port throws
 * midway, the attempt it left `running` is written `nok` and the run `aborted` (best effort), so that the run
 * does not look driven by a live process; when even that cannot be written, the run is left `running` under
 * this process, for any later command to recover once it is gone (see `RunSession.endUnfinished`).
 */
export async function finishRun(
  session: RunSession,
  init: SessionInit,
  startedAt: Date,
  work: () => Promise<SessionEnd>,
): Promise<RunOutcome> {
  const { run } = init;
  let end: SessionEnd;
  try {
    end = await work();
  } catch (error) {
    // Never an `aborted` run with an attempt still `running` under it: `show` would report it running.
    if (await session.endUnfinished(error)) await writeEnd(init, 'aborted').catch(() => {});
    throw error;
  }
  const { counts, endedAt } = await writeEnd(init, end.status);
  const { stopped } = session;
  // An interrupt stops every step running at once: the first of them in the runbook's order stands for them,
  // not whichever happened to end first.
  const failed =
    end.interrupted && end.failed !== null && stopped.some((step) => step.nodeId === end.failed?.nodeId)
      ? (stopped[0] ?? end.failed)
      : end.failed;
  session.emit({
    type: 'run-finished',
    status: end.status,
    counts,
    durationMs: Math.max(0, endedAt.getTime() - startedAt.getTime()),
    failed,
    stopped,
  });
  const waitingAt = end.status === 'waiting' ? { waitingAt: session.waitingAt } : {};
  return { workflowName: run.workflowName, runId: run.runId, ...end, failed, counts, ...waitingAt };
}

async function writeEnd(init: SessionInit, status: SessionEnd['status']) {
  // Counted over the runbook as it is now: nodes removed from the file since the run started are ignored.
  const counts = countNodes(
    init.runbook.nodes.map((node) => node.id),
    init.statuses,
  );
  const endedAt = init.ports.clock.now();
  await init.ports.repository.finishRun(init.run, {
    status,
    endTime: endedAt.toISOString(),
    nodesOk: counts.ok,
    nodesNok: counts.nok,
    nodesSkipped: counts.skipped,
    by: identityOf(init.ports),
  });
  return { counts, endedAt };
}
