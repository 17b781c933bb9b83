import type { RunbookNode } from '@playbook/domain';

// Where "mark ok" (SPEC §9.3) meets node fields of the v2 format: read structurally, so that the engine asks
// for outputs and refuses approval gates as soon as the runbook model carries those fields.

/** The node's declared outputs (SPEC §8.3), asked for when the operator marks a failed step ok. */
export function declaredOutputs(node: RunbookNode): readonly string[] {
  const outputs = (node as { readonly outputs?: unknown }).outputs;
  return Array.isArray(outputs) ? outputs.filter((key): key is string => typeof key === 'string') : [];
}

/** Whether the node is an approval gate (SPEC §10.2): skip and mark ok are never offered there. */
export function isApprovalGate(node: RunbookNode): boolean {
  return (node as { readonly approval?: unknown }).approval != null;
}
