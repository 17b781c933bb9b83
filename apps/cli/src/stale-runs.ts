import type { Clock, RunRecord, StaleRunRecoveredEvent } from '@playbook/engine';
import { staleRunNote } from './stale-run-note.js';
import type { RunStore } from './state-store.js';

export interface RecoverStaleRunsInput {
  /** The history as `show` / `info` opened it: read-only. */
  readonly repository: RunStore;
  /** Opens the same state file for writing; called only when a run needs recovering. */
  readonly openWritable: () => Promise<RunStore>;
  /** Only this workflow's runs; all when omitted. */
  readonly workflowName?: string;
  /** Writes one line on stderr. */
  readonly note: (line: string) => void;
  /** The command's clock: the end time written for a recovered run and its attempts. */
  readonly clock: Clock;
}

/**
 * Ends `aborted` the runs that are `running` but whose owner is gone (SPEC §2.5: "a later command finds the run
 * running with its owner gone"), so `show` and `info` never report a dead run as running. Looking costs one
 * read of the running runs; the state file is opened for writing only when one of them is stale. A run owned
 * by a live process, or by another host, stays as it is. When the file cannot be written (a read-only state
 * file or folder: not even tried), the history is shown as recorded and a note says why.
 */
export async function recoverStaleRunsForHistory(input: RecoverStaleRunsInput): Promise<void> {
  const running = await input.repository.listRunningRuns(input.workflowName);
  if (running.length === 0) return;

  const { recoverStaleRuns, ownerLiveness, NodeProcessTable } = await import('./stale-run-engine.js');
  const processTable = new NodeProcessTable();
  const stale: RunRecord[] = [];
  for (const run of running) {
    // An owner on another host is judged by its lease, when the history keeps one (PostgreSQL).
    if ((await ownerLiveness(run, { repository: input.repository, processTable })) === 'stale')
      stale.push(run);
  }
  if (stale.length === 0) return;
  const runs = stale.map((run) => describe(run)).join(', ');
  if (input.repository.writable === false) {
    // Opening it for writing would fail anyway, and must not be tried on a history someone made read-only.
    input.note(
      `note: ${runs} left running by a process that is gone; the state file is read-only, so the history is shown as recorded`,
    );
    return;
  }

  const recovered: StaleRunRecoveredEvent[] = [];
  try {
    const writable = await input.openWritable();
    try {
      const ports = { repository: writable, processTable, clock: input.clock };
      await recoverStaleRuns(ports, input.workflowName, { onRecovered: (event) => recovered.push(event) });
    } finally {
      await writable.close();
    }
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
    input.note(
      `note: ${runs} left running by a process that is gone, but cannot be recorded as aborted: ${reason}`,
    );
    return;
  }
  for (const event of recovered) input.note(staleRunNote(event));
}

function describe(run: RunRecord): string {
  return `run ${run.runId} of "${run.workflowName}"`;
}
