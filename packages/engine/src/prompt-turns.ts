/**
 * Questions of nodes running together, asked one at a time in the order they came (SPEC §9.1): the operator
 * answers one prompt, then sees the next. A node whose run is interrupted (or whose operator is gone) while it
 * waits for its turn stops waiting at once.
 */
export class PromptTurns {
  #last: Promise<void> = Promise.resolve();

  /** Resolves once every earlier question is answered (or the signal fires); call the result when done asking. */
  async wait(signal: AbortSignal, hangup: AbortSignal | undefined): Promise<() => void> {
    const before = this.#last;
    let release = () => {};
    this.#last = new Promise<void>((resolve) => {
      release = resolve;
    });
    if (signal.aborted || hangup?.aborted) return release;
    let stopWaiting = () => {};
    const stopped = new Promise<void>((resolve) => {
      stopWaiting = () => resolve();
      signal.addEventListener('abort', stopWaiting, { once: true });
      hangup?.addEventListener('abort', stopWaiting, { once: true });
    });
    try {
      await Promise.race([before, stopped]);
    } finally {
      signal.removeEventListener('abort', stopWaiting);
      hangup?.removeEventListener('abort', stopWaiting);
    }
    // Released only after the earlier question: a queue cut short by an interrupt never lets two ask at once.
    const mine = release;
    return () => {
      void before.then(mine);
    };
  }
}
