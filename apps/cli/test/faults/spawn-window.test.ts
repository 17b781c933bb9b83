import { readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, type Sandbox, startCli, waitFor } from '../fixtures-run/e2e.js';
import {
  faultSandbox,
  faultSeed,
  inspectStateFile,
  markerCounts,
  rawDatabase,
  removeSandboxes,
  seededRandom,
  trialCount,
} from './support.js';

const STEPS = 12;
const TRIALS = trialCount(4, 25);
const SEED = faultSeed();

// The product rule (SPEC §9.1, docs/parallel.md): a command's whole process group dies with its step — a
// timeout, Ctrl-C, a crash of the CLI. A `kill -9` of the CLI between the fork of a command and the write of its
// process group to the run's owner record used to leave an orphan no resume could know of: with the spawn
// helper that window spanned a round trip between two processes. These trials kill the CLI at many moments
// around command starts — from inside a command as its very first act, and from outside as soon as the k-th
// command started — with and without the helper, one and four commands at a time, and check that no process
// survives: a command forked by the helper at once (the helper stops its groups when the CLI is gone), one
// forked by the CLI itself once `resume` stopped it; and that resume re-runs no step that ended ok.
//
// Each command notes its pid (its group) and its parent, then — when it killed the CLI, or the CLI is gone by
// the time it would end — lives on as a long command would (`exec sleep 30`): any survivor is then seen.
function windowRunbook(parallel: boolean): string {
  const parts: string[] = [];
  for (let i = 0; i < STEPS; i++) {
    const id = `w${String(i).padStart(2, '0')}`;
    const command = [
      'echo $$ $PPID >> spawned',
      'read p < cli-pid',
      `if [ -f kill-at-${id} ] && [ $PLAYBOOK_ATTEMPT = 1 ]; then kill -KILL $p; echo x >> marks/${id}; exec sleep 30; fi`,
      // Held until the CLI is gone: the run cannot end before the test's kill lands (on a quiet machine the
      // remaining steps took less than the test's polling interval, and the CLI exited on its own).
      `if [ -f hold-at-${id} ]; then while read -r s 2>/dev/null < /proc/$p/stat; do case $s in *') Z '*) break;; esac; sleep 0.01; done; fi`,
      `echo x >> marks/${id}`,
      // The CLI is gone (a zombie, or reaped) when its state is Z or it has no /proc entry.
      's=',
      'read -r s 2>/dev/null < /proc/$p/stat',
      "case $s in *') Z '*|'') exec sleep 30;; esac",
    ].join('; ');
    parts.push(`[${id}]`, 'type = "Command"', `command_name = "${command}"`);
    if (!parallel && i > 0) parts.push(`depends_on = ["w${String(i - 1).padStart(2, '0')}"]`);
    parts.push('');
  }
  return parts.join('\n');
}

/** Live (not zombie) processes whose working directory is `dir`, each with its process group. */
function liveIn(dir: string): { pid: number; group: number }[] {
  const found: { pid: number; group: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) !== dir) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && fields[0] !== 'X')
        found.push({ pid: Number(entry), group: Number(fields[2]) });
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/** Each command's process group → the process that forked it, from the `spawned` notes. */
function forkers(box: Sandbox): Map<number, number> {
  const map = new Map<number, number>();
  if (!box.exists('spawned')) return map;
  for (const line of box.read('spawned').split('\n')) {
    const [group, parent] = line.split(' ').map(Number);
    if (group !== undefined && parent !== undefined && line !== '') map.set(group, parent);
  }
  return map;
}

/** Every process group the owner record names: the run's own column and the table of parallel groups. */
function recordedGroups(path: string): Set<number> {
  const db = rawDatabase(path, { readonly: true });
  try {
    const runs = db.prepare('select owner_process_group as g from runs').all() as { g: number | null }[];
    const rows = db.prepare('select process_group as g from run_process_groups').all() as { g: number }[];
    return new Set([...runs, ...rows].map((r) => r.g).filter((g): g is number => g !== null));
  } finally {
    db.close();
  }
}

const sandboxes: Sandbox[] = [];

for (const concurrency of [1, 4]) {
  // The helper as it is where Python is found (eager), as a Node process (eager,node), and none (off).
  for (const helper of ['eager', 'eager,node', 'off'] as const) {
    const label = `--concurrency ${concurrency}, PLAYBOOK_SPAWN_HELPER=${helper}`;
    describe(`SIGKILL of the CLI around command starts, ${label} (${TRIALS} trials, seed ${SEED})`, () => {
      beforeAll(() => {
        ensureBuilt();
      }, 180_000);
      afterAll(async () => {
        // A failed trial may leave its orphans: they must not outlive the test.
        for (const box of sandboxes.splice(0)) {
          for (const { group } of liveIn(box.dir)) {
            try {
              process.kill(-group, 'SIGKILL');
            } catch {
              // gone
            }
          }
        }
        await removeSandboxes();
      });

      const random = seededRandom(SEED + concurrency * 3 + ['off', 'eager', 'eager,node'].indexOf(helper));
      for (let trial = 0; trial < TRIALS; trial++) {
        // Even trials: a command kills the CLI as its very first act (the earliest moment any of its code runs,
        // racing the CLI's write of its group); odd ones: the test kills it as soon as the k-th command started.
        const inside = trial % 2 === 0;
        const k = 1 + Math.floor(random() * (STEPS - 2));
        const extraMs = Math.floor(random() * 4);
        const how = inside
          ? `command ${k + 1} kills it as it starts`
          : `killed once ${k} commands started +${extraMs} ms`;
        it(`trial ${trial + 1}: ${how}`, async () => {
          const box = await faultSandbox();
          sandboxes.push(box);
          const file = await box.runbook('window', 'Window', windowRunbook(concurrency > 1));
          const victim = `w${String(k).padStart(2, '0')}`;
          // Outside kills: the k-th command to start (declared order, at any concurrency) waits for the kill.
          const held = `hold-at-w${String(k - 1).padStart(2, '0')}`;
          writeFileSync(box.path(inside ? `kill-at-${victim}` : held), '');
          const env = { PLAYBOOK_SPAWN_HELPER: helper };
          const args = ['--non-interactive', '--concurrency', String(concurrency)];
          const run = startCli(box, ['run', file, ...args], { stdin: null, env, timeoutMs: 30_000 });
          const cli = run.child.pid as number;
          writeFileSync(box.path('cli-pid'), `${cli}\n`);
          if (!inside) {
            await waitFor(() => forkers(box).size >= k, `${k} commands to start`);
            await delay(extraMs);
            run.child.kill('SIGKILL');
          }
          const killed = await run.done;
          const context = `seed ${SEED}, trial ${trial + 1}\nstdout:\n${killed.stdout}\nstderr:\n${killed.stderr}`;
          expect(killed.signal, context).toBe('SIGKILL');

          // A command the helper forked dies with the CLI, resume or not. Without the helper there is none: a shell
          // the CLI forked may still note a parent other than the CLI, when it starts only once the CLI, having
          // released it, is already gone (seen under heavy load) — it is the CLI's, checked below.
          const byHelper = () => {
            if (helper === 'off') return [];
            const forked = forkers(box);
            return liveIn(box.dir).filter(({ group }) => (forked.get(group) ?? cli) !== cli);
          };
          await waitFor(
            () => byHelper().length === 0,
            'the commands the helper forked to be stopped',
            10_000,
          ).catch(() => {
            expect(byHelper(), `${context}\nsurvivors forked by the helper`).toEqual([]);
          });
          // One the CLI forked itself lives on until resume stops it: the owner record must name its group.
          // (A shell that never got to run its command may still be on its way out.)
          const unknown = () => {
            const recorded = recordedGroups(box.statePath);
            return liveIn(box.dir).filter(({ group }) => !recorded.has(group));
          };
          await waitFor(() => unknown().length === 0, 'unrecorded commands to end', 5_000).catch(() => {
            expect(unknown(), `${context}\nsurvivors no resume can know of`).toEqual([]);
          });

          const before = inspectStateFile(box.statePath);
          const okBefore = new Set(before.attempts.filter((a) => a.status === 'ok').map((a) => a.node_id));
          const marksBefore = markerCounts(box);
          if (!inside) rmSync(box.path(held));
          const resume = startCli(box, ['resume', file, ...args], { stdin: null, env, timeoutMs: 30_000 });
          writeFileSync(box.path('cli-pid'), `${resume.child.pid}\n`);
          const resumed = await resume.done;
          expect(resumed.code, `${context}\nresume:\n${resumed.stdout}${resumed.stderr}`).toBe(0);
          await waitFor(() => liveIn(box.dir).length === 0, 'no command left', 5_000).catch(() => {
            expect(liveIn(box.dir), `${context}\nsurvivors after resume`).toEqual([]);
          });

          const after = inspectStateFile(box.statePath);
          expect(after.runs.map((r) => r.status)).toEqual(['ok']);
          const marksAfter = markerCounts(box);
          for (const id of okBefore) {
            expect({ id, ran: marksAfter.get(id) }, context).toEqual({ id, ran: marksBefore.get(id) });
          }
        }, 60_000);
      }
    });
  }
}
