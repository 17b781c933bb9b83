import type { Runbook } from '@playbook/domain';
import { shellQuote } from './commands/run-options.js';
import { visibleLine } from './terminal/visible.js';

/** The flags that name the run history, as given, to repeat in a suggested command line. */
export interface StateFlags {
  readonly statePath?: string | undefined;
  /** Already redacted. */
  readonly stateUrl?: string | undefined;
  readonly configFile?: string | undefined;
}

/** ` --state-path …` etc. for the flags that were given. */
export function stateFlagsText(flags: StateFlags): string {
  const parts: string[] = [];
  if (flags.statePath !== undefined) parts.push('--state-path', shellQuote(flags.statePath));
  if (flags.stateUrl !== undefined) parts.push('--state-url', shellQuote(flags.stateUrl));
  if (flags.configFile !== undefined) parts.push('--config', shellQuote(flags.configFile));
  return parts.length === 0 ? '' : ` ${parts.join(' ')}`;
}

/**
 * What a run that stopped at approval gates prints (exit 3, docs/approvals.md): each gate with who may decide it,
 * and the exact `playbook approve` / `playbook reject` / `playbook resume` command lines.
 */
export function waitingHint(
  runbook: Runbook,
  runId: number,
  gates: readonly { readonly nodeId: string; readonly name: string }[],
  resumeCommand: (runId: number) => string,
  flags: StateFlags,
): string {
  const workflow = shellQuote(runbook.meta.title);
  const state = stateFlagsText(flags);
  const lines = [
    `\nRun ${runId} of "${visibleLine(runbook.meta.title)}" is waiting for an approval (exit 3).`,
  ];
  for (const gate of gates) {
    const node = runbook.nodes.find((candidate) => candidate.id === gate.nodeId);
    const policy = node?.type === 'Manual' ? node.approval : undefined;
    const gateArg = shellQuote(gate.nodeId);
    lines.push(`  Gate "${visibleLine(gate.name)}" (${visibleLine(gate.nodeId)})`);
    if (policy !== undefined) lines.push(`    approvers: ${approversText(policy)}`);
    lines.push(`    approve: playbook approve ${workflow} ${runId} ${gateArg} --note '…'${state}`);
    lines.push(`    reject:  playbook reject ${workflow} ${runId} ${gateArg} --note '…'${state}`);
  }
  lines.push(`  Then continue it with: ${resumeCommand(runId)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * `alice, bob (2 approvals, not whoever started or resumed the run; approved so far: alice)`: who may decide a
 * gate, as the waiting hint and a plan show it. Visible text only.
 */
export function approversText(
  policy: { readonly approvers: readonly string[]; readonly min: number; readonly notStarter: boolean },
  approvedBy: readonly string[] = [],
): string {
  const need = policy.min === 1 ? 'one approval' : `${policy.min} approvals`;
  const four = policy.notStarter ? ', not whoever started or resumed the run' : '';
  const so = approvedBy.length === 0 ? '' : `; approved so far: ${approvedBy.join(', ')}`;
  return visibleLine(`${policy.approvers.join(', ')} (${need}${four}${so})`);
}
