// `@playbook/engine/testing/contract`: the adapter contract suites, the only part of the engine that imports
// vitest (an optional peer dependency). The fakes are on `@playbook/engine/testing`, free of it.
export type { Closable, ContractOptions } from './contract-harness.js';
export type { RunHistoryContractOptions, RunStore } from './run-history-contract.js';
export { runHistoryContract } from './run-history-contract.js';
export type { RunRepositoryContractOptions } from './run-repository-contract.js';
export { runRepositoryContract } from './run-repository-contract.js';
