import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests import sibling packages from source, so `vitest run` needs no build.
// End-to-end tests that spawn the built binary build it first (see apps/cli/test).
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@playbook\/engine\/node$/, replacement: src('./packages/engine/src/node/index.ts') },
      {
        find: /^@playbook\/engine\/event-schema$/,
        replacement: src('./packages/engine/src/event-schema.ts'),
      },
      { find: /^@playbook\/engine\/records$/, replacement: src('./packages/engine/src/records.ts') },
      { find: /^@playbook\/engine\/approvals$/, replacement: src('./packages/engine/src/approvals.ts') },
      { find: /^@playbook\/engine\/testing$/, replacement: src('./packages/engine/src/testing/index.ts') },
      {
        find: /^@playbook\/engine\/testing\/contract$/,
        replacement: src('./packages/engine/src/testing/contract/index.ts'),
      },
      { find: /^@playbook\/domain\/text$/, replacement: src('./packages/domain/src/text.ts') },
      { find: /^@playbook\/parser\/key-locator$/, replacement: src('./packages/parser/src/key-locator.ts') },
      {
        find: /^@playbook\/parser\/prototype$/,
        replacement: src('./packages/parser/src/prototype/index.ts'),
      },
      { find: /^@playbook\/engine\/defaults$/, replacement: src('./packages/engine/src/defaults.ts') },
      { find: /^@playbook\/expressions\/cel$/, replacement: src('./packages/expressions/src/cel.ts') },
      { find: /^@playbook\/expressions$/, replacement: src('./packages/expressions/src/index.ts') },
      { find: /^@playbook\/domain$/, replacement: src('./packages/domain/src/index.ts') },
      { find: /^@playbook\/parser$/, replacement: src('./packages/parser/src/index.ts') },
      { find: /^@playbook\/engine$/, replacement: src('./packages/engine/src/index.ts') },
      { find: /^@playbook\/sql-store$/, replacement: src('./packages/sql-store/src/index.ts') },
      { find: /^@playbook\/sqlite$/, replacement: src('./packages/sqlite/src/index.ts') },
      { find: /^@playbook\/postgres\/redact$/, replacement: src('./packages/postgres/src/redact-url.ts') },
      { find: /^@playbook\/postgres$/, replacement: src('./packages/postgres/src/index.ts') },
      { find: /^@playbook\/graphviz$/, replacement: src('./packages/graphviz/src/index.ts') },
      { find: /^@playbook\/report$/, replacement: src('./packages/report/src/index.ts') },
      { find: /^@playbook\/server$/, replacement: src('./packages/server/src/index.ts') },
    ],
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
    ],
    // A throw-away PostgreSQL server for @playbook/postgres (or PLAYBOOK_TEST_POSTGRES_URL's).
    globalSetup: ['packages/postgres/test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
