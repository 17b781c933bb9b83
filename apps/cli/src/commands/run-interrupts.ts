import type { Writable } from 'node:stream';
import { ExitCode } from '../errors.js';
import { wordList } from '../terminal/format.js';

/** The signals that interrupt a run (SPEC §2.6, §11): the running step is stopped. */
const INTERRUPTS = ['SIGINT', 'SIGTERM', 'SIGQUIT'] as const;

/** Every signal a run handles: the interrupts, and SIGHUP (the operator's terminal is gone). */
export type RunSignal = (typeof INTERRUPTS)[number] | 'SIGHUP';

/** The process-level hooks signal handling needs; the real `process` in production. */
export interface SignalSource {
  on(event: RunSignal, listener: () => void): unknown;
  off(event: RunSignal, listener: () => void): unknown;
  exit(code: number): never;
}

export interface InterruptTrap {
  /** Aborted by the first interrupt; give it to the engine as `signal`. */
  readonly signal: AbortSignal;
  /** Aborted by SIGHUP; give it to the engine as `hangup`. */
  readonly hangup: AbortSignal;
  /**
   * Aborted by the second interrupt while the rollback and cleanup steps of an aborted run go on (SPEC §8.4);
   * give it to the engine as `cleanupSignal`.
   */
  readonly cleanupSignal: AbortSignal;
  /**
   * The engine said that an interrupted run still runs its cleanup steps (`run-aborting`): the next interrupt
   * stops them rather than quitting at once.
   */
  cleanupStarted(): void;
  /**
   * Aborted by either: what a prompter waits on, since no answer will come after any of them. Read it at each
   * question: once an interrupted run's cleanup steps start it is a fresh signal, aborted by the next interrupt.
   */
  readonly promptSignal: AbortSignal;
  /** Whether an interrupt arrived. */
  readonly interrupted: boolean;
  /** Whether SIGHUP arrived. */
  readonly hungUp: boolean;
  /** An interrupt from inside the process (Ctrl-C typed at a raw-mode prompt): same as a SIGINT. */
  interrupt(): void;
  /**
   * The terminal found gone from inside the process (its input ended under a raw-mode question, which only a
   * hang-up does): same as a SIGHUP, which may be handled only after the question has ended.
   */
  hangUp(): void;
  /** Removes the signal handlers; call when the run is over. */
  release(): void;
}

/**
 * Signal handling of a run (SPEC §2.6, §11; docs/signals.md).
 *
 * SIGINT, SIGTERM and SIGQUIT interrupt: the first one aborts the run — the engine stops the running command's
 * process group, records the attempt as interrupted and the run as aborted, and the command exits 130. A second
 * one exits at once with 130 — the process-exit hook of the process runner still kills the live process group,
 * and the run left `running` is resumable because its owner is gone.
 *
 * SIGHUP says the operator's terminal is gone (closed, ssh dropped). Nothing is stopped: the running step is let
 * finish and recorded, nothing new starts, a pending question ends as end of input, and the command exits 129.
 *
 * When the interrupted run still has rollback and cleanup steps to run (`run_if = "failure"` / `"always"`, SPEC
 * §8.4), the second interrupt stops them instead (`cleanupSignal`) and a third one quits at once.
 * Without this handler Node would die at once, leaving the command's process group running and the run
 * `running`. Further SIGHUPs change nothing; an interrupt still stops the step.
 */
export function trapInterrupts(options: {
  readonly stderr: Writable;
  /** Called before a signal is reported, to clear a running clock or end an open output line. */
  readonly beforeReport?: () => void;
  /** The names of the steps running now, in the runbook's order: the first interrupt names what it stops. */
  readonly running?: () => readonly string[];
  readonly source?: SignalSource;
}): InterruptTrap {
  const source: SignalSource = options.source ?? process;
  const interrupts = new AbortController();
  const hangups = new AbortController();
  let prompts = new AbortController();
  const cleanup = new AbortController();
  let count = 0;
  let cleaning = false;
  const onInterrupt = () => {
    count += 1;
    options.beforeReport?.();
    if (count === 1) {
      options.stderr.write(
        `\nInterrupted: ${stopping(options.running?.() ?? [])}… (press Ctrl-C again to quit at once)\n`,
      );
      interrupts.abort(new Error('interrupted by the operator'));
      prompts.abort(interrupts.signal.reason);
      return;
    }
    if (count === 2 && cleaning) {
      options.stderr.write(
        '\nSkipping the remaining rollback and cleanup steps… (press Ctrl-C again to quit at once)\n',
      );
      cleanup.abort(new Error('interrupted by the operator'));
      prompts.abort(cleanup.signal.reason);
      return;
    }
    options.stderr.write('\nQuitting now. The run can be resumed.\n');
    source.exit(ExitCode.interrupted);
  };
  const onHangup = () => {
    if (hangups.signal.aborted) return;
    options.beforeReport?.();
    // Most likely nobody reads this; when the output goes to a file or a pipe that outlived the terminal, it
    // says why the run stopped. A terminal that is gone drops it without error (see broken-pipe.ts).
    options.stderr.write(
      '\nThe terminal was closed (SIGHUP): the running step is let finish, nothing new starts. The run can be resumed.\n',
    );
    hangups.abort(new Error('the terminal was closed (SIGHUP)'));
    prompts.abort(hangups.signal.reason);
  };
  for (const name of INTERRUPTS) source.on(name, onInterrupt);
  source.on('SIGHUP', onHangup);
  return {
    signal: interrupts.signal,
    hangup: hangups.signal,
    cleanupSignal: cleanup.signal,
    cleanupStarted: () => {
      cleaning = true;
      // The cleanup steps may ask the operator: questions work again until the next interrupt or a hang-up.
      if (!hangups.signal.aborted && prompts.signal.aborted) prompts = new AbortController();
    },
    get promptSignal() {
      return prompts.signal;
    },
    get interrupted() {
      return count > 0;
    },
    get hungUp() {
      return hangups.signal.aborted;
    },
    interrupt: onInterrupt,
    hangUp: onHangup,
    release: () => {
      for (const name of INTERRUPTS) source.off(name, onInterrupt);
      source.off('SIGHUP', onHangup);
    },
  };
}

/** What the first interrupt stops, in words: the step or steps running (SPEC §9.1), by name. */
function stopping(names: readonly string[]): string {
  if (names.length === 0) return 'stopping the running step';
  const quoted = names.map((name) => `"${name}"`);
  if (quoted.length === 1) return `stopping the running step ${quoted[0]}`;
  return `stopping the ${quoted.length} running steps ${wordList(quoted)}`;
}
