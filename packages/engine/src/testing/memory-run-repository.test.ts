import { InMemoryRunRepository } from './memory-run-repository.js';
import { runHistoryContract } from './run-history-contract.js';
import { runRepositoryContract } from './run-repository-contract.js';

runRepositoryContract('InMemoryRunRepository', () => new InMemoryRunRepository());
runHistoryContract('InMemoryRunRepository', () => new InMemoryRunRepository());
