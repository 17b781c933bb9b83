export { InMemoryRunRepository } from './memory-run-repository.js';
