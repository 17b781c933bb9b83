import { describe, expect, it } from 'vitest';
import { InMemoryRunRepository } from '../memory-run-repository.js';
import type { ContractStores } from './contract-harness.js';
import { historyReopenCases, repositoryReopenCases } from './reopen-cases.js';

// The reopen cases must be able to fail: an adapter whose storage is lost when it is opened again (a cache
// mistaken for a database, a file opened in memory) must not pass them.
const forgetful: ContractStores<InMemoryRunRepository> = {
  fresh: async () => new InMemoryRunRepository(),
  reopen: async () => new InMemoryRunRepository(),
};

const faithful: ContractStores<InMemoryRunRepository> = {
  fresh: async () => new InMemoryRunRepository(),
  reopen: async (store) => store,
};

describe('the reopen cases of the contract suites', () => {
  for (const reopenCase of [...repositoryReopenCases, ...historyReopenCases]) {
    it(`fail a forgetful adapter: ${reopenCase.name}`, async () => {
      await expect(reopenCase.run(forgetful)).rejects.toThrow();
    });

    it(`pass one that keeps its storage: ${reopenCase.name}`, async () => {
      await expect(reopenCase.run(faithful)).resolves.toBeUndefined();
    });
  }
});
