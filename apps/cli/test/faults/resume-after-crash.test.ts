import { writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, isAlive, loadRun, runCli, startCli, waitFor } from '../fixtures-run/e2e.js';
import {
  faultSandbox,
  faultSeed,
  inspectStateFile,
  markerCounts,
  removeSandboxes,
  seededRandom,
  trialCount,
} from './support.js';

const TRIALS = trialCount(6, 30);
const SEED = faultSeed();

// SPEC §2.5 / §2.7: after a `kill -9` of the CLI, `show` (like every later command) records the run `aborted`
// while `resume` takes it over. Run side by side, the recovery of one must never look like a live owner to the
// other: resume completes the run every time, whichever starts first. Every other trial leaves an orphan that
// ignores SIGTERM, so that show's recovery lasts the whole kill grace period, and starts resume once show has
// taken the run over — the moment that made resume refuse the run as "driven by live process <show>".
describe(`resume right after a crash, while show reads (${TRIALS} trials, seed ${SEED})`, () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);
  afterAll(removeSandboxes);

  const random = seededRandom(SEED);
  for (let trial = 0; trial < TRIALS; trial++) {
    const stubborn = trial % 2 === 1;
    // Negative: show starts first; positive: resume does.
    const offsetMs = Math.floor(random() * 300) - 150;
    const when = stubborn
      ? 'once show took the run over'
      : `${offsetMs >= 0 ? '+' : ''}${offsetMs} ms after show`;
    it(`trial ${trial + 1}: ${stubborn ? 'an orphan ignoring SIGTERM' : 'an orphan'}, resume ${when}`, async () => {
      const box = await faultSandbox();
      const trap = stubborn ? "trap '' TERM; " : '';
      const file = await box.runbook(
        'crash',
        'Crash',
        `
[first]
type = "Command"
command_name = "echo x >> marks/first"

[slow]
type = "Command"
command_name = "if [ -f go ]; then echo x >> marks/slow; else ${trap}sleep 30 & echo $! > sleep.pid; wait; fi"
depends_on = ["first"]

[last]
type = "Command"
command_name = "echo x >> marks/last"
depends_on = ["slow"]
`,
      );
      const run = startCli(box, ['run', file, '--non-interactive']);
      await waitFor(() => box.exists('sleep.pid') && box.read('sleep.pid').trim() !== '', 'the sleep');
      const sleepPid = Number(box.read('sleep.pid'));
      await waitFor(
        async () => (await loadRun(box, 'Crash', 1)).run.owner?.processGroup != null,
        'the process group record',
      );
      run.child.kill('SIGKILL');
      await run.done;
      await writeFile(box.path('go'), '');

      let show: Promise<Awaited<ReturnType<typeof runCli>>>;
      let resume: Promise<Awaited<ReturnType<typeof runCli>>>;
      if (stubborn) {
        const started = startCli(box, ['show', 'Crash'], { stdin: null, timeoutMs: 30_000 });
        show = started.done;
        await waitFor(
          async () => (await loadRun(box, 'Crash', 1)).run.owner?.pid === started.child.pid,
          'show to take the run over',
        );
        resume = runCli(box, ['resume', file, '--non-interactive'], { timeoutMs: 30_000 });
      } else {
        show = (async () => {
          if (offsetMs > 0) await delay(offsetMs);
          return runCli(box, ['show', 'Crash'], { timeoutMs: 30_000 });
        })();
        resume = (async () => {
          if (offsetMs < 0) await delay(-offsetMs);
          return runCli(box, ['resume', file, '--non-interactive'], { timeoutMs: 30_000 });
        })();
      }
      const [shown, resumed] = await Promise.all([show, resume]);
      const context = `seed ${SEED}\nshow ${shown.code}:\n${shown.stdout}${shown.stderr}\nresume ${resumed.code}:\n${resumed.stdout}${resumed.stderr}`;
      expect(shown.code, context).toBe(0);
      expect(resumed.code, context).toBe(0);
      expect(isAlive(sleepPid), context).toBe(false);
      expect(Object.fromEntries(markerCounts(box)), context).toEqual({ first: 1, slow: 1, last: 1 });
      const state = inspectStateFile(box.statePath);
      expect(state.runs, context).toEqual([
        { run_id: 1, status: 'ok', trigger: 'resume', owner_process_group: null },
      ]);
      expect(
        state.attempts.map((a) => `${a.node_id}#${a.attempt}:${a.status}/${a.operator_decision}`),
        context,
      ).toEqual(['first#1:ok/null', 'last#1:ok/null', 'slow#1:nok/interrupted', 'slow#2:ok/null']);
    }, 60_000);
  }
});
