import type { Runbook, RunbookNode, RunKey } from '@playbook/domain';
import type { AttemptOutput } from './attempt-output.js';
import type { EventBody, PromptEvent } from './events.js';
import type { Clock } from './ports/clock.js';
import type { FunctionLoader } from './ports/function-loader.js';
import type { OperatorIdentity, WhatRan } from './ports/identity.js';
import { unknownIdentity } from './ports/identity.js';
import type { ProcessRunner } from './ports/process-runner.js';
import type { Prompter } from './ports/prompter.js';
import type { RunRepository } from './ports/run-repository.js';
import type { SecretMasker } from './secret-masker.js';

/** Engine settings with every default applied. */
export interface ResolvedSettings {
  readonly defaultTimeoutSeconds: number;
  readonly maxOutputBytes: number;
  readonly killGraceMs: number;
  readonly heartbeatSeconds: number;
}

/** The answer to a question put to the operator, or why none came. */
export type PromptOutcome<T> =
  | { readonly kind: 'answer'; readonly value: T }
  /** The run's signal fired while the question waited. */
  | { readonly kind: 'interrupted' }
  /** The prompter's input ended (or it gave up): the run aborts cleanly. `reason` says which. */
  | { readonly kind: 'closed'; readonly reason: string };

/** How one attempt ended, before it is written. */
export interface AttemptResult {
  readonly status: 'ok' | 'nok' | 'skipped';
  /** One line saying why, for `nok`. */
  readonly reason: string | null;
  readonly operatorDecision?: string | null;
  readonly resultText?: string | null;
  readonly exitCode?: number | null;
  readonly exception?: string | null;
  readonly stdout?: string | null;
  readonly stderr?: string | null;
  /** What the attempt produced for the steps after it (SPEC §8.3), before the session checks them. */
  readonly outputs?: Readonly<Record<string, string>>;
  /** The run's signal stopped it: the run ends `aborted`. */
  readonly interrupted?: boolean;
  /** The operator's input ended while it waited: the run ends `aborted`. */
  readonly promptClosed?: boolean;
  /** Failed only for want of an operator: retrying cannot help. */
  readonly needsOperator?: boolean;
  /** Failed before it ran (a template that cannot be rendered): never retried automatically. */
  readonly permanent?: boolean;
  /** Stopped by its timeout: a `retry` policy retries it only when its `exit_codes` list 124. */
  readonly timedOut?: boolean;
  /** What the attempt ran (SPEC §10.1), stored with its outcome. */
  readonly ran?: WhatRan;
}

/** What a node kind's runner gets for one attempt. */
export interface AttemptContext<N extends RunbookNode = RunbookNode> {
  readonly node: N;
  readonly attempt: number;
  readonly run: RunKey;
  readonly runbook: Runbook;
  readonly interactive: boolean;
  /** The run's interrupt signal (never aborts when the caller gave none). */
  readonly signal: AbortSignal;
  readonly env: Readonly<Record<string, string>> | undefined;
  readonly settings: ResolvedSettings;
  /** Other nodes may run beside this one (`concurrency` above 1): its process group is one of several. */
  readonly concurrent: boolean;
  readonly repository: RunRepository;
  readonly clock: Clock;
  readonly processRunner: ProcessRunner;
  readonly functionLoader: FunctionLoader;
  readonly prompter: Prompter;
  /** The run's secrets: whatever the attempt keeps or tells is masked through it. */
  readonly masker: SecretMasker;
  /** The attempt's output streams: masked, then emitted as `output` events and captured. */
  readonly output: AttemptOutput;
  /**
   * Tells the attempt's start (`node-started`), once: a Command's runner calls it as the command is being
   * started; the engine calls it before any other event of the attempt in any case.
   */
  readonly announceStart?: () => void;
  /** Hands an event to the run's listener, stamped with the run and the time. */
  emit(event: EventBody): void;
  /** Emits a `prompt` event, then asks; never called when the run is non-interactive. */
  prompt<T>(question: PromptEvent['question'], ask: () => Promise<T>): Promise<PromptOutcome<T>>;
}

/** The attempt's time limit in seconds: the node's own or the configured default. */
export function timeoutSeconds(context: AttemptContext): number {
  return context.node.timeout ?? context.settings.defaultTimeoutSeconds;
}

/**
 * Where a Command node runs: its `cwd` (rendered) against the runbook's directory, or that directory. No path
 * library: the engine core stays free of Node modules, and the process runner takes the joined path as it is.
 */
export function commandDirectory(runbook: Runbook, cwd: string | undefined): string {
  const base = runbookDirectory(runbook);
  if (cwd === undefined || cwd === '' || cwd === '.') return base;
  if (cwd.startsWith('/')) return cwd;
  return `${base.endsWith('/') ? base.slice(0, -1) : base}/${cwd}`;
}

/** The directory commands run in and modules resolve from. */
export function runbookDirectory(runbook: Runbook): string {
  // A runbook built in memory has no file; "." leaves the choice to the adapter's own working directory.
  return runbook.source?.directory ?? '.';
}

export const INTERRUPTED: AttemptResult = {
  status: 'nok',
  reason: 'interrupted',
  operatorDecision: 'interrupted',
  interrupted: true,
};

/** No answer came: `reason` is the prompter's (input ended, or too many unrecognised answers). */
export function promptClosed(reason: string): AttemptResult {
  return { status: 'nok', reason: `no answer: ${reason}`, operatorDecision: 'abort', promptClosed: true };
}

/** Who drives the engine: the identity port's, or nobody claimed on this host. */
export function identityOf(ports: {
  readonly identity?: OperatorIdentity;
  readonly processTable: { readonly host: string };
}): OperatorIdentity {
  return ports.identity ?? unknownIdentity(ports.processTable.host);
}
