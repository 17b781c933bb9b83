import type { Runbook } from '@playbook/domain';
import { EngineError } from './engine-error.js';

// TEMPORARY (issue 16, first part): the parser knows these fields before the engine executes them. Running a
// runbook that uses one is refused rather than silently ignoring it; removed when the engine runs them.
const NOT_YET = [
  ['when', 'when'],
  ['runIf', 'run_if'],
  ['retry', 'retry'],
  ['cwd', 'cwd'],
  ['expectedDuration', 'expected_duration'],
] as const;

/** Throws `EngineError` INVALID_RUNBOOK naming the first node field this engine cannot execute yet. */
export function refuseUnsupportedFields(runbook: Runbook): void {
  for (const node of runbook.nodes) {
    for (const [property, field] of NOT_YET) {
      if ((node as unknown as Record<string, unknown>)[property] === undefined) continue;
      throw new EngineError(
        'INVALID_RUNBOOK',
        `node "${node.id}": \`${field}\` is not supported yet by this version of playbook (it cannot run it)`,
        { workflowName: runbook.meta.title, nodeId: node.id },
      );
    }
  }
}
