import type { Writable } from 'node:stream';
import { ExitCode } from '../errors.js';

/** The process-level hooks interrupt handling needs; the real `process` in production. */
export interface SignalSource {
  on(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  exit(code: number): never;
}

export interface InterruptTrap {
  /** Aborted by the first interrupt; give it to the engine. */
  readonly signal: AbortSignal;
  /** Whether an interrupt arrived. */
  readonly interrupted: boolean;
  /** An interrupt from inside the process (Ctrl-C typed at a raw-mode prompt): same as a SIGINT. */
  interrupt(): void;
  /** Removes the signal handlers; call when the run is over. */
  release(): void;
}

/**
 * SIGINT / SIGTERM handling of a run (SPEC §2.6). The first signal aborts the run: the engine stops the
 * running command's process group, records the attempt as interrupted and the run as aborted, and the command
 * exits 130. A second one exits at once with 130 — the process-exit hook of the process runner still kills the
 * live process group, and the run left `running` is resumable because its owner is gone.
 */
export function trapInterrupts(options: {
  readonly stderr: Writable;
  /** Called before an interrupt is reported, to clear a running clock or end an open output line. */
  readonly beforeReport?: () => void;
  readonly source?: SignalSource;
}): InterruptTrap {
  const source: SignalSource = options.source ?? process;
  const controller = new AbortController();
  let count = 0;
  const onSignal = () => {
    count += 1;
    options.beforeReport?.();
    if (count === 1) {
      options.stderr.write(
        '\nInterrupted: stopping the running step… (press Ctrl-C again to quit at once)\n',
      );
      controller.abort(new Error('interrupted by the operator'));
      return;
    }
    options.stderr.write('\nQuitting now. The run can be resumed.\n');
    source.exit(ExitCode.interrupted);
  };
  source.on('SIGINT', onSignal);
  source.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    get interrupted() {
      return count > 0;
    },
    interrupt: onSignal,
    release: () => {
      source.off('SIGINT', onSignal);
      source.off('SIGTERM', onSignal);
    },
  };
}
