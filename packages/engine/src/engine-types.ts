import type { Runbook } from '@playbook/domain';
import type { InputValue } from '@playbook/expressions';
import type { EngineEvent, NodeCounts } from './events.js';
import type { Clock } from './ports/clock.js';
import type { FunctionLoader } from './ports/function-loader.js';
import type { OperatorIdentity } from './ports/identity.js';
import type { ProcessRunner, ProcessTable } from './ports/process-runner.js';
import type { Prompter } from './ports/prompter.js';
import type { RunRepository } from './ports/run-repository.js';

/** Everything the engine talks to. `createNodePorts()` from `@playbook/engine/node` gives all but the first two. */
export interface EnginePorts {
  readonly repository: RunRepository;
  readonly prompter: Prompter;
  readonly clock: Clock;
  readonly processRunner: ProcessRunner;
  readonly functionLoader: FunctionLoader;
  readonly processTable: ProcessTable;
  /**
   * Who drives the engine, recorded with the run, each attempt and each decision (SPEC §10.1). Default: nobody
   * claimed, the OS user unknown, on `processTable.host`. `createNodePorts()` gives this process's.
   */
  readonly identity?: OperatorIdentity;
}

export interface EngineSettings {
  /** Per-attempt limit of nodes without their own `timeout`; default 300. */
  readonly defaultTimeoutSeconds?: number;
  /** Cap of each captured output stream (head and tail kept); default 1 MiB. */
  readonly maxOutputBytes?: number;
  /** SIGTERM → SIGKILL grace when stopping the process group a dead owner left (on run, resume); default 2000. */
  readonly killGraceMs?: number;
  /** Seconds between `heartbeat` events while a Command or Function attempt runs; 0 for none; default 60. */
  readonly heartbeatSeconds?: number;
}

export interface RunOptions {
  /** false: the prompter is never called; Manual nodes and missing `${ask}` values end `nok`. */
  readonly interactive: boolean;
  /** Automatic retries of a failed node when non-interactive; default 0. */
  readonly retries?: number;
  /** `${ask}` values given up front (`--set node.param=value`): node id → param → value. */
  readonly values?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Aborting it is an operator interrupt (SIGINT / SIGTERM / SIGQUIT): the run stops and ends `aborted`. */
  readonly signal?: AbortSignal;
  /**
   * After `signal` aborted, the run's `run_if = "failure"` / `"always"` steps whose dependencies have ended still
   * run (SPEC §8.4); aborting this one (the CLI: a second Ctrl-C) stops them and skips the rest. Without it they
   * cannot be stopped but by their timeouts.
   */
  readonly cleanupSignal?: AbortSignal;
  /**
   * Aborting it says the operator is gone (the CLI: SIGHUP, the terminal was closed). Unlike `signal`, nothing
   * is stopped: the running step is let finish (its timeout still applies) and recorded, then no new step or
   * attempt starts, a pending question ends as end of input, and the run ends `aborted` — or as it would have,
   * when the step that was running was the last one. The abort reason (an `Error`'s message) says why.
   */
  readonly hangup?: AbortSignal;
  /** Receives every event as it happens. */
  readonly onEvent?: (event: EngineEvent) => void;
  /** Extra environment variables for commands. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Values of the runbook's inputs (SPEC §8.1), already converted and checked (`resolveInputs` does both):
   * what `inputs.<name>` reads in templates. Secret ones are never stored.
   */
  readonly inputs?: Readonly<Record<string, InputValue>>;
  /** Who runs it, as `run.operator` reads in expressions; default empty. */
  readonly operator?: string;
  /** The command line's flags, recorded with the session (SPEC §10.1); secret values already masked. */
  readonly flags?: readonly string[];
  /**
   * How many ready nodes may run at once (SPEC §9.1), earliest-declared first; default 1, the plan order of
   * SPEC §2.1 exactly. With more, questions are still asked one at a time; a caller whose answers are piped
   * in plan order should keep 1.
   */
  readonly concurrency?: number;
}

export interface ResumeOptions extends RunOptions {
  /** The run to resume; default the newest `aborted`, `nok` or `running` run of the workflow. */
  readonly runId?: number;
  /**
   * Runs this node and every node after it in plan order again, whatever their status; with `rerun`, only this
   * node, or it and its dependents.
   */
  readonly fromNode?: string;
  /**
   * Re-runs steps on purpose (SPEC §9.4), with `fromNode`: `only` that node, or it and every node that depends on
   * it (`downstream`); the others keep their status. Also on a run that ended `ok` — then `runId` and a `reason`
   * are required. Each re-run is recorded with its reason (`RunRepository.recordRerun`).
   */
  readonly rerun?: 'only' | 'downstream';
  /** Why steps are re-run; recorded with the re-run. */
  readonly reason?: string;
  /**
   * The runbook the run last started (or resumed) with, from its text the history keeps by hash (SPEC §10.1):
   * when the file changed since, the `run-started` event then also names the steps whose definition changed.
   * Undefined (or a rejection) when that text is not kept or no longer parses: only added and removed steps are
   * named.
   */
  readonly previousRunbook?: (runbookHash: string) => Promise<Runbook | undefined>;
}

/** How a run (or a resumed run) ended. */
export interface RunOutcome {
  readonly workflowName: string;
  readonly runId: number;
  /** `waiting`: the run stopped at approval gates (`waitingAt`); `playbook approve` decides them (SPEC §10.2). */
  readonly status: 'ok' | 'nok' | 'aborted' | 'waiting';
  /** The approval gates the run waits at, in plan order; absent unless it is `waiting`. */
  readonly waitingAt?: readonly { readonly nodeId: string; readonly name: string }[];
  /** True when ended by the interrupt signal (a CLI exits 130). */
  readonly interrupted: boolean;
  readonly counts: NodeCounts;
  /** The node whose failure decided the outcome, with why; null when none did. */
  readonly failed: { readonly nodeId: string; readonly name: string; readonly reason: string } | null;
}

/** Runs and resumes runbooks; make one with `createEngine`. */
export interface Engine {
  /** Starts a new run of the runbook and drives it to its end. */
  run(runbook: Runbook, options: RunOptions): Promise<RunOutcome>;
  /** Continues an earlier run in place (same run id, attempt numbers continue); throws `EngineError` when it cannot. */
  resume(runbook: Runbook, options: ResumeOptions): Promise<RunOutcome>;
}
