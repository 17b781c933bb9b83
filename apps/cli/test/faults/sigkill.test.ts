import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, startCli, waitFor } from '../fixtures-run/e2e.js';
import {
  faultSandbox,
  faultSeed,
  inspectStateFile,
  manyStepsRunbook,
  markerCounts,
  processesIn,
  removeSandboxes,
  reportedFinished,
  seededRandom,
  stepId,
  trialCount,
} from './support.js';

const STEPS = 100;
const TRIALS = trialCount(3, 20);
const SEED = faultSeed();

// SPEC §2.2 / §2.7 / §3: a `kill -9` of the CLI at any moment leaves a consistent state file that holds every
// attempt the CLI said had finished, and `resume` completes the run without running again a step that ended ok.
describe(`SIGKILL of the CLI at random moments of a ${STEPS}-step run (${TRIALS} trials, seed ${SEED})`, () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);
  afterAll(removeSandboxes);

  const random = seededRandom(SEED);
  for (let trial = 0; trial < TRIALS; trial++) {
    // Every fourth trial kills from the very start (loading, creating and migrating the file, creating the
    // run); the others once the run has started, anywhere in its steps.
    const early = trial % 4 === 0;
    const delayMs = Math.floor(random() * (early ? 1500 : 700));
    it(`trial ${trial + 1}: kill ${early ? 'after spawn' : 'after the run started'} +${delayMs} ms`, async () => {
      const box = await faultSandbox();
      const file = await box.runbook('many', 'Many', manyStepsRunbook(STEPS));
      const run = startCli(box, ['run', file, '--non-interactive'], { timeoutMs: 30_000 });
      if (!early) await waitFor(() => /^Run 1 of "Many" started/m.test(run.stdout()), 'the run to start');
      await delay(delayMs);
      run.child.kill('SIGKILL');
      const killed = await run.done;
      const context = `seed ${SEED}, trial ${trial + 1}\nstdout:\n${killed.stdout}\nstderr:\n${killed.stderr}`;

      if (!existsSync(box.statePath)) {
        // Killed before the state file was created: nothing to check but that a run now works.
        expect(killed.signal, context).toBe('SIGKILL');
        expect((await runCli(box, ['run', file, '--non-interactive'], { timeoutMs: 30_000 })).code).toBe(0);
        return;
      }
      const before = inspectStateFile(box.statePath);
      expect(before.integrity, context).toBe('ok');
      // Every attempt the CLI reported as finished was committed before it was printed.
      for (const reported of reportedFinished(killed.stdout)) {
        const stored = before.attempts.find(
          (a) => a.node_id === reported.nodeId && a.attempt === reported.attempt,
        );
        expect({ ...reported, stored: stored?.status }, context).toEqual({
          ...reported,
          stored: reported.status,
        });
      }
      // The command cut off by the kill lives on as an orphan until resume stops it — or, when the kill came
      // before its process group was recorded, until it ends by itself (see docs/reliability.md). A tiny one may
      // still be finishing now: let it end, so the marker counts below are final.
      await waitFor(() => processesIn(box.dir).length === 0, 'orphaned commands to end', 5_000);
      const okBefore = new Set(before.attempts.filter((a) => a.status === 'ok').map((a) => a.node_id));
      const marksBefore = markerCounts(box);

      // Killed after the run ended but before the process exited: nothing to resume.
      const finished = before.runs.length > 0 && before.runs.every((r) => r.status === 'ok');
      if (before.runs.length === 0) {
        // Killed before the run was created (or while the file was being set up): a fresh run must work.
        const again = await runCli(box, ['run', file, '--non-interactive'], { timeoutMs: 30_000 });
        expect(again.code, `${context}\nrun again:\n${again.stdout}${again.stderr}`).toBe(0);
      } else if (!finished) {
        const resumed = await runCli(box, ['resume', file, '--non-interactive'], { timeoutMs: 30_000 });
        expect(resumed.code, `${context}\nresume:\n${resumed.stdout}${resumed.stderr}`).toBe(0);
        // The run the kill left `running` is recovered first and said so, in one line naming the attempt it
        // ended; nothing else goes to stderr.
        const cut = before.attempts.filter((a) => a.status === 'running').map((a) => a.node_id);
        const steps =
          cut.length === 0 ? '' : `; step${cut.length === 1 ? '' : 's'} ${cut.join(', ')} interrupted`;
        expect(resumed.stderr, context).toMatch(
          new RegExp(
            `^note: run 1 of "Many" was left running by process \\d+, which is gone: recorded as aborted${steps}\n$`,
          ),
        );
      }

      const after = inspectStateFile(box.statePath);
      expect(after.integrity).toBe('ok');
      expect(after.runs.length).toBeGreaterThan(0);
      expect(after.runs.filter((r) => r.status !== 'ok')).toEqual([]);
      const marksAfter = markerCounts(box);
      for (let i = 0; i < STEPS; i++) {
        const id = stepId(i);
        const ranBefore = marksBefore.get(id) ?? 0;
        const ranAfter = marksAfter.get(id) ?? 0;
        if (okBefore.has(id)) {
          // Ended ok before the kill: resume kept it.
          expect({ id, ranAfter }, context).toEqual({ id, ranAfter: ranBefore });
        } else {
          // Not ok (never started, or cut off mid-command): run exactly once more.
          expect({ id, ranAfter }, context).toEqual({ id, ranAfter: ranBefore + 1 });
        }
      }
      // The attempt cut off by the kill, if any, is recorded as interrupted; none is left running.
      expect(after.attempts.filter((a) => a.status === 'running')).toEqual([]);
      for (const attempt of before.attempts.filter((a) => a.status === 'running')) {
        const later = after.attempts.find(
          (a) => a.node_id === attempt.node_id && a.attempt === attempt.attempt,
        );
        expect(later).toMatchObject({ status: 'nok', operator_decision: 'interrupted' });
      }
    }, 60_000);
  }
});
