import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../fixtures-run/e2e.js';
import { faultSandbox, inspectStateFile, markerCounts, removeSandboxes, trialCount } from './support.js';

const TRIALS = trialCount(2, 10);

// SPEC §2.7: a run that another live process is driving is refused. Two `resume`s started together race for
// the same run: exactly one drives it, the other is refused with one clear line, and no step runs twice.
describe(`two resumes of the same run at once (${TRIALS} trials)`, () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);
  afterAll(removeSandboxes);

  for (let trial = 0; trial < TRIALS; trial++) {
    it(`trial ${trial + 1}: exactly one is refused`, async () => {
      const box = await faultSandbox();
      const file = await box.runbook(
        'race',
        'Race',
        `
[first]
type = "Command"
command_name = "echo x >> marks/first"

[slow]
type = "Command"
command_name = "test -f fixed && sleep 1 && echo x >> marks/slow"
depends_on = ["first"]
`,
      );
      expect((await runCli(box, ['run', file, '--non-interactive'])).code).toBe(1);
      await writeFile(box.path('fixed'), '');

      const results = await Promise.all([
        runCli(box, ['resume', file, '1', '--non-interactive'], { timeoutMs: 30_000 }),
        runCli(box, ['resume', file, '1', '--non-interactive'], { timeoutMs: 30_000 }),
      ]);
      const context = results.map((r) => `${r.code}\n${r.stdout}\n${r.stderr}`).join('\n----\n');
      expect(results.map((r) => r.code).sort(), context).toEqual([0, 1]);
      const refused = results.find((r) => r.code === 1);
      const lines = refused?.stderr.trim().split('\n') ?? [];
      expect(lines, context).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^error: run 1 of "Race" (is still running, driven by live process \d+|was taken over by another process)/,
      );
      // The refused one wrote nothing: one resume, each step ran once in all.
      expect(Object.fromEntries(markerCounts(box))).toEqual({ first: 1, slow: 1 });
      const state = inspectStateFile(box.statePath);
      expect(state.runs).toMatchObject([{ run_id: 1, status: 'ok', trigger: 'resume' }]);
      expect(state.attempts.map((a) => `${a.node_id}#${a.attempt}:${a.status}`)).toEqual([
        'first#1:ok',
        'slow#1:nok',
        'slow#2:ok',
      ]);
    }, 60_000);
  }
});
