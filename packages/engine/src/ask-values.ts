import type { FunctionNode, Runbook } from '@playbook/domain';
import { ASK_PLACEHOLDER, ASK_SECRET_PLACEHOLDER } from '@playbook/domain';
import { EngineError } from './engine-error.js';
import type { RunOptions } from './engine-types.js';

/** A param the operator is asked for; `secret` for `${ask:secret}`. */
export interface AskedParam {
  readonly param: string;
  readonly secret: boolean;
}

/** The params of a Function node whose value is exactly `${ask}` or `${ask:secret}`, in declaration order. */
export function askedParams(node: FunctionNode): AskedParam[] {
  return Object.entries(node.functionParams)
    .filter(([, value]) => value === ASK_PLACEHOLDER || value === ASK_SECRET_PLACEHOLDER)
    .map(([param, value]) => ({ param, secret: value === ASK_SECRET_PLACEHOLDER }));
}

/**
 * Checks values given up front before anything runs: each must name a Function node of the runbook and one of
 * its `${ask}` or `${ask:secret}` params, so a typo in `--set` fails fast instead of being silently ignored.
 */
export function checkGivenValues(runbook: Runbook, values: RunOptions['values']): void {
  if (values === undefined) return;
  const workflowName = runbook.meta.title;
  for (const [nodeId, params] of Object.entries(values)) {
    const node = runbook.nodes.find((candidate) => candidate.id === nodeId);
    if (node === undefined) {
      throw new EngineError(
        'BAD_VALUE',
        `a value is given for node "${nodeId}", which is not in the runbook`,
        {
          workflowName,
          nodeId,
        },
      );
    }
    for (const param of Object.keys(params)) {
      if (node.type !== 'Function' || !askedParams(node).some((asked) => asked.param === param)) {
        throw new EngineError(
          'BAD_VALUE',
          `a value is given for "${nodeId}.${param}", but node "${nodeId}" has no parameter "${param}" set to "${ASK_PLACEHOLDER}" or "${ASK_SECRET_PLACEHOLDER}"`,
          { workflowName, nodeId },
        );
      }
    }
  }
}
