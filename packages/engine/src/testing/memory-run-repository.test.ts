import { InMemoryRunRepository } from './memory-run-repository.js';
import { runRepositoryContract } from './run-repository-contract.js';

runRepositoryContract('InMemoryRunRepository', () => new InMemoryRunRepository());
