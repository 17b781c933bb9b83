import type { Plan, PlanStep } from '@playbook/engine';
import { approversText } from '../approval-hint.js';
import type { Colors } from '../terminal/colors.js';
import { nodeLabel } from '../terminal/format.js';
import { visibleLine } from '../terminal/visible.js';
import { runbookChangesText } from './runbook-changes.js';

/** Indent of a step's detail lines, under its name (past `[n/m] `). */
const INDENT = '      ';

/**
 * A plan as `playbook plan` prints it (SPEC §9.2): a heading, the inputs, then one block per step in run order,
 * numbered `[3/8]`. Every text from the runbook or the history goes through `visibleLine`: a title, a command or
 * a stored status can never move the cursor or retitle the terminal.
 */
export function planText(plan: Plan, colors: Colors): string {
  const total = plan.steps.length;
  const steps = `${total} step${total === 1 ? '' : 's'}`;
  const what =
    plan.resume === null
      ? `a new run · ${steps}`
      : `resume of run ${plan.resume.runId} (${plan.resume.status}) · ${steps}: ${keptAndRun(plan)}`;
  let text = `${colors.bold(`Plan of "${visibleLine(plan.workflow)}"`)} ${colors.dim(`· ${what} · nothing is run`)}\n`;
  if (plan.resume !== null) {
    const { node, rerun, changes, notes } = plan.resume;
    if (node !== null) {
      const how =
        rerun === 'only'
          ? 'just that step runs again'
          : rerun === 'downstream'
            ? 'that step and every step that depends on it run again'
            : 'that step and every step after it run again';
      text += `${colors.dim('from')} ${visibleLine(node)}: ${how}\n`;
    }
    if (changes !== null) text += runbookChangesText(changes, visibleLine, colors);
    for (const note of notes) text += `${colors.yellow('!')} ${visibleLine(note)}\n`;
  }
  if (plan.inputs.length > 0) {
    const width = plan.inputs.reduce((widest, input) => Math.max(widest, input.name.length), 0);
    text += `${colors.bold('Inputs')}\n`;
    for (const input of plan.inputs) {
      const value = input.known
        ? visibleLine(typeof input.value === 'string' ? input.value : String(input.value))
        : colors.yellow('no value yet: asked when the run starts (an error without an operator)');
      text += `  ${visibleLine(input.name).padEnd(width)}  ${value}\n`;
    }
  }
  for (const step of plan.steps) text += stepText(step, total, colors);
  return text;
}

function keptAndRun(plan: Plan): string {
  let kept = 0;
  let run = 0;
  let ask = 0;
  for (const step of plan.steps) {
    if (step.action === 'keep') kept++;
    else if (step.action === 'run') run++;
    else ask++;
  }
  return `${kept} kept, ${run} run${ask > 0 ? `, ${ask} asked about` : ''}`;
}

function stepText(step: PlanStep, total: number, colors: Colors): string {
  const where = colors.dim(`[${step.position}/${total}]`);
  const label = nodeLabel(visibleLine(step.name), visibleLine(step.nodeId), colors);
  const was =
    step.previousStatus === null || step.previousStatus === 'pending'
      ? ''
      : colors.dim(` (was ${step.previousStatus})`);
  if (step.action === 'keep') {
    return `${where} ${label} ${colors.dim(`· kept (${step.previousStatus ?? 'pending'})`)}\n`;
  }
  const decision =
    step.action === 'ask'
      ? colors.yellow('asked whether to run it again')
      : step.approval !== null && step.condition?.decision === 'runs'
        ? colors.yellow(
            step.approval.waiting
              ? 'waiting for approval: a resume stops here again (exit 3) until it is approved'
              : 'waits for approval: the run stops here (exit 3) until it is approved',
          )
        : conditionText(step, colors);
  let text = `${where} ${label} ${colors.dim(`· ${step.kind} ·`)} ${decision}${was}\n`;
  const facts = factsOf(step);
  if (facts.length > 0) text += `${INDENT}${colors.dim(facts.join(' · '))}\n`;
  if (step.approval !== null) {
    text += `${INDENT}${colors.dim('approvers:')} ${approversText(step.approval, step.approval.approvedBy)}\n`;
  }
  for (const line of step.description?.trim().split(/\r?\n/) ?? []) {
    text += `${INDENT}${colors.dim(visibleLine(line))}\n`;
  }
  if (step.command !== null) text += `${INDENT}${colors.cyan('$')} ${visibleLine(step.command)}\n`;
  if (step.prompt !== null) text += `${INDENT}${colors.cyan('?')} ${visibleLine(step.prompt)}\n`;
  if (step.function !== null) {
    const params =
      Object.keys(step.function.params).length === 0 ? '' : ` ${JSON.stringify(step.function.params)}`;
    text += `${INDENT}${colors.cyan('ƒ')} ${visibleLine(`${step.function.name}${params}`)}\n`;
  }
  for (const [name, value] of Object.entries(step.env ?? {})) {
    text += `${INDENT}${colors.dim('env')} ${visibleLine(`${name}=${value}`)}\n`;
  }
  if (step.unresolved.length > 0) {
    text += `${INDENT}${colors.dim(`known at run time: ${visibleLine(step.unresolved.join(', '))}`)}\n`;
  }
  for (const problem of step.problems) {
    text += `${INDENT}${colors.red('✖')} ${visibleLine(`would end nok: ${problem}`)}\n`;
  }
  return text;
}

/** `runs`, `skipped: <expr>`, `decided at run time: <expr> (why)` (SPEC §9.2), or on a resume `blocked: …`. */
function conditionText(step: PlanStep, colors: Colors): string {
  const condition = step.condition;
  if (condition === null) return colors.green('runs');
  const expression = condition.expression === null ? '' : visibleLine(condition.expression);
  switch (condition.decision) {
    case 'runs':
      return condition.expression === null
        ? colors.green('runs')
        : `${colors.green('runs')} ${colors.dim(`(when: ${expression})`)}`;
    case 'skipped':
      return colors.yellow(
        `skipped: ${expression === '' ? visibleLine(condition.reason ?? '') : expression}`,
      );
    case 'blocked':
      return colors.magenta(`blocked: ${visibleLine(condition.reason ?? '')}`);
    case 'decided at run time': {
      const why = condition.reason === null ? '' : ` (${visibleLine(condition.reason)})`;
      const what = expression === '' ? '' : `: ${expression}`;
      return `${colors.blue('decided at run time')}${what}${colors.dim(why)}`;
    }
  }
}

/** Dependencies, run_if, critical/skippable/repeatable, timeout, retry, cwd and expected duration. */
function factsOf(step: PlanStep): string[] {
  const facts: string[] = [];
  if (step.dependsOn.length > 0) facts.push(`after ${step.dependsOn.map(visibleLine).join(', ')}`);
  if (step.runIf === 'failure') facts.push('run_if failure: only when a dependency ends nok');
  if (step.runIf === 'always')
    facts.push('run_if always: once its dependencies have ended, whatever their status');
  if (step.critical) facts.push('critical');
  if (step.skippable) facts.push('skippable');
  if (step.repeatable) facts.push('repeatable');
  if (step.timeoutSeconds !== null) facts.push(`timeout ${seconds(step.timeoutSeconds)}`);
  if (step.retry !== null) {
    const { attempts, delaySeconds, backoff, exitCodes } = step.retry;
    let retry = `retry: ${attempts} attempt${attempts === 1 ? '' : 's'}`;
    if (delaySeconds > 0) retry += `, ${seconds(delaySeconds)} apart${backoff > 1 ? ` ×${backoff}` : ''}`;
    if (exitCodes !== null)
      retry += `, exit code${exitCodes.length === 1 ? '' : 's'} ${exitCodes.join(', ')}`;
    facts.push(retry);
  }
  if (step.cwd !== null) facts.push(`cwd ${visibleLine(step.cwd)}`);
  if (step.expectedDurationSeconds !== null) facts.push(`expected ${seconds(step.expectedDurationSeconds)}`);
  return facts;
}

function seconds(value: number): string {
  return `${value}s`;
}
