import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, startCli, waitFor } from '../fixtures-run/e2e.js';
import {
  faultSandbox,
  faultSeed,
  inspectStateFile,
  manyStepsRunbook,
  markerCounts,
  removeSandboxes,
  seededRandom,
  stepId,
  trialCount,
} from './support.js';

const STEPS = 100;
const TRIALS = trialCount(2, 10);
const SEED = faultSeed();

// SPEC §2.6, §11: SIGINT, SIGTERM or SIGQUIT at any moment of a run stops it cleanly: exit 130, the run `aborted`, the
// step that was running recorded as interrupted, and a resume completes it without re-running what ended ok.
describe(`SIGINT / SIGTERM / SIGQUIT at random moments of a ${STEPS}-step run (${TRIALS} trials each, seed ${SEED})`, () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);
  afterAll(removeSandboxes);

  const random = seededRandom(SEED);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGQUIT'] as const) {
    for (let trial = 0; trial < TRIALS; trial++) {
      const delayMs = Math.floor(random() * 400);
      it(`${signal} trial ${trial + 1}: +${delayMs} ms after the run started`, async () => {
        const box = await faultSandbox();
        const file = await box.runbook('many', 'Many', manyStepsRunbook(STEPS));
        const run = startCli(box, ['run', file, '--non-interactive'], { timeoutMs: 30_000 });
        // The handlers are installed before the run is created, so from here on the signal is ours to handle.
        await waitFor(() => /^Run 1 of "Many" started/m.test(run.stdout()), 'the run to start');
        await delay(delayMs);
        run.child.kill(signal);
        const stopped = await run.done;
        const context = `seed ${SEED}\nstdout:\n${stopped.stdout}\nstderr:\n${stopped.stderr}`;
        const before = inspectStateFile(box.statePath);
        expect(before.integrity).toBe('ok');
        const status = before.runs[0]?.status;
        if (status === 'ok') {
          // The signal came after the last step: nothing was left to stop.
          expect([0, 130], context).toContain(stopped.code);
          return;
        }
        expect({ code: stopped.code, signal: stopped.signal, status }, context).toEqual({
          code: 130,
          signal: null,
          status: 'aborted',
        });
        expect(stopped.stderr).toContain('Interrupted: stopping the running step');
        expect(before.attempts.filter((a) => a.status === 'running')).toEqual([]);
        const okBefore = new Set(before.attempts.filter((a) => a.status === 'ok').map((a) => a.node_id));
        const marksBefore = markerCounts(box);

        const resumed = await runCli(box, ['resume', file, '--non-interactive'], { timeoutMs: 30_000 });
        expect(resumed.code, `${context}\nresume:\n${resumed.stdout}${resumed.stderr}`).toBe(0);
        const after = inspectStateFile(box.statePath);
        expect(after.runs).toEqual([
          { run_id: 1, status: 'ok', trigger: 'resume', owner_process_group: null },
        ]);
        const marksAfter = markerCounts(box);
        for (let i = 0; i < STEPS; i++) {
          const id = stepId(i);
          const expected = okBefore.has(id) ? (marksBefore.get(id) ?? 0) : (marksBefore.get(id) ?? 0) + 1;
          expect({ id, ran: marksAfter.get(id) ?? 0 }, context).toEqual({ id, ran: expected });
        }
      }, 60_000);
    }
  }
});
