import type { RunbookNode } from '@playbook/domain';

// Where "mark ok" (SPEC §9.3) meets node fields of the v2 format: read structurally, so that the engine asks
// for outputs and refuses approval gates as soon as the runbook model carries those fields.

/** The node's declared outputs (SPEC §8.3), asked for when the operator marks a failed step ok. */
export function declaredOutputs(node: RunbookNode): readonly string[] {
  // Secret outputs too: a step after it may read one, and a step marked ok must give it as a real one would.
  return [...new Set([...keysOf(node, 'outputs'), ...secretOutputsOf(node)])];
}

/** The node's `secret_outputs`: asked with hidden typing when it is marked ok. */
export function secretOutputsOf(node: RunbookNode): readonly string[] {
  return keysOf(node, 'secretOutputs');
}

function keysOf(node: RunbookNode, field: 'outputs' | 'secretOutputs'): string[] {
  const keys = (node as { readonly outputs?: unknown; readonly secretOutputs?: unknown })[field];
  return Array.isArray(keys) ? keys.filter((key): key is string => typeof key === 'string') : [];
}

/** Whether the node is an approval gate (SPEC §10.2): skip and mark ok are never offered there. */
export function isApprovalGate(node: RunbookNode): boolean {
  return (node as { readonly approval?: unknown }).approval != null;
}
