import type { StaleRunRecoveredEvent } from '@playbook/engine';
import { visibleLine } from './terminal/visible.js';

/**
 * The one line that tells the operator a run left `running` by a process that is gone was recorded `aborted`:
 * the same words whichever command found it (`show`, `info`, `run`, `resume`).
 */
export function staleRunNote(event: StaleRunRecoveredEvent): string {
  const by = event.ownerPid === null ? 'no recorded process' : `process ${event.ownerPid}`;
  const steps = event.interrupted;
  const interrupted =
    steps.length === 0 ? '' : `; step${steps.length === 1 ? '' : 's'} ${steps.join(', ')} interrupted`;
  return visibleLine(
    `note: run ${event.runId} of "${event.workflow}" was left running by ${by}, which is gone: recorded as aborted${interrupted}`,
  );
}
