import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../fixtures-run/e2e.js';
import { faultSandbox, rawDatabase, removeSandboxes } from './support.js';

// Through the binary: a state file that is not ours makes `run`, `resume`, `info` and `show` stop with one
// line and exit 1, before anything runs, and the file keeps every byte.
describe('the CLI on a damaged or foreign state file', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);
  afterAll(removeSandboxes);

  const cases: [string, (path: string) => void, RegExp][] = [
    [
      'random bytes behind an SQLite header',
      (path) =>
        writeFileSync(
          path,
          Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(4096, 7)]),
        ),
      /is not a usable SQLite database/,
    ],
    [
      "another application's database",
      (path) => {
        const db = rawDatabase(path);
        db.exec('create table notes (body text)');
        db.close();
      },
      /is an SQLite database but not a Playbook state file \(it has table notes\)/,
    ],
  ];

  it.each(cases)(
    '%s: one line, exit 1, nothing run, file unchanged',
    async (_name, make, message) => {
      const box = await faultSandbox();
      const file = await box.runbook(
        'x',
        'X',
        '[step]\ntype = "Command"\ncommand_name = "echo x >> marks/step"\n',
      );
      mkdirSync(box.path('state'));
      make(box.statePath);
      const bytes = readFileSync(box.statePath);
      for (const args of [['run', file], ['resume', file], ['info'], ['show', 'X']]) {
        const result = await runCli(box, args);
        const context = `${args.join(' ')}\n${result.stdout}\n${result.stderr}`;
        expect(result.code, context).toBe(1);
        expect(result.stderr, context).toMatch(/^error: [^\n]+\n$/);
        expect(result.stderr).toMatch(message);
        expect(result.stderr).toContain(box.statePath);
        expect(readFileSync(box.statePath).equals(bytes)).toBe(true);
      }
      expect(readdirSync(box.path('marks'))).toEqual([]);
    },
    30_000,
  );
});
