import type { AttemptStatus, NodeStatus, NodeType, RunStatus, RunTrigger } from '@playbook/domain';
import type { OperatorIdentity } from './ports/identity.js';
import type { OutputStream } from './ports/process-runner.js';

/** Node counts by latest attempt, as stored on the run. */
export interface NodeCounts {
  readonly ok: number;
  readonly nok: number;
  readonly skipped: number;
}

/**
 * What every event carries: the run it belongs to and when it happened, so that a listener can log, forward or
 * interleave events of several runs without keeping state of its own.
 */
export interface EventStamp {
  /** The run's id within its workflow (for `stale-run-recovered`: the id of the run that was recovered). */
  readonly runId: number;
  /** The workflow: the runbook's title, as stored in `workflow_name`. */
  readonly workflow: string;
  /** When the engine emitted it: an ISO-8601 UTC time read from the `Clock` port. */
  readonly timestamp: string;
}

/** A run began (or resumed); `plan` lists node ids in execution order. */
export interface RunStartedEvent extends EventStamp {
  readonly type: 'run-started';
  readonly trigger: RunTrigger;
  /** Who started (or resumed) it (SPEC §10.1). The engine always sets it; events built elsewhere may not. */
  readonly operator?: OperatorIdentity;
  readonly plan: readonly string[];
  /**
   * On resume: nodes kept from earlier attempts with their status. A repeatable node listed here that ended ok
   * may still run again: the operator is asked right after this event.
   */
  readonly kept: readonly { readonly nodeId: string; readonly status: NodeStatus }[];
  /**
   * On resume of a changed runbook file: node ids added and removed since the run started, and — when the
   * runbook it started with is known (`ResumeOptions.previousRunbook`) — those whose definition changed.
   */
  readonly changes?: {
    readonly added: readonly string[];
    readonly removed: readonly string[];
    readonly changed?: readonly string[];
  };
}

/** An attempt of a node began. */
export interface NodeStartedEvent extends EventStamp {
  readonly type: 'node-started';
  readonly nodeId: string;
  readonly name: string;
  readonly kind: NodeType;
  readonly attempt: number;
  /** Who runs it (SPEC §10.1). The engine always sets it; events built elsewhere may not. */
  readonly operator?: OperatorIdentity;
  /** The node's `description`, when it has one: shown to the operator before the step runs. */
  readonly description?: string;
}

/** A chunk of live output of a command, or a line logged by a function. */
export interface OutputEvent extends EventStamp {
  readonly type: 'output';
  readonly nodeId: string;
  readonly attempt: number;
  readonly stream: OutputStream;
  readonly chunk: string;
}

/** An attempt of a node ended. */
export interface NodeFinishedEvent extends EventStamp {
  readonly type: 'node-finished';
  readonly nodeId: string;
  readonly name: string;
  readonly attempt: number;
  readonly status: Exclude<AttemptStatus, 'running'>;
  readonly durationMs: number;
  readonly operatorDecision: string | null;
  readonly exitCode: number | null;
  /** One line saying why the attempt failed (nok only). */
  readonly reason: string | null;
}

/** A node will not run in this run because a node it depends on ended `nok`. */
export interface NodeBlockedEvent extends EventStamp {
  readonly type: 'node-blocked';
  readonly nodeId: string;
  readonly name: string;
  /** The failed dependency (direct or not) that blocks it. */
  readonly blockedBy: string;
}

/** The engine is about to ask the operator something (renderers may pause a spinner). */
export interface PromptEvent extends EventStamp {
  readonly type: 'prompt';
  readonly nodeId: string;
  readonly question: 'manual' | 'after-failure' | 'mark-ok' | 'ask-value' | 'confirm-repeat';
}

/** The run ended. */
export interface RunFinishedEvent extends EventStamp {
  readonly type: 'run-finished';
  readonly status: Exclude<RunStatus, 'running'>;
  readonly counts: NodeCounts;
  readonly durationMs: number;
  /**
   * The node whose failure decided the outcome, with why; null when the run ended ok. After an interrupt that
   * stopped several steps running at once, the first of them in the runbook's order.
   */
  readonly failed: { readonly nodeId: string; readonly name: string; readonly reason: string } | null;
  /**
   * Every step whose attempt an interrupt or an abort ended in this session, in the runbook's order, each with
   * why; empty when none.
   */
  readonly stopped: readonly { readonly nodeId: string; readonly name: string; readonly reason: string }[];
}

/**
 * Before a run starts (on `run` or `resume`), an earlier run of the workflow was found `running` with its owner
 * gone (killed, a power cut) and was recorded `aborted` (SPEC §2.5): its orphaned process group stopped, its
 * running attempts ended `nok` / "interrupted". `ownerHost` / `ownerPid` name the dead owner, null when none
 * was recorded; `interrupted` lists the node ids whose attempt it ended.
 */
export interface StaleRunRecoveredEvent extends EventStamp {
  readonly type: 'stale-run-recovered';
  readonly ownerHost: string | null;
  readonly ownerPid: number | null;
  readonly interrupted: readonly string[];
}

/**
 * An attempt of a Command or Function node is still running: sent every `heartbeatSeconds` (engine setting,
 * default 60) while it runs, so that a log without a terminal shows life.
 */
export interface HeartbeatEvent extends EventStamp {
  readonly type: 'heartbeat';
  readonly nodeId: string;
  readonly name: string;
  readonly attempt: number;
  /** How long the attempt has been running. */
  readonly elapsedMs: number;
}

/**
 * A failed attempt will be tried again automatically by the node's `retry` policy once `delayMs` has passed; the
 * wait ends early on an interrupt. Sent before the wait, also when there is none (delay 0).
 */
export interface RetryWaitEvent extends EventStamp {
  readonly type: 'retry-wait';
  readonly nodeId: string;
  readonly name: string;
  /** The attempt that failed. */
  readonly attempt: number;
  /** Which try comes next, counting from 1 in this session (2 = the first retry). */
  readonly nextTry: number;
  /** How many tries there are in all (the policy's `attempts`). */
  readonly tries: number;
  readonly delayMs: number;
}

/**
 * The run is aborting (the operator answered abort, an interrupt, or a critical step ended nok), and its
 * `run_if = "failure"` / `"always"` steps whose dependencies have ended still run before it ends (SPEC §8.4):
 * `steps` lists those that may. After an abort, a second interrupt (or abort again) skips them.
 */
export interface RunAbortingEvent extends EventStamp {
  readonly type: 'run-aborting';
  /** Why: `abort` (the operator), `interrupted` (a signal) or `critical` (a critical step ended nok). */
  readonly cause: 'abort' | 'interrupted' | 'critical';
  /** The rollback and cleanup steps that may still run, in plan order. */
  readonly steps: readonly string[];
}

/**
 * An attempt has run longer than its node's `expected_duration` (SPEC §8.4); sent once per attempt.
 */
export interface OverdueEvent extends EventStamp {
  readonly type: 'overdue';
  readonly nodeId: string;
  readonly name: string;
  readonly attempt: number;
  /** The node's `expected_duration`, in seconds. */
  readonly expectedSeconds: number;
  readonly elapsedMs: number;
}

/**
 * The run stopped at an approval gate with no process to drive it (SPEC §10.2): its status is `waiting` until
 * someone approves or rejects the gate. Part of the event schema; emitted once runbooks declare approval gates.
 */
export interface WaitingEvent extends EventStamp {
  readonly type: 'waiting';
  /** The gate the run waits at. */
  readonly nodeId: string;
  readonly name: string;
}

/**
 * An event listener (`RunOptions.onEvent`) threw, or its promise rejected. The run goes on unchanged: what a
 * listener does never changes what the run records. Only the first failure of a run is reported, to the same
 * listener; if that delivery fails too, it is dropped.
 */
export interface ListenerErrorEvent extends EventStamp {
  readonly type: 'error';
  /** Where the error came from: an event listener. */
  readonly source: 'listener';
  /** The type of the event whose delivery failed. */
  readonly eventType: Exclude<EngineEvent['type'], 'error'>;
  /** The error's message (or the thrown value as text). */
  readonly message: string;
  /** What the listener threw or rejected with. */
  readonly error: unknown;
}

/** Everything the engine reports while it works, for renderers and library users. */
export type EngineEvent =
  | ListenerErrorEvent
  | StaleRunRecoveredEvent
  | RunStartedEvent
  | NodeStartedEvent
  | OutputEvent
  | NodeFinishedEvent
  | NodeBlockedEvent
  | PromptEvent
  | HeartbeatEvent
  | OverdueEvent
  | RetryWaitEvent
  | RunAbortingEvent
  | WaitingEvent
  | RunFinishedEvent;

/** An event as its emitter builds it: the stamp is added where it is delivered. */
export type EventBody<E extends EngineEvent = EngineEvent> = E extends EngineEvent
  ? Omit<E, keyof EventStamp>
  : never;
