import type { InputValue, NodeStatus, Runbook, RunbookNode, RunState } from '@playbook/domain';
import { type StepValue, stepValue } from '@playbook/expressions';
import type { GateNode, GateState } from './approval-gate.js';
import { DEFAULT_TIMEOUT_SECONDS } from './defaults.js';
import { isApprovalGate } from './mark-ok.js';
import { latestAttempts, satisfies } from './node-statuses.js';
import { templatedTexts } from './node-templates.js';
import { type KnownValues, PlanExpressions, type StepNotes } from './plan-expressions.js';
import type { Plan, PlanCondition, PlanInput, PlanStep } from './plan-schema.js';
import { PLAN_SCHEMA_VERSION } from './plan-version.js';
import { planOrder } from './planner.js';
import { changesSince, finishedRunRefusal, nodeNotFound, rerunWithoutNode } from './resume-checks.js';
import { planResume } from './resume-plan.js';
import { type DependencyState, type RunIfDecision, runIfDecision } from './run-if-gate.js';
import { maskStrings, SECRET_MASK, SecretMasker } from './secret-masker.js';

/** What to plan: a new run (the default) or a resume of a run from the history. */
export interface PlanOptions {
  /**
   * The input values known now, converted and checked (`RunOptions.inputs`); a declared input missing here has no
   * value yet — a run would ask for it — and what reads it is decided at run time.
   */
  readonly inputs?: Readonly<Record<string, InputValue>>;
  /** `run.operator` in expressions; undefined: not known, so what reads it is decided at run time. */
  readonly operator?: string;
  /** Per-attempt limit of nodes without their own `timeout` (`EngineSettings.defaultTimeoutSeconds`). */
  readonly defaultTimeoutSeconds?: number;
  /** Plan a resume of this run instead of a new run. */
  readonly resume?: PlanResumeOptions;
}

/** The run a planned resume continues, as the history holds it, and how it is asked (`ResumeOptions`). */
export interface PlanResumeOptions {
  /** The run (`findResumeRun` reads it from a repository: the run a resume would take). */
  readonly state: RunState;
  /** The run id as given; undefined when the newest resumable run was taken. */
  readonly runId?: number;
  readonly fromNode?: string;
  readonly rerun?: 'only' | 'downstream';
  /**
   * The runbook the run started with, by its content hash (as `ResumeOptions.previousRunbook`): with it, a plan of
   * a changed runbook names the steps whose definition changed, not only those added and removed.
   */
  readonly previousRunbook?: (runbookHash: string) => Promise<Runbook | undefined>;
  /**
   * A gate the run waits at, planned as opened (`approve`'s preview of what remains once it opens): kept `ok`,
   * as a resume keeps a gate once its approvals are given, and the steps after it run.
   */
  readonly opening?: string;
}

/**
 * What a run — or a resume — of `runbook` would do, in the order it would do it at concurrency 1 (SPEC §9.2):
 * each step with its command, prompt or call rendered from the inputs known now, its condition decided where
 * those allow, and its limits. Runs nothing, imports no Function module, and writes nothing: it reads only its
 * arguments. Secret inputs are masked (`***`) in everything it returns. Throws `EngineError` for a resume that
 * would be refused (INVALID_RUNBOOK, NODE_NOT_FOUND, RERUN_REFUSED, RUN_NOT_RESUMABLE).
 */
export async function planRun(runbook: Runbook, options: PlanOptions = {}): Promise<Plan> {
  const workflow = runbook.meta.title;
  const order = planOrder(runbook);
  const inputs = options.inputs ?? {};
  const resume =
    options.resume === undefined ? undefined : await resumeSelection(runbook, order, options.resume);
  const expressions = await PlanExpressions.load(runbook, {
    inputs,
    steps: resume?.knownSteps ?? new Map(),
    workflow,
    trigger: resume === undefined ? 'run' : 'resume',
    runId: resume?.plan.runId,
    operator: options.operator,
  } satisfies KnownValues);
  const nodes = new Map(runbook.nodes.map((node) => [node.id, node]));
  const timeout = options.defaultTimeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const steps: PlanStep[] = [];
  // On a resume, steps that cannot run because a step they need is kept unfinished: id → that kept step.
  const blockedBy = new Map<string, string>();
  // Steps a run_if may skip: `skip` for certain, `unknown` when that is decided at run time.
  const runIfSkips = new Map<string, 'skip' | 'unknown'>();
  // Steps a false `when` skips: ended (skipped) for certain by the time their dependents' turn comes.
  const whenSkips = new Set<string>();
  for (const [index, id] of order.entries()) {
    const node = nodes.get(id) as RunbookNode;
    const action = resume === undefined ? 'run' : (resume.actions.get(id) ?? 'keep');
    const step = planStep(node, index + 1, action, resume?.statuses.get(id) ?? (resume ? 'pending' : null), {
      expressions,
      timeout,
    });
    if (step.condition !== null) {
      const gate = gateOf(node, resume, { blockedBy, runIfSkips, whenSkips });
      if (gate.kind === 'blocked') blockedBy.set(id, gate.root);
      step.condition = gated(step.condition, gate, resume);
      if (gate.kind === 'skip') runIfSkips.set(id, 'skip');
      else if (step.condition.decision === 'skipped') whenSkips.add(id);
      if (gate.kind === 'unknown' && step.condition.decision !== 'skipped') runIfSkips.set(id, 'unknown');
      if (
        isGate(node) &&
        step.action === 'run' &&
        (step.condition.decision === 'runs' || step.condition.decision === 'decided at run time')
      ) {
        step.approval = approvalOf(node, resume?.gates.get(id));
      }
    }
    steps.push(step);
  }

  const masker = new SecretMasker();
  const planInputs: PlanInput[] = [];
  for (const input of runbook.inputs ?? []) {
    const value = Object.hasOwn(inputs, input.name) ? inputs[input.name] : undefined;
    if (input.secret && typeof value === 'string') masker.add(value);
    planInputs.push({
      name: input.name,
      type: input.type,
      known: value !== undefined,
      value: value === undefined ? null : input.secret ? SECRET_MASK : value,
      secret: input.secret,
    });
  }
  const plan: Plan = {
    schemaVersion: PLAN_SCHEMA_VERSION,
    workflow,
    mode: resume === undefined ? 'run' : 'resume',
    resume: resume?.plan ?? null,
    inputs: planInputs,
    steps,
  };
  // Secret inputs may reach a rendered field (an `env` value, a prompt): masked as a run masks them.
  return masker.active ? maskStrings(plan, masker) : plan;
}

type Action = PlanStep['action'];

/**
 * What the engine will decide when the node's turn comes (`runIfDecision`, the rule the session applies), from what
 * is known now: the statuses of steps a resume keeps, and which steps are blocked by them. A step that runs before
 * it ends as it will: for a `success` node that is no question (the plan shows it running, as a run without
 * failures would), for a `failure` node it is the whole question.
 */
function gateOf(
  node: RunbookNode,
  resume: ResumeSelection | undefined,
  decided: {
    readonly blockedBy: ReadonlyMap<string, string>;
    readonly runIfSkips: ReadonlyMap<string, 'skip' | 'unknown'>;
    readonly whenSkips: ReadonlySet<string>;
  },
): RunIfDecision {
  const { blockedBy, runIfSkips, whenSkips } = decided;
  const dependencies = node.dependsOn.map((dependency): DependencyState => {
    const root = blockedBy.get(dependency);
    if (root !== undefined) return { kind: 'blocked', root };
    const runIfSkip = runIfSkips.get(dependency);
    // Skipped by its run_if for certain: it has ended, as far as this node is concerned.
    if (runIfSkip === 'skip') return { kind: 'ended', runIfSkip };
    if (whenSkips.has(dependency)) return { kind: 'ended' };
    if (resume === undefined || resume.actions.has(dependency)) return { kind: 'runs-first', runIfSkip };
    const status = resume.statuses.get(dependency) ?? 'pending';
    // A `running` attempt of a run whose owner is gone is recorded interrupted (nok) by the resume.
    if (status === 'nok' || status === 'running') return { kind: 'nok', id: dependency };
    if (!satisfies(status)) return { kind: 'pending', id: dependency };
    return { kind: 'ended', runIfSkip: resume.runIfSkipped.has(dependency) ? 'skip' : undefined };
  });
  return runIfDecision(node.runIf, dependencies);
}

/** The `when` decision combined with the gate: a blocked or run_if-skipped node never evaluates its `when`. */
function gated(
  condition: PlanCondition,
  gate: RunIfDecision,
  resume: ResumeSelection | undefined,
): PlanCondition {
  switch (gate.kind) {
    case 'run':
    case 'not-run':
      return condition;
    case 'blocked':
      return {
        decision: 'blocked',
        expression: condition.expression,
        reason: `it needs "${gate.root}", which is kept ${resume?.statuses.get(gate.root) ?? 'pending'}`,
      };
    case 'skip':
      return { decision: 'skipped', expression: condition.expression, reason: gate.why };
    case 'unknown':
      // A false `when` skips it whatever its dependencies do.
      return condition.decision === 'skipped'
        ? condition
        : { decision: 'decided at run time', expression: condition.expression, reason: gate.why };
  }
}

const isGate = (node: RunbookNode): node is GateNode => isApprovalGate(node);

/** The approval a gate the run will stop at needs, and — on a resume of a run waiting at it — who gave it so far. */
function approvalOf(node: GateNode, state: GateState | undefined): NonNullable<PlanStep['approval']> {
  const { approvers, min, notStarter } = node.approval;
  const waiting = state?.status === 'waiting';
  return {
    approvers: [...approvers],
    min,
    notStarter,
    waiting,
    approvedBy: waiting
      ? (state?.decisions ?? []).filter((d) => d.decision === 'approve').map((d) => d.who)
      : [],
  };
}

interface ResumeSelection {
  readonly plan: NonNullable<Plan['resume']>;
  readonly actions: ReadonlyMap<string, Action>;
  readonly statuses: ReadonlyMap<string, NodeStatus>;
  /** Steps whose latest attempt is a skip decided by their `run_if` (their `success` dependents skip too). */
  readonly runIfSkipped: ReadonlySet<string>;
  /** The run's approval gates as the history holds them (empty for a runbook without gates). */
  readonly gates: ReadonlyMap<string, GateState>;
  /** Kept steps: their status and outputs are what expressions will read. */
  readonly knownSteps: ReadonlyMap<string, StepValue>;
}

/** Which steps a resume keeps and runs again: the engine's own choice (`planResume`), refused as it refuses. */
async function resumeSelection(
  runbook: Runbook,
  order: readonly string[],
  options: PlanResumeOptions,
): Promise<ResumeSelection> {
  const workflow = runbook.meta.title;
  const { run, attempts } = options.state;
  const withoutNode = rerunWithoutNode(workflow, options);
  if (withoutNode !== undefined) throw withoutNode;
  if (options.fromNode !== undefined && !order.includes(options.fromNode)) {
    throw nodeNotFound(workflow, options.fromNode, run);
  }
  // A plan records nothing, so it needs no reason: the note below says the resume will.
  const refusal = finishedRunRefusal(run, options, false);
  if (refusal !== undefined) throw refusal;

  const inPlan = new Set(order);
  const statuses = new Map<string, NodeStatus>();
  const outputs = new Map<string, Readonly<Record<string, string>>>();
  const runIfSkipped = new Set<string>();
  for (const [nodeId, attempt] of latestAttempts(attempts)) {
    if (!inPlan.has(nodeId)) continue;
    statuses.set(nodeId, attempt.status);
    if (attempt.status === 'skipped' && attempt.operatorDecision === 'run_if') runIfSkipped.add(nodeId);
    if (attempt.outputs !== undefined) outputs.set(nodeId, attempt.outputs);
  }
  // Approval gates, as resume sees them: approvals made on another runbook are void, those gates wait again.
  const gates = new Map<string, GateState>();
  const notes: string[] = [];
  if (runbook.nodes.some(isGate)) {
    const { gateStates, voidApprovals, whoMayApprove } = await import('./approval-gate.js');
    const voided = voidApprovals(runbook, options.state, statuses);
    const hash = runbook.source?.hash ?? run.runbookHash;
    for (const gate of gateStates(runbook, options.state, hash)) gates.set(gate.node.id, gate);
    const opening = options.opening === undefined ? undefined : gates.get(options.opening);
    if (opening?.status === 'waiting') {
      gates.set(opening.node.id, { ...opening, status: 'approved' });
      statuses.set(opening.node.id, 'ok');
    }
    const waiting = [...gates.values()].filter((gate) => gate.status === 'waiting');
    if (waiting.length > 0 && hash === run.runbookHash && voided.length === 0) {
      const who = waiting.map((gate) => `"${gate.node.id}" by ${whoMayApprove(gate)}`).join('; ');
      notes.push(
        `run ${run.runId} waits for approval: ${who}. Until it is given, a resume stops there again (exit 3) and runs nothing; once it is, the gate is kept ok and the steps after it run`,
      );
    }
    for (const id of voided) {
      notes.push(
        `the approvals of "${id}" were given on the runbook as it was: void, it waits for approval again`,
      );
    }
  }
  const selected = planResume(runbook, order, statuses, options.fromNode, options.rerun);
  const actions = new Map<string, Action>();
  for (const id of selected.toRun) actions.set(id, 'run');
  for (const id of selected.repeatable) actions.set(id, 'ask');
  const knownSteps = new Map<string, StepValue>();
  for (const id of order) {
    if (actions.has(id)) continue;
    knownSteps.set(id, stepValue(statuses.get(id) ?? 'pending', outputs.get(id)));
  }

  if (run.status === 'running') {
    notes.push(
      `run ${run.runId} is recorded as running: a resume takes it over only when the process that drove it is gone (it then stops the command that process left running and records that attempt interrupted), and refuses while that process is alive`,
    );
  }
  if (run.status === 'ok') {
    notes.push(`run ${run.runId} ended ok: the resume needs --reason <text>, which is recorded`);
  }
  if (selected.repeatable.length > 0) {
    notes.push('repeatable steps already ok run again only if the operator says so (never without one)');
  }
  const changes = await changesSince(run, runbook, order, options.previousRunbook);
  return {
    plan: {
      runId: run.runId,
      status: run.status,
      node: options.fromNode ?? null,
      rerun: options.fromNode === undefined ? null : (options.rerun ?? 'from'),
      changes:
        changes === undefined
          ? null
          : {
              added: [...changes.added],
              removed: [...changes.removed],
              changed: changes.changed === undefined ? null : [...changes.changed],
            },
      notes,
    },
    actions,
    statuses,
    runIfSkipped,
    gates,
    knownSteps,
  };
}

function planStep(
  node: RunbookNode,
  position: number,
  action: Action,
  previousStatus: NodeStatus | null,
  context: { readonly expressions: PlanExpressions; readonly timeout: number },
): PlanStep {
  const notes: StepNotes = { unresolved: [], problems: [] };
  // A kept step does not run: its texts are shown as the file has them, and nothing is decided about it.
  const rendered = action === 'keep' ? undefined : context.expressions;
  const render = (text: string, shell = false): string =>
    rendered === undefined ? text : rendered.render(text, notes, { shell });
  let description: string | null = null;
  let command: string | null = null;
  let prompt: string | null = null;
  let env: Record<string, string> | null = null;
  let cwd: string | null = null;
  let params: Record<string, unknown> | null = null;
  for (const [where, text] of templatedTexts(node)) {
    if (where === 'description') description = render(text);
    else if (where === 'prompt') prompt = render(text);
    else if (where === 'commandName') command = render(text, true);
    else if (where === 'cwd') cwd = render(text);
    else if (where.startsWith('env.')) {
      env ??= {};
      env[where.slice('env.'.length)] = render(text);
    }
  }
  if (node.type === 'Function') {
    params = {};
    for (const [param, value] of Object.entries(node.functionParams)) {
      params[param] = rendered === undefined ? value : rendered.renderParam(value, notes);
    }
  }
  const retry = node.type === 'Manual' ? undefined : node.retry;
  return {
    position,
    nodeId: node.id,
    name: node.name,
    kind: node.type,
    dependsOn: [...node.dependsOn],
    action,
    previousStatus,
    description,
    command,
    prompt,
    function: node.type === 'Function' ? { name: node.functionName, params: params ?? {} } : null,
    env,
    cwd,
    condition: rendered === undefined ? null : rendered.condition(node.when, notes),
    runIf: node.runIf ?? 'success',
    critical: node.critical,
    skippable: node.skippable,
    repeatable: node.repeatable,
    // An operator is never timed (SPEC §1.2): a Manual step has no timeout.
    timeoutSeconds: node.type === 'Manual' ? null : (node.timeout ?? context.timeout),
    retry:
      retry === undefined
        ? null
        : {
            attempts: retry.attempts,
            delaySeconds: retry.delay,
            backoff: retry.backoff,
            exitCodes: retry.exitCodes === undefined ? null : [...retry.exitCodes],
          },
    expectedDurationSeconds: node.expectedDuration ?? null,
    approval: null,
    unresolved: notes.unresolved,
    problems: notes.problems,
  };
}
