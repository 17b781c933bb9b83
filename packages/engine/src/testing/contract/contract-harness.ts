import { afterEach } from 'vitest';

/** What the contract suites need of a store: that it may be closed. */
export interface Closable {
  close?(): Promise<void>;
}

/** Options every contract suite takes. */
export interface ContractOptions<S> {
  /**
   * Opens the storage of `store` again as a new store, once `store` is closed — what the next process would
   * see. A store whose storage is itself (in memory) returns it. A store that loses anything on the way fails
   * the suite's `reopen` cases.
   */
  readonly reopen: (store: S) => Promise<S> | S;
  /** Called after each test for the store last opened on each storage, once it is closed: remove files here. */
  readonly cleanup?: (store: S) => Promise<void> | void;
}

/** How a suite's tests get their stores. */
export interface ContractStores<S> {
  /** A fresh, empty store; closed and cleaned up after the test. */
  fresh(): Promise<S>;
  /** Closes `store` and opens its storage again (`ContractOptions.reopen`); `store` must not be used after. */
  reopen(store: S): Promise<S>;
}

/** Call inside a suite's `describe`: the stores of its tests, each closed and cleaned up after its test. */
export function contractStores<S extends Closable>(
  make: () => Promise<S> | S,
  options: ContractOptions<S>,
): ContractStores<S> {
  const opened: S[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) {
      await store.close?.();
      await options.cleanup?.(store);
    }
  });
  return {
    async fresh() {
      const store = await make();
      opened.push(store);
      return store;
    },
    async reopen(store) {
      const index = opened.indexOf(store);
      await store.close?.();
      const again = await options.reopen(store);
      if (index === -1) opened.push(again);
      else opened[index] = again;
      return again;
    },
  };
}
