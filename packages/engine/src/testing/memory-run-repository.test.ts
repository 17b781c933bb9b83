import { runHistoryContract, runRepositoryContract } from './contract/index.js';
import { InMemoryRunRepository } from './memory-run-repository.js';

// Its storage is the object itself: reopening it is keeping it.
const reopen = (repository: InMemoryRunRepository) => repository;

runRepositoryContract('InMemoryRunRepository', () => new InMemoryRunRepository(), { reopen });
runHistoryContract('InMemoryRunRepository', () => new InMemoryRunRepository(), { reopen });
