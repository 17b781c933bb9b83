import type {
  AttemptKey,
  FunctionNode,
  NodeStatus,
  RetryPolicy,
  Runbook,
  RunbookNode,
  RunKey,
  RunTrigger,
} from '@playbook/domain';
import { type ExpressionValues, type StepValue, stepValue } from '@playbook/expressions';
import { abortReasonText } from './abort-reason.js';
import { askedParams } from './ask-values.js';
import type { AttemptContext, AttemptResult, PromptOutcome, ResolvedSettings } from './attempt-context.js';
import { INTERRUPTED, identityOf, promptClosed } from './attempt-context.js';
import { AttemptOutput } from './attempt-output.js';
import type { EnginePorts, RunOptions, RunOutcome } from './engine-types.js';
import type { Deliver } from './event-delivery.js';
import { eventLoopTurn } from './event-loop-turn.js';
import type { EngineEvent, EventBody, PromptEvent, RunAbortingEvent } from './events.js';
import { startHeartbeat } from './heartbeat.js';
import { declaredOutputs, isApprovalGate, secretOutputsOf } from './mark-ok.js';
import { NodeEnds } from './node-ends.js';
import { satisfies } from './node-statuses.js';
import { NodeTemplates } from './node-templates.js';
import { maskOutputLog } from './ordered-output.js';
import type { WhatRan } from './ports/identity.js';
import type { FailureChoice, MarkOkAnswer, Prompter } from './ports/prompter.js';
import { PromptClosedError } from './ports/prompter.js';
import { PromptTurns } from './prompt-turns.js';
import { ReadyNodes } from './ready-nodes.js';
import { runCommand } from './run-command.js';
import { runFunction } from './run-function.js';
import { type DependencyState, type RunIfDecision, runIfDecision } from './run-if-gate.js';
import { runManual } from './run-manual.js';
import { maskStrings, SecretMasker } from './secret-masker.js';
import { sleepOn } from './sleep.js';
import { settleOutputs } from './step-outputs.js';

/** The exit code of a command stopped by its timeout (SPEC §2.3). */
const TIMEOUT_EXIT_CODE = 124;

/** How many times an answer the engine cannot use is asked again before it counts as abort. */
const MAX_INVALID_ANSWERS = 3;

/** What a session starts from: a run already created or claimed, and what earlier sessions left. */
export interface SessionInit {
  readonly ports: EnginePorts;
  readonly settings: ResolvedSettings;
  readonly runbook: Runbook;
  readonly options: RunOptions;
  readonly run: RunKey;
  /** Node ids in plan order. */
  readonly plan: readonly string[];
  /** Latest status of each node so far (absent: pending). */
  readonly statuses: Map<string, NodeStatus>;
  /** Why nodes whose latest status is `nok` failed. */
  readonly reasons: Map<string, string>;
  /** Remembered `${ask}` answers: node id → param → value. */
  readonly answers: Map<string, Map<string, string>>;
  /** The caller's listener, isolated (`isolateListener`): shared with what was told before the session. */
  readonly deliver: Deliver;
  /**
   * Each node's latest attempt's outputs (SPEC §8.3), secret ones included while this process holds them: what
   * expressions read as `steps.<id>.outputs`. A node whose latest attempt produced none has no entry.
   */
  readonly outputs: Map<string, Readonly<Record<string, string>>>;
  /** How this session started the run (`run.trigger` in expressions); default `run`. */
  readonly trigger?: RunTrigger;
  /** Nodes whose latest attempt is a skip decided by `run_if` (on resume, from the history). */
  readonly runIfSkipped?: Iterable<string>;
  /** On resume: the secret outputs of earlier sessions' `ok` steps, never stored (SPEC §8.3). */
  readonly secretsNotKept?: readonly { readonly step: string; readonly key: string }[];
}

/** How the session ended, before the run is written as finished. */
export type SessionEnd = Pick<RunOutcome, 'status' | 'interrupted' | 'failed'>;

/** A step whose attempt an interrupt or an abort ended, with why. */
export interface StoppedStep {
  readonly nodeId: string;
  readonly name: string;
  readonly reason: string;
}

/** An attempt this session wrote `running` and has not yet written as ended. */
interface UnfinishedAttempt {
  readonly key: AttemptKey;
  readonly started: Date;
  /** Known once the attempt ran to its end, before its end is written. */
  exitCode: number | null;
}

/** What `#gate` decided for a node that is ready. */
type Gate = Exclude<RunIfDecision, { readonly kind: 'unknown' }>;

const NOT_RUN: Gate = { kind: 'not-run' };
/** The signal of steps nobody can stop (after an interrupt, when the caller gave no `cleanupSignal`). */
const NEVER_ABORTED = new AbortController().signal;

type NodeEnd =
  | { readonly kind: 'done' }
  | { readonly kind: 'nok'; readonly reason: string }
  | { readonly kind: 'aborted'; readonly interrupted: boolean; readonly reason: string };

/** Drives the nodes of one run, one at a time in plan order, applying the rules of SPEC §2. */
export class RunSession {
  readonly #init: SessionInit;
  readonly #nodes: ReadonlyMap<string, RunbookNode>;
  /**
   * What stops the steps now: the run's interrupt signal, or — once an interrupt has started the abort's cleanup
   * steps (SPEC §8.4) — the caller's `cleanupSignal` (a second Ctrl-C).
   */
  #signal: AbortSignal;
  /** Nodes recorded skipped by `run_if` (their `success` dependents are skipped the same way). */
  readonly #runIfSkipped: Set<string>;
  readonly #hangup: AbortSignal | undefined;
  readonly #unfinished = new Set<UnfinishedAttempt>();
  /** Every secret of the run so far, masked in everything any node keeps or tells from then on. */
  readonly #masker = new SecretMasker();
  readonly #templates: NodeTemplates;
  /** `steps` as expressions see it, made on first use and kept up to date with `statuses` from then on. */
  #steps: Map<string, StepValue> | undefined;
  /** With nodes running together: their questions, one at a time (SPEC §9.1). */
  #promptTurns: PromptTurns | undefined;
  /** Approval gates the run stopped at, and the steps after them, which wait with them (SPEC §10.2). */
  readonly #waiting = new Set<string>();
  /** The gates the run stopped at, in plan order. */
  readonly #gatesWaiting: { readonly nodeId: string; readonly name: string }[] = [];
  readonly #stopped = new Map<string, StoppedStep>();

  constructor(init: SessionInit) {
    this.#init = init;
    this.#templates = new NodeTemplates(init.runbook);
    this.#nodes = new Map(init.runbook.nodes.map((node) => [node.id, node]));
    this.#signal = init.options.signal ?? new AbortController().signal;
    this.#runIfSkipped = new Set(init.runIfSkipped);
    this.#hangup = init.options.hangup;
    // Secrets given up front are masked from the first node on, not only from the node that takes them.
    for (const node of init.runbook.nodes) {
      if (node.type !== 'Function') continue;
      for (const { param, secret } of askedParams(node)) {
        const value = init.options.values?.[node.id]?.[param];
        if (secret && value !== undefined) this.#masker.add(value);
      }
    }
    // Secret inputs too (SPEC §8.1, §11): masked wherever any node's output or result shows them.
    for (const input of init.runbook.inputs ?? []) {
      const value = init.options.inputs?.[input.name];
      if (input.secret && typeof value === 'string') this.#masker.add(value);
    }
  }

  get signal(): AbortSignal {
    return this.#signal;
  }

  /** The approval gates this session stopped at, in plan order (SPEC §10.2). */
  get waitingAt(): readonly { readonly nodeId: string; readonly name: string }[] {
    return this.#gatesWaiting;
  }

  /**
   * The steps whose attempt an interrupt or an abort ended in this session, in the runbook's order, each with
   * why. Several run at once (SPEC §9.1): an interrupt stops them all, and the one that happened to end first
   * is no better answer to "where did it stop" than the others.
   */
  get stopped(): readonly StoppedStep[] {
    if (this.#stopped.size === 0) return [];
    const stopped: StoppedStep[] = [];
    for (const node of this.#init.runbook.nodes) {
      const step = this.#stopped.get(node.id);
      if (step !== undefined) stopped.push(step);
    }
    return stopped;
  }

  /**
   * Stamps an event with the run and the time, masks the run's secrets in its text, and hands it to the
   * listener. Output chunks come masked already, by their stream (`AttemptOutput`).
   */
  emit(body: EventBody): void {
    const { run, ports, deliver } = this.#init;
    if (this.#masker.active && body.type !== 'output') body = maskStrings(body, this.#masker);
    const stamp = {
      runId: run.runId,
      workflow: run.workflowName,
      timestamp: ports.clock.now().toISOString(),
    };
    deliver({ ...body, ...stamp } as EngineEvent);
  }

  /** Emits a `prompt` event and asks; an interrupt while it waits wins, end of input becomes `closed`. */
  async prompt<T>(
    nodeId: string,
    question: PromptEvent['question'],
    ask: () => Promise<T>,
  ): Promise<PromptOutcome<T>> {
    const signal = this.#signal;
    const hangup = this.#hangup;
    if (signal.aborted) return { kind: 'interrupted' };
    // With the operator gone no answer can come: the question ends as end of input would end it.
    if (hangup?.aborted) return { kind: 'closed', reason: hangupReason(hangup) };
    const turns = this.#promptTurns;
    if (turns === undefined) return this.#ask(nodeId, question, ask, signal, hangup);
    // Nodes running together ask one at a time; the signal is the one of when the node asked, so that a question
    // still queued when the run aborts is not asked after all.
    const release = await turns.wait(signal, hangup);
    try {
      if (signal.aborted) return { kind: 'interrupted' };
      if (hangup?.aborted) return { kind: 'closed', reason: hangupReason(hangup) };
      return await this.#ask(nodeId, question, ask, signal, hangup);
    } finally {
      release();
    }
  }

  /** Emits the `prompt` event and asks; an interrupt while it waits wins, end of input becomes `closed`. */
  async #ask<T>(
    nodeId: string,
    question: PromptEvent['question'],
    ask: () => Promise<T>,
    signal: AbortSignal,
    hangup: AbortSignal | undefined,
  ): Promise<PromptOutcome<T>> {
    this.emit({ type: 'prompt', nodeId, question });
    let onAbort = () => {};
    let onHangup = () => {};
    const interrupted = new Promise<PromptOutcome<T>>((resolve) => {
      onAbort = () => resolve({ kind: 'interrupted' });
      onHangup = () => resolve({ kind: 'closed', reason: hangupReason(hangup as AbortSignal) });
      signal.addEventListener('abort', onAbort, { once: true });
      hangup?.addEventListener('abort', onHangup, { once: true });
    });
    const answered = ask().then((value): PromptOutcome<T> => ({ kind: 'answer', value }));
    // If the interrupt wins, a prompter that rejects later must not surface as an unhandled rejection.
    answered.catch(() => {});
    try {
      return await Promise.race([answered, interrupted]);
    } catch (error) {
      if (isPromptClosed(error)) return { kind: 'closed', reason: closedReason(error) };
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
      hangup?.removeEventListener('abort', onHangup);
      // The prompter is the embedding program's code: what it did to `process.env` reaches the next command.
      this.#init.ports.processRunner.refreshEnvironment?.();
    }
  }

  /**
   * Runs every node of `toRun` in plan order; the others keep their status. Each node runs when its `run_if`
   * allows (SPEC §8.4). Once the run's end is decided (an abort, an interrupt, a critical `nok`), no further
   * `success` node starts, but `failure` and `always` nodes whose dependencies have ended or are blocked still
   * run; after an abort, a second interrupt (or abort again) skips them.
   */
  async execute(toRun: ReadonlySet<string>): Promise<SessionEnd> {
    // What the embedding program did to `process.env` before the run reaches its commands.
    this.#init.ports.processRunner.refreshEnvironment?.();
    const limit = Math.floor(this.#init.options.concurrency ?? 1);
    if (limit > 1) return this.#executeParallel(toRun, limit);
    const { plan } = this.#init;
    const blockedBy = new Map<string, string>();
    // Nodes not started because the run is ending: pending (a resume runs them), not blocked.
    const notRun = new Set<string>();
    let stop: SessionEnd | undefined;
    for (let index = 0; index < plan.length; index++) {
      const id = plan[index] as string;
      if (!toRun.has(id)) continue;
      const node = this.#nodes.get(id) as RunbookNode;
      // An interrupt or a hang-up raised since the last step is seen before the next one starts. Once the run is
      // ending, a `success` step never starts: no turn is needed to know it (a long runbook ends at once).
      if (stop === undefined || (node.runIf ?? 'success') !== 'success') await eventLoopTurn();
      // The operator is gone: what ran is recorded, nothing new starts (no cleanup either).
      if (this.#hangup?.aborted) return stop ?? { status: 'aborted', interrupted: false, failed: null };
      if (this.#signal.aborted) {
        // A second interrupt while the cleanup steps run skips the rest of them.
        if (stop !== undefined) return { ...stop, status: 'aborted', interrupted: true };
        stop = { status: 'aborted', interrupted: true, failed: null };
        this.#beginCleanup('interrupted', plan, index, toRun);
      }
      // A step after a gate that waits, waits with it: neither blocked nor run (SPEC §10.2).
      if (node.dependsOn.some((dependency) => this.#waiting.has(dependency))) {
        this.#waiting.add(id);
        continue;
      }
      const gate = this.#gate(node, blockedBy, notRun, stop !== undefined);
      if (gate.kind === 'blocked') {
        blockedBy.set(id, gate.root);
        if (stop === undefined) {
          this.emit({ type: 'node-blocked', nodeId: id, name: node.name, blockedBy: gate.root });
        }
        continue;
      }
      if (gate.kind === 'not-run') {
        notRun.add(id);
        continue;
      }
      if (gate.kind === 'skip') {
        // Decided once and recorded, so a resume keeps it rather than deciding again.
        await this.#writeDecidedSkip(node, 'run_if', gate.why);
        continue;
      }
      if (isApprovalGate(node) && (await this.#stopsAtGate(node))) continue;
      const end = await this.#runNode(node);
      this.#noteStopped(node, end);
      if (stop !== undefined) {
        // Abort again (or an interrupt) during a cleanup step: the remaining ones are skipped.
        if (end.kind === 'aborted') {
          return { ...stop, status: 'aborted', interrupted: stop.interrupted || end.interrupted };
        }
        continue;
      }
      const failed = { nodeId: id, name: node.name, reason: end.kind === 'done' ? '' : end.reason };
      if (end.kind === 'aborted') {
        stop = { status: 'aborted', interrupted: end.interrupted, failed };
        this.#beginCleanup(end.interrupted ? 'interrupted' : 'abort', plan, index + 1, toRun);
      } else if (end.kind === 'nok' && node.critical) {
        // A critical node that ends nok fails the whole run: no further `success` node starts.
        stop = { status: 'nok', interrupted: false, failed };
      }
    }
    return this.#sessionEnd(stop, blockedBy);
  }

  /** Keeps a node whose attempt an interrupt or an abort ended, for `stopped`. */
  #noteStopped(node: RunbookNode, end: NodeEnd): void {
    if (end.kind === 'aborted')
      this.#stopped.set(node.id, { nodeId: node.id, name: node.name, reason: end.reason });
  }

  /** How the session ends once no node is left to start. */
  #sessionEnd(stop: SessionEnd | undefined, blockedBy: ReadonlyMap<string, string>): SessionEnd {
    if (stop !== undefined) return stop;
    // Independent branches have finished: the run now waits for its gates' decisions.
    if (this.#gatesWaiting.length > 0) return { status: 'waiting', interrupted: false, failed: null };
    if (this.#init.plan.every((id) => satisfies(this.#init.statuses.get(id))))
      return { status: 'ok', interrupted: false, failed: null };
    return { status: 'nok', interrupted: false, failed: this.#firstFailure(blockedBy) };
  }

  /**
   * `execute` with up to `limit` nodes running at once (SPEC §9.1): the earliest-declared ready nodes start
   * first, a node starts only once every dependency it has in `toRun` is decided, so it reads only finished
   * ancestors. The rules are those of the sequential loop, with what is running taken into account: after a
   * critical `nok` no new `success` node starts and the running ones finish; an abort or an interrupt stops
   * every running node (each recorded `nok`, `interrupted`); a hang-up lets them finish and starts nothing new.
   */
  async #executeParallel(toRun: ReadonlySet<string>, limit: number): Promise<SessionEnd> {
    const { plan } = this.#init;
    const ready = new ReadyNodes(this.#init.runbook.nodes, toRun);
    const blockedBy = new Map<string, string>();
    const notRun = new Set<string>();
    const running = new Map<string, Promise<{ readonly id: string; readonly end: NodeEnd }>>();
    const ends = new NodeEnds<{ readonly id: string; readonly end: NodeEnd }>();
    // Nodes running when the run's end was decided: their ends are recorded, not acted on.
    let inFlight = new Set<string>();
    let stop: SessionEnd | undefined;
    const callerSignal = this.#signal;
    // An operator's abort stops the nodes running beside the one whose failure was answered.
    let abortRunning = new AbortController();
    this.#signal = AbortSignal.any([callerSignal, abortRunning.signal]);
    // A running node reads the session's signal as it goes (its attempt, a retry's wait, a question): the signal
    // of the steps after an abort (the cleanup steps) is given only once the nodes it stopped have ended.
    let nextSignal: AbortSignal | undefined;
    const afterStop = (stopped: AbortSignal, base: AbortSignal): void => {
      abortRunning = new AbortController();
      const next = AbortSignal.any([base, abortRunning.signal]);
      if (running.size === 0) {
        this.#signal = next;
      } else {
        nextSignal = next;
        this.#signal = stopped;
      }
    };
    this.#promptTurns = new PromptTurns();
    const finishRunning = async (): Promise<void> => {
      for (const { id, end } of await Promise.all(running.values())) {
        this.#noteStopped(this.#nodes.get(id) as RunbookNode, end);
      }
      running.clear();
    };
    try {
      for (;;) {
        if (nextSignal !== undefined && running.size === 0) {
          this.#signal = nextSignal;
          nextSignal = undefined;
        }
        if (nextSignal === undefined && this.#signal.aborted) {
          // A second interrupt (or one after a critical nok) skips the cleanup steps: the running ones stop.
          if (stop !== undefined) {
            await finishRunning();
            return { ...stop, status: 'aborted', interrupted: true };
          }
          stop = { status: 'aborted', interrupted: true, failed: null };
          inFlight = new Set(running.keys());
          this.#interruptedCleanup(ready.left(plan), toRun, afterStop);
        }
        while (running.size < limit && nextSignal === undefined && !this.#hangup?.aborted) {
          const node = ready.take();
          if (node === undefined) break;
          const id = node.id;
          if (stop === undefined || (node.runIf ?? 'success') !== 'success') await eventLoopTurn();
          if (this.#hangup?.aborted || (this.#signal.aborted && stop === undefined)) {
            ready.giveBack(node);
            break;
          }
          const gate = this.#gate(node, blockedBy, notRun, stop !== undefined);
          if (node.dependsOn.some((dependency) => this.#waiting.has(dependency))) {
            // A step after a gate that waits, waits with it (SPEC §10.2).
            this.#waiting.add(id);
          } else if (gate.kind === 'blocked') {
            blockedBy.set(id, gate.root);
            if (stop === undefined) {
              this.emit({ type: 'node-blocked', nodeId: id, name: node.name, blockedBy: gate.root });
            }
          } else if (gate.kind === 'not-run') {
            notRun.add(id);
          } else if (gate.kind === 'skip') {
            await this.#writeDecidedSkip(node, 'run_if', gate.why);
          } else if (isApprovalGate(node) && (await this.#stopsAtGate(node))) {
            // Waits for its decision, or skipped by its `when`.
          } else {
            const ended = this.#runNode(node).then((end) => ({ id, end }));
            // A port that fails (a full disk) rejects it; the race below sees that, but it may come while this
            // loop still starts nodes, before the race is set up: it must not count as unhandled meanwhile.
            ended.catch(() => {});
            running.set(id, ended);
            ends.add(ended);
            continue;
          }
          ready.decided(id);
        }
        if (running.size === 0) {
          if (nextSignal !== undefined || (this.#signal.aborted && stop === undefined)) continue;
          // The operator is gone: what ran is recorded, nothing new starts (no cleanup either).
          if (this.#hangup?.aborted && ready.anyLeft) {
            return stop ?? { status: 'aborted', interrupted: false, failed: null };
          }
          return this.#sessionEnd(stop, blockedBy);
        }
        const { id, end } = await ends.next();
        running.delete(id);
        ready.decided(id);
        const node = this.#nodes.get(id) as RunbookNode;
        this.#noteStopped(node, end);
        if (stop !== undefined) {
          // An interrupt already counted: the nodes it stopped end `interrupted`, as recorded.
          // After a hang-up every nok ends `aborted` (nothing new may start), but the nodes still running are let
          // finish: a failure beside them is no reason to stop them (SPEC §11).
          if (inFlight.has(id) && (end.kind !== 'aborted' || end.interrupted || this.#hangup?.aborted))
            continue;
          // Abort again (or an interrupt) during a cleanup step, or an abort answered to a node still running
          // when the end was decided: whatever else runs stops, the remaining steps are skipped.
          if (end.kind === 'aborted') {
            abortRunning.abort(new Error('aborted by the operator'));
            await finishRunning();
            return { ...stop, status: 'aborted', interrupted: stop.interrupted || end.interrupted };
          }
          continue;
        }
        const failed = { nodeId: id, name: node.name, reason: end.kind === 'done' ? '' : end.reason };
        if (end.kind === 'aborted') {
          stop = { status: 'aborted', interrupted: end.interrupted, failed };
          inFlight = new Set(running.keys());
          if (end.interrupted) {
            this.#interruptedCleanup(ready.left(plan), toRun, afterStop);
          } else if (this.#hangup?.aborted) {
            // The operator is gone, not aborting: the running nodes finish and are recorded as they end.
          } else {
            abortRunning.abort(new Error('aborted by the operator'));
            const stopped = this.#signal;
            this.#beginCleanup('abort', ready.left(plan), 0, toRun);
            // The cleanup steps after an operator's abort are stopped by the caller's interrupt, as in order.
            afterStop(stopped, callerSignal);
          }
        } else if (end.kind === 'nok' && node.critical) {
          // A critical node that ends nok fails the whole run: no further `success` node starts, the running
          // ones finish (fail-fast without killing half-done work).
          stop = { status: 'nok', interrupted: false, failed };
          inFlight = new Set(running.keys());
        }
      }
    } finally {
      // Whatever threw, no node is left running behind the session's back.
      if (running.size > 0) {
        abortRunning.abort(new Error('the run stopped'));
        await Promise.allSettled(running.values());
      }
      this.#promptTurns = undefined;
    }
  }

  /**
   * An interrupt in a parallel session: the cleanup steps that may still run are told, and get the caller's
   * `cleanupSignal` once the nodes the interrupt stopped have ended.
   */
  #interruptedCleanup(
    left: readonly string[],
    toRun: ReadonlySet<string>,
    afterStop: (stopped: AbortSignal, base: AbortSignal) => void,
  ): void {
    const stopped = this.#signal;
    this.#beginCleanup('interrupted', left, 0, toRun);
    // No cleanup step to run: the signal stays as it is, aborted.
    if (this.#signal !== stopped) afterStop(stopped, this.#signal);
  }

  /**
   * A gate ready to run gets no attempt: the run will wait for its decision (SPEC §10.2) — unless its `when` is
   * false, which skips it as any step. A `when` that cannot be decided leaves the gate waiting too: an approver
   * decides it. Returns whether the gate waits.
   */
  async #stopsAtGate(node: RunbookNode): Promise<boolean> {
    try {
      if (!(await this.#templates.condition(node, () => this.#expressionValues()))) {
        await this.#writeDecidedSkip(node, 'condition', node.when ?? '');
        return true;
      }
    } catch {
      // Left to the approvers.
    }
    this.#waiting.add(node.id);
    this.#gatesWaiting.push({ nodeId: node.id, name: node.name });
    this.emit({ type: 'waiting', nodeId: node.id, name: node.name });
    return true;
  }

  /**
   * The run is aborting: says which `failure` / `always` steps may still run, and after an interrupt lets the
   * caller's `cleanupSignal` (not the interrupt already given) stop them.
   */
  #beginCleanup(
    cause: RunAbortingEvent['cause'],
    plan: readonly string[],
    from: number,
    toRun: ReadonlySet<string>,
  ): void {
    const steps: string[] = [];
    for (let index = from; index < plan.length; index++) {
      const id = plan[index] as string;
      if (toRun.has(id) && (this.#nodes.get(id)?.runIf ?? 'success') !== 'success') steps.push(id);
    }
    if (steps.length === 0) return;
    if (cause === 'interrupted') this.#signal = this.#init.options.cleanupSignal ?? NEVER_ABORTED;
    this.emit({ type: 'run-aborting', cause, steps });
  }

  /**
   * Whether `node` runs now, by its `run_if` and how its dependencies ended (SPEC §8.4). A dependency is
   * blocked (it can never run), ended (ok, skipped or nok), or pending (not run yet: when `ending`, because the
   * run stops; otherwise it is outside what this session runs).
   */
  #gate(
    node: RunbookNode,
    blockedBy: ReadonlyMap<string, string>,
    notRun: ReadonlySet<string>,
    ending: boolean,
  ): Gate {
    const { statuses } = this.#init;
    const dependencies = node.dependsOn.map((dependency): DependencyState => {
      const root = blockedBy.get(dependency);
      if (root !== undefined) return { kind: 'blocked', root };
      const status = notRun.has(dependency) ? undefined : statuses.get(dependency);
      if (status === 'nok') return { kind: 'nok', id: dependency };
      if (status === 'ok' || status === 'skipped') {
        return { kind: 'ended', runIfSkip: this.#runIfSkipped.has(dependency) ? 'skip' : undefined };
      }
      return { kind: 'pending', id: dependency };
    });
    const decision = runIfDecision(node.runIf, dependencies, ending);
    // A session knows every dependency's end: `unknown` is a plan's answer only.
    return decision.kind === 'unknown' ? NOT_RUN : decision;
  }

  #firstFailure(blockedBy: ReadonlyMap<string, string>): SessionEnd['failed'] {
    const { plan, statuses, reasons } = this.#init;
    const nokId = plan.find((id) => statuses.get(id) === 'nok');
    const id = nokId ?? plan.find((candidate) => !satisfies(statuses.get(candidate)));
    if (id === undefined) return null;
    const node = this.#nodes.get(id) as RunbookNode;
    const blocker = blockedBy.get(id);
    const reason =
      reasons.get(id) ??
      (blocker === undefined
        ? `not run (${statuses.get(id) ?? 'pending'})`
        : `not run: blocked by "${blocker}"`);
    return { nodeId: id, name: node.name, reason };
  }

  /** Attempts a node until it ends ok or skipped, stays nok, or the run must stop. */
  async #runNode(node: RunbookNode): Promise<NodeEnd> {
    const { options } = this.#init;
    const { repository } = this.#init.ports;
    // A node's retry policy replaces --retries, with an operator too (SPEC §8.4); --retries works without one.
    const policy = node.type === 'Manual' ? undefined : node.retry;
    const tries =
      policy !== undefined
        ? Math.max(1, policy.attempts)
        : options.interactive
          ? 1
          : 1 + (options.retries ?? 0);
    let automaticRetries = 0;
    for (;;) {
      // `when` is decided as the node is ready, at each try (a failed evaluation may be retried by the operator).
      // A secret output the `when` (or a template) reads and no earlier session kept is asked for first.
      let conditionFailure: AttemptResult | undefined = await this.#askSecretsNotKept(node);
      try {
        if (
          conditionFailure === undefined &&
          !(await this.#templates.condition(node, () => this.#expressionValues()))
        ) {
          await this.#writeDecidedSkip(node, 'condition', node.when ?? '');
          return { kind: 'done' };
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        conditionFailure = { status: 'nok', reason: message, exception: message, permanent: true };
      }
      const { attempt, result } = await this.#attempt(node, conditionFailure);
      if (result.status !== 'nok') return { kind: 'done' };
      const reason = result.reason ?? 'failed';
      if (result.interrupted === true) return { kind: 'aborted', interrupted: true, reason };
      if (result.promptClosed === true) return { kind: 'aborted', interrupted: false, reason };
      // No retry, automatic or asked, once the operator is gone.
      if (this.#hangup?.aborted) {
        return { kind: 'aborted', interrupted: false, reason: `${reason} (${hangupReason(this.#hangup)})` };
      }
      const failed = { ...this.#init.run, nodeId: node.id, attempt };
      if (automaticRetries + 1 < tries && retryable(policy, result)) {
        const waited = await this.#waitToRetry(node, attempt, policy, automaticRetries + 2, tries);
        if (waited !== undefined) return waited;
        automaticRetries++;
        // The audit trail tells an automatic retry from one an operator chose (SPEC §8.4, §9.3).
        await repository.recordDecision(failed, 'auto-retry', identityOf(this.#init.ports));
        continue;
      }
      if (!options.interactive) return { kind: 'nok', reason };
      let choice = await this.#afterFailure(node, attempt, reason);
      // An interrupt while the question waited is no answer: the failed attempt keeps its own record.
      if (choice === 'interrupted') return { kind: 'aborted', interrupted: true, reason: 'interrupted' };
      let markedOk: MarkOkAnswer | undefined;
      if (choice === 'override') {
        const given = await this.#askMarkOk(node, attempt);
        if (given === 'interrupted') return { kind: 'aborted', interrupted: true, reason: 'interrupted' };
        if ('closed' in given) choice = given;
        else markedOk = given;
      }
      // The answer is written on the failed attempt too (SPEC §9.3); end of input counts as abort (SPEC §2.4).
      await repository.recordDecision(
        failed,
        typeof choice === 'object' ? 'abort' : choice,
        identityOf(this.#init.ports),
      );
      if (markedOk !== undefined) {
        await this.#writeMarkedOk(node, markedOk);
        return { kind: 'done' };
      }
      if (typeof choice === 'object') {
        return {
          kind: 'aborted',
          interrupted: false,
          reason: `${reason} (aborted, no answer: ${choice.closed})`,
        };
      }
      if (choice === 'retry') continue;
      if (choice === 'skip') {
        await this.#writeSkip(node);
        return { kind: 'done' };
      }
      return { kind: 'aborted', interrupted: false, reason: `${reason} (aborted by the operator)` };
    }
  }

  /**
   * Tells of the coming retry and waits its delay (`delay`, times `backoff` for each retry before it) through the
   * clock port. An interrupt or a hang-up ends the wait: the node ends there (its failed attempt keeps no
   * decision, as no retry followed). Undefined when the retry may go ahead.
   */
  async #waitToRetry(
    node: RunbookNode,
    attempt: number,
    policy: RetryPolicy | undefined,
    nextTry: number,
    tries: number,
  ): Promise<NodeEnd | undefined> {
    // `--retries` retries at once and silently, as it always did (a v1 runbook's run is unchanged).
    if (policy === undefined) return undefined;
    const delayMs = Math.max(0, Math.round(policy.delay * 1000 * policy.backoff ** (nextTry - 2)));
    this.emit({ type: 'retry-wait', nodeId: node.id, name: node.name, attempt, nextTry, tries, delayMs });
    if (delayMs > 0) {
      const stop = new AbortController();
      const signal = this.#signal;
      const hangup = this.#hangup;
      const onStop = () => stop.abort();
      signal.addEventListener('abort', onStop, { once: true });
      hangup?.addEventListener('abort', onStop, { once: true });
      if (signal.aborted || hangup?.aborted) stop.abort();
      try {
        await sleepOn(this.#init.ports.clock, delayMs, stop.signal);
      } finally {
        signal.removeEventListener('abort', onStop);
        hangup?.removeEventListener('abort', onStop);
      }
    }
    if (this.#signal.aborted) {
      return { kind: 'aborted', interrupted: true, reason: 'interrupted while waiting to retry' };
    }
    if (this.#hangup?.aborted) {
      return { kind: 'aborted', interrupted: false, reason: `not retried (${hangupReason(this.#hangup)})` };
    }
    return undefined;
  }

  /** Asks retry / skip / abort; `interrupted` when the signal fires while it waits. */
  async #afterFailure(
    node: RunbookNode,
    attempt: number,
    reason: string,
  ): Promise<FailureChoice | 'interrupted' | { readonly closed: string }> {
    const { prompter } = this.#init.ports;
    // Never on an approval gate: its answer is someone else's to give (SPEC §9.3, §10.2).
    const gate = isApprovalGate(node);
    const canSkip = node.skippable && !node.critical && !gate;
    const canOverride = prompter.markOk !== undefined && !gate;
    for (let asked = 0; asked < MAX_INVALID_ANSWERS; asked++) {
      const answer = await this.prompt(node.id, 'after-failure', () =>
        prompter.afterFailure({ node, attempt, reason, canSkip, canOverride }),
      );
      if (answer.kind === 'interrupted') return 'interrupted';
      if (answer.kind === 'closed') return { closed: answer.reason };
      if (answer.value === 'skip' && !canSkip) continue;
      if (answer.value === 'override' && !canOverride) continue;
      return answer.value;
    }
    return 'abort';
  }

  /** Asks the note (required) and the declared outputs of "mark ok"; an empty note is asked again. */
  async #askMarkOk(
    node: RunbookNode,
    attempt: number,
  ): Promise<MarkOkAnswer | 'interrupted' | { readonly closed: string }> {
    const { prompter } = this.#init.ports;
    const outputs = declaredOutputs(node);
    const secretOutputs = secretOutputsOf(node);
    for (let asked = 0; asked < MAX_INVALID_ANSWERS; asked++) {
      const answer = await this.prompt(node.id, 'mark-ok', () =>
        (prompter.markOk as NonNullable<Prompter['markOk']>)({ node, attempt, outputs, secretOutputs }),
      );
      if (answer.kind === 'interrupted') return 'interrupted';
      if (answer.kind === 'closed') return { closed: answer.reason };
      const { note } = answer.value;
      if (note.trim() !== '' && outputs.every((key) => typeof answer.value.outputs[key] === 'string')) {
        return answer.value;
      }
    }
    return { closed: 'marking it ok needs a note' };
  }

  /**
   * "Mark ok" is its own attempt: `ok`, decision `override`, the operator's note as its result (SPEC §9.3). It is
   * written like a real one (started, then finished), so that every store keeps the note.
   */
  async #writeMarkedOk(node: RunbookNode, answer: MarkOkAnswer): Promise<void> {
    const { repository, clock } = this.#init.ports;
    const at = clock.now().toISOString();
    const record = await repository.startAttempt({
      ...this.#init.run,
      nodeId: node.id,
      startTime: at,
      status: 'running',
      operatorDecision: 'override',
      // Who marked it ok (SPEC §10.1), as every other attempt and decision records it.
      by: identityOf(this.#init.ports),
    });
    const key = { ...this.#init.run, nodeId: node.id, attempt: record.attempt };
    // The values given for declared outputs belong to this attempt (SPEC §8.3): stored with it (secret ones by
    // key only, masked from then on) and read by the steps after it, as a real attempt's are.
    const settled = settleOutputs(
      node,
      { status: 'ok', reason: null, outputs: answer.outputs },
      this.#masker,
    );
    await repository.finishAttempt(key, {
      status: 'ok',
      endTime: at,
      durationMs: 0,
      operatorDecision: 'override',
      resultText: this.#masker.mask(answer.note.trim()),
      ...(Object.keys(settled.stored).length === 0 ? {} : { outputs: settled.stored }),
      ...(settled.secretKeys.length === 0 ? {} : { secretOutputs: settled.secretKeys }),
    });
    if (Object.keys(settled.outputs).length === 0) this.#init.outputs.delete(node.id);
    else this.#init.outputs.set(node.id, settled.outputs);
    this.#setStatus(node.id, 'ok');
    this.#init.reasons.delete(node.id);
    this.emit({
      type: 'node-finished',
      nodeId: node.id,
      name: node.name,
      attempt: record.attempt,
      status: 'ok',
      durationMs: 0,
      operatorDecision: 'override',
      exitCode: null,
      reason: null,
    });
  }

  /** A skip chosen after a failure is its own attempt, written already finished. */
  #writeSkip(node: RunbookNode): Promise<void> {
    return this.#writeDecidedSkip(node, 'skip');
  }

  /**
   * A skip is its own attempt, written already finished: the operator's (`skip`), or decided by the node's `when`
   * (`condition`, the expression as its result) or `run_if` (`run_if`, why as its result) (SPEC §8.4).
   */
  async #writeDecidedSkip(
    node: RunbookNode,
    decision: 'skip' | 'condition' | 'run_if',
    resultText?: string,
  ): Promise<void> {
    const { repository, clock } = this.#init.ports;
    const at = clock.now().toISOString();
    // A skip with a result is written as mark-ok's attempt is (started, then finished): a result is stored with an
    // attempt's end.
    const record = await repository.startAttempt({
      ...this.#init.run,
      nodeId: node.id,
      startTime: at,
      status: resultText === undefined ? 'skipped' : 'running',
      operatorDecision: decision,
      by: identityOf(this.#init.ports),
    });
    if (resultText !== undefined) {
      await repository.finishAttempt(
        { ...this.#init.run, nodeId: node.id, attempt: record.attempt },
        {
          status: 'skipped',
          endTime: at,
          durationMs: 0,
          operatorDecision: decision,
          resultText: this.#masker.mask(resultText),
        },
      );
    }
    if (decision === 'run_if') this.#runIfSkipped.add(node.id);
    else this.#runIfSkipped.delete(node.id);
    // Outputs first: the status refreshes what expressions read as `steps.<id>`, outputs included.
    this.#init.outputs.delete(node.id);
    this.#setStatus(node.id, 'skipped');
    this.#init.reasons.delete(node.id);
    this.emit({
      type: 'node-finished',
      nodeId: node.id,
      name: node.name,
      attempt: record.attempt,
      status: 'skipped',
      durationMs: 0,
      operatorDecision: decision,
      exitCode: null,
      reason: null,
    });
  }

  /**
   * A resumed step that reads a secret output of an earlier session's step (never stored, SPEC §8.3): the
   * operator types it, hidden, like `${ask:secret}`; it joins the run's secrets and that step's outputs for the
   * steps after. Without an operator the attempt ends `nok` naming the step and the key.
   */
  async #askSecretsNotKept(node: RunbookNode): Promise<AttemptResult | undefined> {
    const missing = this.#init.secretsNotKept;
    if (missing === undefined || missing.length === 0) return undefined;
    const reads = await this.#templates.outputsRead(node);
    for (const read of reads) {
      const index = missing.findIndex((item) => item.step === read.step && item.key === read.key);
      if (index < 0) continue;
      const param = `steps.${read.step}.outputs.${read.key}`;
      if (!this.#init.options.interactive) {
        const message =
          `the secret output "${read.key}" of step "${read.step}" is not stored (secret outputs never are): ` +
          `resume with an operator to type it`;
        return { status: 'nok', reason: message, resultText: message, needsOperator: true };
      }
      const asked = await this.prompt(node.id, 'ask-value', () =>
        this.#init.ports.prompter.askValue({ node, param, secret: true }),
      );
      if (asked.kind === 'interrupted') return INTERRUPTED;
      if (asked.kind === 'closed') return promptClosed(asked.reason);
      this.#masker.add(asked.value);
      (missing as { step: string; key: string }[]).splice(index, 1);
      const outputs = { ...this.#init.outputs.get(read.step), [read.key]: asked.value };
      this.#init.outputs.set(read.step, outputs);
      this.#steps?.set(read.step, stepValue(this.#init.statuses.get(read.step) ?? 'ok', outputs));
    }
    return undefined;
  }

  /** What expressions read at this moment: inputs, the run, and every node's status and outputs. */
  #expressionValues(): ExpressionValues {
    const { options, run, plan, statuses } = this.#init;
    if (this.#steps === undefined) {
      this.#steps = new Map();
      for (const id of plan)
        this.#steps.set(id, stepValue(statuses.get(id) ?? 'pending', this.#init.outputs.get(id)));
    }
    return {
      inputs: options.inputs ?? {},
      steps: this.#steps,
      run: {
        id: run.runId,
        workflow: run.workflowName,
        trigger: this.#init.trigger ?? 'run',
        operator: options.operator ?? '',
      },
    };
  }

  /** Records a node's new status, in `statuses` and in what expressions see. */
  #setStatus(nodeId: string, status: NodeStatus): void {
    this.#init.statuses.set(nodeId, status);
    this.#steps?.set(nodeId, stepValue(status, this.#init.outputs.get(nodeId)));
  }

  /** One attempt: written `running` first, run by its kind, then written with how it ended. */
  async #attempt(
    node: RunbookNode,
    failure?: AttemptResult,
  ): Promise<{ attempt: number; result: AttemptResult }> {
    const { ports, run, reasons } = this.#init;
    const started = ports.clock.now();
    const by = identityOf(ports);
    const record = await ports.repository.startAttempt({
      ...run,
      nodeId: node.id,
      startTime: started.toISOString(),
      status: 'running',
      by,
    });
    const key = { ...run, nodeId: node.id, attempt: record.attempt };
    // Until its end is written: a port that throws from here on leaves it to `endUnfinished`.
    const unfinished: UnfinishedAttempt = { key, started, exitCode: null };
    this.#unfinished.add(unfinished);
    // Templates are rendered as the node starts, from what earlier nodes left (SPEC §8.2).
    let rendered = node;
    let renderFailure: AttemptResult | undefined = failure;
    if (renderFailure === undefined) renderFailure = await this.#askSecretsNotKept(node);
    if (renderFailure === undefined) {
      try {
        rendered = await this.#templates.render(node, () => this.#expressionValues());
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        renderFailure = { status: 'nok', reason: message, exception: message, permanent: true };
      }
    }
    this.#setStatus(node.id, 'running');
    const startedEvent: EventBody = {
      type: 'node-started',
      nodeId: node.id,
      name: node.name,
      kind: node.type,
      attempt: record.attempt,
      operator: by,
      ...(rendered.description === undefined ? {} : { description: rendered.description }),
    };
    // A command's start is told once its runner has asked for it (`onSpawning`), so that the listener (the
    // terminal's line) runs while the command is being forked rather than before: a step's critical path. Told
    // before anything else of the attempt all the same: its output, a heartbeat, its end.
    let announced = false;
    const announce = (): void => {
      if (announced) return;
      announced = true;
      this.emit(startedEvent);
    };
    const emitStarted = (body: EventBody): void => {
      announce();
      this.emit(body);
    };
    if (
      node.type !== 'Command' ||
      renderFailure !== undefined ||
      ports.processRunner.callsOnSpawning !== true
    ) {
      announce();
    }

    // A command's runner captures its output too: the engine's own capture is needed only once there are
    // secrets, and none can be added while a command runs (they come with a Function's params, or with secret
    // outputs once an attempt has ended: `settleOutputs` masks its captured output again then).
    const capture = node.type !== 'Command' || this.#masker.active;
    const output = new AttemptOutput(
      this.#masker,
      { maxBytes: this.#init.settings.maxOutputBytes, capture, now: () => ports.clock.now().toISOString() },
      (stream, chunk) =>
        emitStarted({ type: 'output', nodeId: node.id, attempt: record.attempt, stream, chunk }),
    );
    // A Manual step waits for the operator, who sees it; the others beat while they run.
    const stopHeartbeat =
      node.type === 'Manual'
        ? () => {}
        : startHeartbeat({
            everySeconds: this.#init.settings.heartbeatSeconds,
            clock: ports.clock,
            started,
            beat: (elapsedMs) =>
              emitStarted({
                type: 'heartbeat',
                nodeId: node.id,
                name: node.name,
                attempt: record.attempt,
                elapsedMs,
              }),
          });
    const stopOverdue = this.#watchOverdue(node, record.attempt, started, emitStarted);
    let produced: AttemptResult;
    try {
      produced = renderFailure ?? (await this.#runKind(rendered, record.attempt, output, announce));
    } finally {
      announce();
      stopHeartbeat();
      stopOverdue();
    }
    const settled = settleOutputs(node, produced, this.#masker);
    output.end();
    let { result } = settled;
    // A step that printed its own secret output: its lines are masked again, as its stdout and stderr are.
    const log =
      settled.secretKeys.length === 0
        ? output.log()
        : maskOutputLog(output.log(), (text) => this.#masker.mask(text));
    unfinished.exitCode = result.exitCode ?? null;

    // The caller's abort reason (the CLI's "interrupted by the operator", a library's "deploy window closed")
    // is kept with the attempt it stopped.
    if (result.interrupted === true && result.resultText == null) {
      const why = abortReasonText(this.#signal.reason);
      if (why !== null) result = { ...result, resultText: why };
    }
    // Whatever the kind wrote, from whichever source, is masked here once more before it is kept or told.
    result = this.#maskResult(result);
    const ended = ports.clock.now();
    const durationMs = Math.max(0, ended.getTime() - started.getTime());
    await ports.repository.finishAttempt(key, {
      status: result.status,
      endTime: ended.toISOString(),
      durationMs,
      ...(result.operatorDecision === undefined ? {} : { operatorDecision: result.operatorDecision }),
      resultText: result.resultText ?? null,
      exitCode: result.exitCode ?? null,
      exception: result.exception ?? null,
      stdout: result.stdout ?? null,
      stderr: result.stderr ?? null,
      ...(Object.keys(settled.stored).length === 0 ? {} : { outputs: settled.stored }),
      ...(settled.secretKeys.length === 0 ? {} : { secretOutputs: settled.secretKeys }),
      // A step that printed nothing (every Manual one) keeps no empty log.
      outputLog: log.lines.length === 0 ? null : log,
      // What ran is kept as the history shows it: a secret the step itself produced is masked there too.
      ran:
        result.ran == null
          ? null
          : {
              ...result.ran,
              command: this.#masker.mask(result.ran.command),
              params: this.#masker.mask(result.ran.params),
            },
    });
    this.#unfinished.delete(unfinished);
    // Outputs belong to the attempt that produced them: a retry's replace the failed attempt's.
    if (Object.keys(settled.outputs).length === 0) this.#init.outputs.delete(node.id);
    else this.#init.outputs.set(node.id, settled.outputs);
    this.#setStatus(node.id, result.status);
    if (result.status === 'nok') reasons.set(node.id, result.reason ?? 'failed');
    else reasons.delete(node.id);
    this.emit({
      type: 'node-finished',
      nodeId: node.id,
      name: node.name,
      attempt: record.attempt,
      status: result.status,
      durationMs,
      operatorDecision: result.operatorDecision ?? null,
      exitCode: result.exitCode ?? null,
      reason: result.status === 'nok' ? (result.reason ?? 'failed') : null,
    });
    return { attempt: record.attempt, result };
  }

  /**
   * Past the node's `expected_duration`, tells once that the attempt is overdue (SPEC §8.4); the wait goes
   * through the clock port. Returns what stops the watch when the attempt ends.
   */
  #watchOverdue(
    node: RunbookNode,
    attempt: number,
    started: Date,
    emit: (body: EventBody) => void,
  ): () => void {
    const seconds = node.expectedDuration;
    if (seconds === undefined) return () => {};
    const { clock } = this.#init.ports;
    const ended = new AbortController();
    void sleepOn(clock, seconds * 1000, ended.signal).then(() => {
      if (ended.signal.aborted) return;
      emit({
        type: 'overdue',
        nodeId: node.id,
        name: node.name,
        attempt,
        expectedSeconds: seconds,
        elapsedMs: Math.max(0, clock.now().getTime() - started.getTime()),
      });
    });
    return () => ended.abort();
  }

  /**
   * After a port failed mid-run (a full disk, a lock held past the busy timeout, a throwing listener): writes
   * the attempts this session left `running` as `nok`, with the error as their exception and the exit code when
   * the step ran to its end — without the captured output, which may be what did not fit. Best effort: the store
   * may still be failing. Returns whether none is left running, so that the run is written `aborted` only when
   * the history then holds no attempt still running under it; otherwise the run stays `running` with this
   * process as its owner, and once the process is gone any later command records it aborted and the attempt
   * interrupted (as after a crash).
   */
  async endUnfinished(error: unknown): Promise<boolean> {
    const { ports, reasons } = this.#init;
    const message = error instanceof Error ? error.message : String(error);
    for (const unfinished of [...this.#unfinished]) {
      const ended = ports.clock.now();
      try {
        await ports.repository.finishAttempt(unfinished.key, {
          status: 'nok',
          endTime: ended.toISOString(),
          durationMs: Math.max(0, ended.getTime() - unfinished.started.getTime()),
          exitCode: unfinished.exitCode,
          exception: this.#masker.mask(error instanceof Error ? (error.stack ?? message) : message),
        });
      } catch {
        continue;
      }
      this.#unfinished.delete(unfinished);
      this.#setStatus(unfinished.key.nodeId, 'nok');
      reasons.set(unfinished.key.nodeId, this.#masker.mask(`not recorded: ${message}`));
    }
    return this.#unfinished.size === 0;
  }

  async #runKind(
    node: RunbookNode,
    attempt: number,
    output: AttemptOutput,
    announce: () => void,
  ): Promise<AttemptResult> {
    switch (node.type) {
      case 'Manual':
        return runManual(this.#context(node, attempt, output));
      case 'Command':
        return runCommand({ ...this.#context(node, attempt, output), announceStart: announce });
      case 'Function': {
        const context = this.#context(node, attempt, output);
        const params = await this.#resolveParams(context);
        if ('status' in params) return params;
        let result: AttemptResult;
        try {
          result = await runFunction(context, params.params);
        } finally {
          // A Function runs in this process and may change `process.env`: the next command sees the change.
          this.#init.ports.processRunner.refreshEnvironment?.();
        }
        return { ...result, ran: functionRan(node, params.params, this.#masker) };
      }
    }
  }

  /** The text fields of an attempt's result, masked; the captured streams are masked already. */
  #maskResult(result: AttemptResult): AttemptResult {
    if (!this.#masker.active) return result;
    const masked = { ...result, reason: this.#masker.mask(result.reason) };
    if (result.resultText != null) masked.resultText = this.#masker.mask(result.resultText);
    if (result.exception != null) masked.exception = this.#masker.mask(result.exception);
    return masked;
  }

  /**
   * Fills `${ask}` params: a value given up front, else a remembered answer, else the operator's.
   * `${ask:secret}` params are filled the same way but never remembered (neither stored nor kept for a retry, so
   * a mistyped secret can be typed again); their values join the run's secrets, masked from then on.
   */
  async #resolveParams(
    context: AttemptContext<FunctionNode>,
  ): Promise<{ params: Record<string, unknown> } | AttemptResult> {
    const { node } = context;
    const { options, answers, ports, run } = this.#init;
    const params: Record<string, unknown> = { ...node.functionParams };
    for (const { param, secret } of askedParams(node)) {
      // A secret has no remembered answer, even one saved while the runbook still said plain `${ask}`.
      const remembered = secret ? undefined : answers.get(node.id)?.get(param);
      let value = options.values?.[node.id]?.[param] ?? remembered;
      if (value === undefined) {
        if (!options.interactive) {
          const message = `no value for parameter "${param}" of "${node.name}": it needs an operator (or a value given up front)`;
          return { status: 'nok', reason: message, resultText: message, needsOperator: true };
        }
        const asked = await this.prompt(node.id, 'ask-value', () =>
          ports.prompter.askValue(secret ? { node, param, secret } : { node, param }),
        );
        if (asked.kind === 'interrupted') return INTERRUPTED;
        if (asked.kind === 'closed') return promptClosed(asked.reason);
        value = asked.value;
      }
      params[param] = value;
      if (secret) {
        this.#masker.add(value);
        continue;
      }
      // Remembered for the run, so a retry or a resume does not ask again.
      if (value !== remembered) {
        await ports.repository.saveAnswer(run, node.id, param, value, identityOf(ports));
        let nodeAnswers = answers.get(node.id);
        if (nodeAnswers === undefined) {
          nodeAnswers = new Map();
          answers.set(node.id, nodeAnswers);
        }
        nodeAnswers.set(param, value);
      }
    }
    return { params };
  }

  #context<N extends RunbookNode>(node: N, attempt: number, output: AttemptOutput): AttemptContext<N> {
    const { ports, settings, runbook, options, run } = this.#init;
    return {
      node,
      attempt,
      run,
      runbook,
      interactive: options.interactive,
      signal: this.#signal,
      env: options.env,
      settings,
      concurrent: this.#promptTurns !== undefined,
      repository: ports.repository,
      clock: ports.clock,
      processRunner: ports.processRunner,
      functionLoader: ports.functionLoader,
      prompter: ports.prompter,
      masker: this.#masker,
      output,
      emit: (event) => this.emit(event),
      prompt: (question, ask) => this.prompt(node.id, question, ask),
    };
  }
}

/**
 * Whether a failed attempt may be tried again automatically. Never one that needs an operator or failed before
 * it ran (a template, a `when`). With a retry policy: a timeout only when its `exit_codes` list 124, and only
 * the listed exit codes when it has some; `--retries` retries any other failure.
 */
function retryable(policy: RetryPolicy | undefined, result: AttemptResult): boolean {
  if (result.needsOperator === true || result.permanent === true) return false;
  if (policy === undefined) return true;
  const codes = policy.exitCodes;
  if (result.timedOut === true) return codes?.includes(TIMEOUT_EXIT_CODE) === true;
  if (codes === undefined) return true;
  return result.exitCode != null && codes.includes(result.exitCode);
}

/** What a Function attempt ran: its name and params as JSON, secrets as `***` (SPEC §10.1). */
function functionRan(node: FunctionNode, params: Record<string, unknown>, masker: SecretMasker): WhatRan {
  let text: string;
  try {
    text = JSON.stringify(params);
  } catch {
    // Cycles and BigInts have no JSON form.
    text = String(params);
  }
  // The run's mask knows each secret's JSON-escaped form too.
  return { command: node.functionName, params: masker.mask(text), cwd: null, envKeys: [] };
}

/** Why the run stops for a hangup: the abort reason's message, or a default. */
function hangupReason(hangup: AbortSignal): string {
  const reason: unknown = hangup.reason;
  if (reason instanceof Error && reason.message.trim() !== '') return reason.message;
  if (typeof reason === 'string' && reason.trim() !== '') return reason;
  return 'the operator is gone';
}

/** Why a prompter gave no answer, from its `PromptClosedError`. */
function closedReason(error: unknown): string {
  const message = error instanceof Error ? error.message.trim() : '';
  return message === '' ? 'the operator input ended' : message;
}

/** A `PromptClosedError`, also from another copy of this package (a prompter bundled elsewhere). */
function isPromptClosed(error: unknown): boolean {
  return (
    error instanceof PromptClosedError ||
    (error instanceof Error && (error as { code?: unknown }).code === 'PROMPT_CLOSED')
  );
}
