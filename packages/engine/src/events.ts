import type { NodeType } from '@playbook/domain';
import type { OutputStream } from './ports/process-runner.js';
import type { AttemptStatus, NodeStatus, RunStatus, RunTrigger } from './ports/run-repository.js';

/** Node counts by latest attempt, as stored on the run. */
export interface NodeCounts {
  readonly ok: number;
  readonly nok: number;
  readonly skipped: number;
}

/** A run began (or resumed); `plan` lists node ids in execution order. */
export interface RunStartedEvent {
  readonly type: 'run-started';
  readonly workflowName: string;
  readonly runId: number;
  readonly trigger: RunTrigger;
  readonly plan: readonly string[];
  /**
   * On resume: nodes kept from earlier attempts with their status. A repeatable node listed here that ended ok
   * may still run again: the operator is asked right after this event.
   */
  readonly kept: readonly { readonly nodeId: string; readonly status: NodeStatus }[];
  /** On resume of a changed runbook file: node ids added and removed since the run started. */
  readonly changes?: { readonly added: readonly string[]; readonly removed: readonly string[] };
}

/** An attempt of a node began. */
export interface NodeStartedEvent {
  readonly type: 'node-started';
  readonly nodeId: string;
  readonly name: string;
  readonly kind: NodeType;
  readonly attempt: number;
  /** The node's `description`, when it has one: shown to the operator before the step runs. */
  readonly description?: string;
}

/** A chunk of live output of a command, or a line logged by a function. */
export interface OutputEvent {
  readonly type: 'output';
  readonly nodeId: string;
  readonly attempt: number;
  readonly stream: OutputStream;
  readonly chunk: string;
}

/** An attempt of a node ended. */
export interface NodeFinishedEvent {
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
export interface NodeBlockedEvent {
  readonly type: 'node-blocked';
  readonly nodeId: string;
  readonly name: string;
  /** The failed dependency (direct or not) that blocks it. */
  readonly blockedBy: string;
}

/** The engine is about to ask the operator something (renderers may pause a spinner). */
export interface PromptEvent {
  readonly type: 'prompt';
  readonly nodeId: string;
  readonly question: 'manual' | 'after-failure' | 'ask-value' | 'confirm-repeat';
}

/** The run ended. */
export interface RunFinishedEvent {
  readonly type: 'run-finished';
  readonly workflowName: string;
  readonly runId: number;
  readonly status: Exclude<RunStatus, 'running'>;
  readonly counts: NodeCounts;
  readonly durationMs: number;
  /** The node whose failure decided the outcome, with why; null when the run ended ok. */
  readonly failed: { readonly nodeId: string; readonly name: string; readonly reason: string } | null;
}

/**
 * Before a run starts (on `run` or `resume`), an earlier run of the workflow was found `running` with its owner
 * gone (killed, a power cut) and was recorded `aborted` (SPEC §2.5): its orphaned process group stopped, its
 * running attempts ended `nok` / "interrupted". `ownerHost` / `ownerPid` name the dead owner, null when none
 * was recorded; `interrupted` lists the node ids whose attempt it ended.
 */
export interface StaleRunRecoveredEvent {
  readonly type: 'stale-run-recovered';
  readonly workflowName: string;
  readonly runId: number;
  readonly ownerHost: string | null;
  readonly ownerPid: number | null;
  readonly interrupted: readonly string[];
}

/** Everything the engine reports while it works, for renderers and library users. */
export type EngineEvent =
  | StaleRunRecoveredEvent
  | RunStartedEvent
  | NodeStartedEvent
  | OutputEvent
  | NodeFinishedEvent
  | NodeBlockedEvent
  | PromptEvent
  | RunFinishedEvent;
