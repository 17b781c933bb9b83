export { InMemoryRunRepository } from './memory-run-repository.js';
export type { RunRepositoryContractOptions } from './run-repository-contract.js';
export { runRepositoryContract } from './run-repository-contract.js';
