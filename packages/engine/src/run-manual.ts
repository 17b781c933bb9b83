import { MANUAL_NOTE_OUTPUT, type ManualNode } from '@playbook/domain';
import type { AttemptContext, AttemptResult } from './attempt-context.js';
import { INTERRUPTED, promptClosed } from './attempt-context.js';

/** One attempt of a Manual node: the operator answers ok / nok (/ skip) and a note. */
export async function runManual(context: AttemptContext<ManualNode>): Promise<AttemptResult> {
  const { node, attempt } = context;
  if (!context.interactive) {
    const message = `Manual step "${node.name}" needs an operator; the run is non-interactive`;
    return { status: 'nok', reason: message, resultText: message, needsOperator: true };
  }
  const canSkip = node.skippable && !node.critical;
  const asked = await context.prompt('manual', () => context.prompter.manual({ node, attempt, canSkip }));
  if (asked.kind === 'interrupted') return INTERRUPTED;
  if (asked.kind === 'closed') return promptClosed(asked.reason);
  const { decision, note } = asked.value;
  const resultText = note === '' ? null : note;
  // The note is the step's one output (SPEC §8.3), for the steps after it to read.
  const outputs = resultText === null ? {} : { outputs: { [MANUAL_NOTE_OUTPUT]: resultText } };
  if (decision === 'ok') {
    return { status: 'ok', reason: null, operatorDecision: 'ok', resultText, ...outputs };
  }
  if (decision === 'skip' && canSkip) {
    return { status: 'skipped', reason: null, operatorDecision: 'skip', resultText };
  }
  const reason =
    decision === 'skip'
      ? `answered skip, but "${node.name}" cannot be skipped`
      : `the operator answered nok${resultText === null ? '' : `: ${resultText}`}`;
  return { status: 'nok', reason, operatorDecision: decision, resultText };
}
