import type { OutputLog } from '@playbook/domain';
import { BoundedOutput } from './bounded-output.js';
import { OrderedOutput } from './ordered-output.js';
import type { OutputStream } from './ports/process-runner.js';
import type { MaskedStream, SecretMasker } from './secret-masker.js';

/**
 * The output of one attempt, on its way to the operator and the history: each stream goes through the run's
 * secret mask first, and only masked text is emitted (`output` events) and captured (bounded, head and tail).
 * Both kinds of step use it — a command's chunks and a function's logged lines — so no output reaches an event
 * or a stored column by another path. A command's own capture (`CommandResult.stdout`) holds the bytes before
 * masking, where a secret cut by the head/tail marker could not be masked any more: it is used only when the run
 * has no secret at all (`capture` false), which saves capturing every byte twice.
 */
export class AttemptOutput {
  readonly #streams: Record<OutputStream, { readonly mask: MaskedStream; readonly captured: BoundedOutput }>;
  readonly #emit: (stream: OutputStream, chunk: string) => void;
  readonly #capture: boolean;
  readonly #ordered: OrderedOutput;
  readonly #now: () => string;
  #ended = false;

  constructor(
    masker: SecretMasker,
    options: {
      readonly maxBytes: number;
      readonly capture: boolean;
      /** The time now, UTC ISO-8601 (from the Clock port): when each line arrived. */
      readonly now: () => string;
    },
    emit: (stream: OutputStream, chunk: string) => void,
  ) {
    const open = () => ({ mask: masker.stream(), captured: new BoundedOutput(options.maxBytes) });
    this.#streams = { stdout: open(), stderr: open() };
    this.#capture = options.capture;
    // The ordered lines are bounded like both columns together: `maxBytes` per stream.
    this.#ordered = new OrderedOutput(2 * options.maxBytes);
    this.#now = options.now;
    this.#emit = emit;
  }

  /** Takes text of a stream; what is safe to show now is emitted and captured. Ignored once ended. */
  write(stream: OutputStream, text: string): void {
    if (this.#ended) return;
    this.#pass(stream, this.#streams[stream].mask.write(text));
  }

  /** Lets go of what each stream held back (a possible start of a secret); later writes are ignored. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const stream of ['stdout', 'stderr'] as const) this.#pass(stream, this.#streams[stream].mask.end());
    this.#ordered.end();
  }

  /** Both streams' masked lines in the order they arrived, with their times (call after `end`). */
  log(): OutputLog {
    return this.#ordered.log();
  }

  /** The captured, masked text of a stream (call after `end`); undefined when made not to capture. */
  captured(stream: OutputStream): string | undefined {
    return this.#capture ? this.#streams[stream].captured.toString() : undefined;
  }

  #pass(stream: OutputStream, text: string): void {
    if (text === '') return;
    if (this.#capture) this.#streams[stream].captured.write(text);
    this.#ordered.write(stream, text, this.#now());
    this.#emit(stream, text);
  }
}
