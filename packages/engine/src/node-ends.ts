/**
 * The ends of the nodes running side by side, in the order they come: `next()` gives the earliest one not taken
 * yet. `Promise.race` over the running nodes at each end would add a reaction to every running node's promise
 * each time, kept until that node ends: a node running beside 100,000 short ones would carry 100,000 of them,
 * and each end would cost as many reactions as nodes are running. Here each node's promise gets one.
 */
export class NodeEnds<T> {
  readonly #ended: T[] = [];
  #failure: { readonly error: unknown } | undefined;
  #wake: (() => void) | undefined;

  /** Follows a running node; its rejection (a port that failed) is thrown by `next()`, before any later end. */
  add(ending: Promise<T>): void {
    ending.then(
      (end) => {
        this.#ended.push(end);
        this.#wake?.();
      },
      (error: unknown) => {
        this.#failure ??= { error };
        this.#wake?.();
      },
    );
  }

  /** The next end, waited for if none is there yet; call it only while a node added is still running. */
  async next(): Promise<T> {
    for (;;) {
      if (this.#failure !== undefined) throw this.#failure.error;
      // At most as many ends wait as nodes run at once: shift() is cheap here.
      if (this.#ended.length > 0) return this.#ended.shift() as T;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }
}
