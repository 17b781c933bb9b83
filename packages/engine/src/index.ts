// The records of a run's history are the domain's; re-exported beside the port that writes them.
export type {
  ApprovalRecord,
  AttemptKey,
  AttemptRecord,
  AttemptStatus,
  NodeStatus,
  OutputLog,
  OutputLogLine,
  RunKey,
  RunOwner,
  RunRecord,
  RunState,
  RunStatus,
  RunTrigger,
  StoredInputValue,
} from '@playbook/domain';
export { checkGivenValues } from './ask-values.js';
export { describeAttempt, describeRun, newAttemptRecord } from './attempt-record.js';
export type { AuditEntry, AuditHead, AuditLog } from './audit/audit-entry.js';
export { type RunVerdict, verifyRun } from './audit/verify-run.js';
export { BoundedOutput, droppedMarker } from './bounded-output.js';
export { DEFAULT_KILL_GRACE_MS, DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_TIMEOUT_SECONDS } from './defaults.js';
export { createEngine } from './engine.js';
export type { EngineErrorCode } from './engine-error.js';
export { EngineError } from './engine-error.js';
export type {
  Engine,
  EnginePorts,
  EngineSettings,
  ResumeOptions,
  RunOptions,
  RunOutcome,
} from './engine-types.js';
export type { LineEvent } from './event-line.js';
// The schema itself is on `@playbook/engine/event-schema`: TypeBox is not loaded by a run.
export { EVENT_SCHEMA_VERSION, eventLine } from './event-line.js';
export type { EventLine } from './event-schema.js';
export type {
  EngineEvent,
  EventBody,
  EventStamp,
  HeartbeatEvent,
  ListenerErrorEvent,
  NodeBlockedEvent,
  NodeCounts,
  NodeFinishedEvent,
  NodeStartedEvent,
  OutputEvent,
  OverdueEvent,
  PromptEvent,
  RetryWaitEvent,
  RunAbortingEvent,
  RunFinishedEvent,
  RunStartedEvent,
  StaleRunRecoveredEvent,
  WaitingEvent,
} from './events.js';
export { compareCodePoints } from './name-order.js';
export type { OutputFileResult } from './output-file-parser.js';
export { OutputFileParser } from './output-file-parser.js';
export type { PlanOptions, PlanResumeOptions } from './plan-run.js';
export { planRun } from './plan-run.js';
// The schema itself is on `@playbook/engine/plan-schema`: TypeBox is not loaded by a plan.
export type { Plan, PlanCondition, PlanInput, PlanRetry, PlanStep } from './plan-schema.js';
export { PLAN_SCHEMA_VERSION } from './plan-version.js';
export { planOrder } from './planner.js';
export type { Clock } from './ports/clock.js';
export type {
  FunctionContext,
  FunctionLoadErrorCode,
  FunctionLoader,
  FunctionLogger,
  PlaybookFunction,
} from './ports/function-loader.js';
export { FunctionLoadError } from './ports/function-loader.js';
export type {
  OperatorIdentity,
  SessionInput,
  SessionKind,
  SessionRecord,
  WhatRan,
} from './ports/identity.js';
export { unknownIdentity } from './ports/identity.js';
export type {
  CommandRequest,
  CommandResult,
  OutputStream,
  ProcessRunner,
  ProcessTable,
} from './ports/process-runner.js';
export type {
  AskValueRequest,
  FailureChoice,
  FailureRequest,
  ManualAnswer,
  ManualRequest,
  MarkOkAnswer,
  MarkOkRequest,
  PromptClosedErrorCode,
  Prompter,
  RepeatRequest,
} from './ports/prompter.js';
export { PromptClosedError } from './ports/prompter.js';
export type { DatabaseInfo, NodeStatusCount, RunHistory, WorkflowSummary } from './ports/run-history.js';
export type {
  ApprovalOutcome,
  AttemptOutcome,
  ClaimRunInput,
  CreateRunInput,
  FinishRunInput,
  RecordApprovalInput,
  RerunRecord,
  RunRepository,
  StartAttemptInput,
} from './ports/run-repository.js';
export type { RunRepositoryErrorCode } from './ports/run-repository-error.js';
export {
  attemptNotFound,
  attemptNotRunning,
  RunRepositoryError,
  runNotFound,
} from './ports/run-repository-error.js';
export type {
  NotRecoveredReason,
  RecoverStaleRunsOptions,
  RecoveryOptions,
  RecoveryPorts,
  RecoveryResult,
  RunLiveness,
} from './recover-stale-run.js';
export {
  ownerLiveness,
  recoverStaleRun,
  recoverStaleRuns,
  runLiveness,
  staleRunRecoveredEvent,
} from './recover-stale-run.js';
export { findResumeRun } from './resume-checks.js';
export { SECRET_MASK, SecretMasker } from './secret-masker.js';
export { ownString } from './string-pieces.js';
// The in-memory repository is also on the core entry: a program that keeps no history uses it, not only tests.
export { InMemoryRunRepository } from './testing/memory-run-repository.js';
