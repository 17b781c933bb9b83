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
// With --concurrency 4 (SPEC §9.1) the kill cuts off up to four commands at once: resume stops every one of them
// and the same holds.
for (const concurrency of [1, 4]) {
  describe(`SIGKILL of the CLI at random moments of a ${STEPS}-step run${concurrency > 1 ? ` at --concurrency ${concurrency}` : ''} (${TRIALS} trials, seed ${SEED})`, () => {
    beforeAll(() => {
      ensureBuilt();
    }, 180_000);
    afterAll(removeSandboxes);

    const random = seededRandom(SEED);
    const parallel = concurrency > 1 ? ['--concurrency', String(concurrency)] : [];
    for (let trial = 0; trial < TRIALS; trial++) {
      // Every fourth trial kills from the very start (loading, creating and migrating the file, creating the
      // run); the others once the run has started, anywhere in its steps.
      const early = trial % 4 === 0;
      const delayMs = Math.floor(random() * (early ? 1500 : 700));
      it(`trial ${trial + 1}: kill ${early ? 'after spawn' : 'after the run started'} +${delayMs} ms`, async () => {
        const box = await faultSandbox();
        const file = await box.runbook('many', 'Many', manyStepsRunbook(STEPS));
        const run = startCli(box, ['run', file, '--non-interactive', ...parallel], { timeoutMs: 30_000 });
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
        // The command cut off by the kill lives on as an orphan until resume stops it (or the spawn helper, if
        // it forked it, does: see docs/parallel.md). A tiny one may still be finishing now: let it end, so the
        // marker counts below are final.
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
          const resumed = await runCli(box, ['resume', file, '--non-interactive', ...parallel], {
            timeoutMs: 30_000,
          });
          expect(resumed.code, `${context}\nresume:\n${resumed.stdout}${resumed.stderr}`).toBe(0);
          // The run the kill left `running` is recovered first and said so, in one line naming the attempts it
          // ended (in any order: several may have run side by side); nothing else goes to stderr.
          const cut = before.attempts.filter((a) => a.status === 'running').map((a) => a.node_id);
          const note =
            /^note: run 1 of "Many" was left running by process \d+, which is gone: recorded as aborted(?:; steps? (.+) interrupted)?\n$/.exec(
              resumed.stderr,
            );
          expect(note, `${context}\nresume stderr:\n${resumed.stderr}`).not.toBeNull();
          expect((note?.[1]?.split(', ') ?? []).sort(), context).toEqual([...cut].sort());
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
}

// The same, on a runbook with `when`, `run_if` and `retry` (SPEC §8.4): whenever the kill lands — in a retry's
// wait, in a rollback, between a condition's decision and the next step — a resume ends the run exactly as an
// uninterrupted run ends it, and no step that ended ok runs again. A decision recorded as an attempt (skipped by
// `when` or `run_if`) is kept, not decided again.
const CHAIN = 12;
const CONDITIONS_RUNBOOK = [
  '[runbook.inputs.env]',
  'type = "string"',
  'default = "staging"',
  '',
  '[start]',
  'type = "Command"',
  'command_name = "echo x >> marks/start"',
  '',
  // Fails its first try, then passes: retried automatically after a short wait.
  '[flaky]',
  'type = "Command"',
  'command_name = "echo x >> marks/flaky; sleep 0.05; test $PLAYBOOK_ATTEMPT -ge 2"',
  'depends_on = ["start"]',
  'retry = { attempts = 3, delay = 0.1 }',
  '',
  '[prod]',
  'type = "Command"',
  'command_name = "echo x >> marks/prod"',
  'depends_on = ["flaky"]',
  'when = "inputs.env == \'prod\'"',
  '',
  // Always fails (retried once, on its listed exit code): its rollback runs, its success dependent is blocked.
  '[deploy]',
  'type = "Command"',
  'command_name = "echo x >> marks/deploy; sleep 0.05; exit 3"',
  'depends_on = ["prod"]',
  'retry = { attempts = 2, delay = 0.05, exit_codes = [3] }',
  '',
  '[verify]',
  'type = "Command"',
  'command_name = "echo x >> marks/verify"',
  'depends_on = ["deploy"]',
  '',
  '[rollback]',
  'type = "Command"',
  'command_name = "echo x >> marks/rollback; sleep 0.05"',
  'depends_on = ["deploy"]',
  'run_if = "failure"',
  '',
  '[alert]',
  'type = "Command"',
  'command_name = "echo x >> marks/alert"',
  'depends_on = ["flaky"]',
  'run_if = "failure"',
  '',
  '[after-alert]',
  'type = "Command"',
  'command_name = "echo x >> marks/after-alert"',
  'depends_on = ["alert"]',
  '',
  ...Array.from({ length: CHAIN }, (_, i) => [
    `[c${i}]`,
    'type = "Command"',
    `command_name = "echo x >> marks/c${i}${i % 3 === 1 ? '; sleep 0.03' : ''}"`,
    `depends_on = ["${i === 0 ? 'start' : `c${i - 1}`}"]`,
    '',
  ]).flat(),
  '[cleanup]',
  'type = "Command"',
  'command_name = "echo x >> marks/cleanup"',
  `depends_on = ["verify", "rollback", "c${CHAIN - 1}"]`,
  'run_if = "always"',
].join('\n');

/** Each node's latest attempt as `status/decision`, as an uninterrupted run leaves them. */
const UNINTERRUPTED: Record<string, string> = {
  start: 'ok',
  flaky: 'ok',
  prod: 'skipped/condition',
  deploy: 'nok',
  rollback: 'ok',
  alert: 'skipped/run_if',
  'after-alert': 'skipped/run_if',
  ...Object.fromEntries(Array.from({ length: CHAIN }, (_, i) => [`c${i}`, 'ok'])),
  cleanup: 'ok',
};

function latestOutcomes(
  attempts: readonly { node_id: string; attempt: number; status: string; operator_decision: string | null }[],
) {
  const latest = new Map<string, { attempt: number; outcome: string }>();
  for (const a of attempts) {
    const current = latest.get(a.node_id);
    if (current !== undefined && current.attempt > a.attempt) continue;
    // Only the decisions that are part of the outcome: a failed try's own decision (auto-retry, interrupted) is not.
    const decision = a.status === 'skipped' && a.operator_decision !== null ? `/${a.operator_decision}` : '';
    latest.set(a.node_id, { attempt: a.attempt, outcome: `${a.status}${decision}` });
  }
  return Object.fromEntries([...latest].map(([id, { outcome }]) => [id, outcome]));
}

describe(`SIGKILL at random moments of a run with when, run_if and retry (${TRIALS} trials, seed ${SEED})`, () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);
  afterAll(removeSandboxes);

  const random = seededRandom(SEED + 1);
  it('an uninterrupted run ends as the trials expect', async () => {
    const box = await faultSandbox();
    const file = await box.runbook('cond', 'Conditions', CONDITIONS_RUNBOOK);
    const result = await runCli(box, ['run', file, '--non-interactive'], { timeoutMs: 30_000 });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const state = inspectStateFile(box.statePath);
    expect(state.runs.map((r) => r.status)).toEqual(['nok']);
    expect(latestOutcomes(state.attempts)).toEqual(UNINTERRUPTED);
  }, 60_000);

  for (let trial = 0; trial < TRIALS; trial++) {
    const delayMs = Math.floor(random() * 3000);
    it(`trial ${trial + 1}: kill +${delayMs} ms after the run started, then resume`, async () => {
      const box = await faultSandbox();
      const file = await box.runbook('cond', 'Conditions', CONDITIONS_RUNBOOK);
      const run = startCli(box, ['run', file, '--non-interactive'], { timeoutMs: 30_000 });
      await waitFor(() => /^Run 1 of "Conditions" started/m.test(run.stdout()), 'the run to start');
      await delay(delayMs);
      run.child.kill('SIGKILL');
      const killed = await run.done;
      const context = `seed ${SEED + 1}, trial ${trial + 1}\nstdout:\n${killed.stdout}\nstderr:\n${killed.stderr}`;
      await waitFor(() => processesIn(box.dir).length === 0, 'orphaned commands to end', 5_000);
      const before = inspectStateFile(box.statePath);
      expect(before.integrity, context).toBe('ok');
      const okBefore = new Set(before.attempts.filter((a) => a.status === 'ok').map((a) => a.node_id));
      const marksBefore = markerCounts(box);

      if (before.runs[0]?.status === 'running') {
        const resumed = await runCli(box, ['resume', file, '--non-interactive'], { timeoutMs: 30_000 });
        expect(resumed.code, `${context}\nresume:\n${resumed.stdout}${resumed.stderr}`).toBe(1);
      }
      const after = inspectStateFile(box.statePath);
      expect(
        after.runs.map((r) => r.status),
        context,
      ).toEqual(['nok']);
      expect(
        after.attempts.filter((a) => a.status === 'running'),
        context,
      ).toEqual([]);
      expect(latestOutcomes(after.attempts), context).toEqual(UNINTERRUPTED);
      // A step that ended ok before the kill was kept: its command did not run again.
      const marksAfter = markerCounts(box);
      for (const id of okBefore) {
        expect({ id, ran: marksAfter.get(id) ?? 0 }, context).toEqual({ id, ran: marksBefore.get(id) ?? 0 });
      }
      // Skipped steps never ran their command, however often the run was picked up.
      for (const id of ['prod', 'alert', 'after-alert', 'verify'])
        expect(marksAfter.has(id), context).toBe(false);
    }, 60_000);
  }
});
