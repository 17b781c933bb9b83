import { afterEach } from 'vitest';

/** What the contract suites need of a store: that it may be closed. */
export interface Closable {
  close?(): Promise<void>;
}

/** Options every contract suite takes. */
export interface ContractOptions<S> {
  /** Called after each test, once the store is closed: remove its files here. */
  readonly cleanup?: (store: S) => Promise<void> | void;
}

/**
 * Call inside a suite's `describe`: returns a function that gives a test a fresh store from `make`; every store
 * given is closed, then cleaned up, after its test.
 */
export function freshStores<S extends Closable>(
  make: () => Promise<S> | S,
  options: ContractOptions<S>,
): () => Promise<S> {
  const opened: S[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) {
      await store.close?.();
      await options.cleanup?.(store);
    }
  });
  return async () => {
    const store = await make();
    opened.push(store);
    return store;
  };
}
