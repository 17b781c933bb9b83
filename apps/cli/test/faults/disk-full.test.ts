import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../fixtures-run/e2e.js';
import { faultSandbox, inspectStateFile, markerCounts, removeSandboxes, stepId } from './support.js';

const STEPS = 40;
const FILLING_STEP = 15;

/** Whether this process may mount a tmpfs (root in a container that allows it); the test needs a real full disk. */
function canMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = `${process.env.TMPDIR ?? '/tmp'}/playbook-mount-probe-${process.pid}`;
  try {
    mkdirSync(probe, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const mounted: string[] = [];

// A state file that cannot be written in the middle of a run (chmod does not stop root, so the disk is made
// really full: the state folder is a small tmpfs, and one of the run's own steps fills it). The CLI must stop
// with one clear line and exit 1, and the run must stay resumable once space is freed.
describe.runIf(canMount())('the disk holding the state file fills up during a run', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);
  afterAll(async () => {
    for (const dir of mounted.splice(0)) execFileSync('umount', [dir], { stdio: 'ignore' });
    await removeSandboxes();
  });

  it('stops with one line naming the problem (exit 1), then resumes to ok once space is freed', async () => {
    const box = await faultSandbox();
    const stateDir = box.path('state');
    mkdirSync(stateDir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', stateDir]);
    mounted.push(stateDir);

    const parts: string[] = [];
    for (let i = 0; i < STEPS; i++) {
      // Fills the disk once: on resume this step runs again and must not fill it a second time.
      const fill =
        i === FILLING_STEP
          ? '[ -f filled ] || { touch filled; dd if=/dev/zero of=state/filler bs=4k 2>/dev/null; }; '
          : '';
      parts.push(
        `[${stepId(i)}]`,
        'type = "Command"',
        `command_name = "${fill}echo x >> marks/${stepId(i)}"`,
      );
      if (i > 0) parts.push(`depends_on = ["${stepId(i - 1)}"]`);
      parts.push('');
    }
    const file = await box.runbook('full', 'Full', parts.join('\n'));

    const failed = await runCli(box, ['run', file, '--non-interactive'], { timeoutMs: 30_000 });
    const context = `stdout:\n${failed.stdout}\nstderr:\n${failed.stderr}`;
    expect(failed.code, context).toBe(1);
    const lines = failed.stderr.trim().split('\n');
    expect(lines, context).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: .*disk is full/);
    expect(lines[0]).toContain(box.statePath);
    // The line ends with the exact command that resumes the run.
    expect(lines[0]).toMatch(
      /— run 1 stopped; resume it with: playbook resume full\.playbook\.toml 1 --state-path \S+$/,
    );
    expect(failed.stderr).not.toMatch(/^\s+at /m);

    rmSync(box.path('state/filler'));
    const before = inspectStateFile(box.statePath);
    expect(before.integrity).toBe('ok');
    // Never a run recorded ended with an attempt still running under it: the step that was running is ended
    // nok with the run aborted, or (nothing could be written) both stay running, for resume to recover.
    const running = before.attempts.filter((a) => a.status === 'running');
    expect(running.length).toBeLessThanOrEqual(1);
    if (before.runs[0]?.status !== 'running') expect(running).toEqual([]);
    const okBefore = new Set(before.attempts.filter((a) => a.status === 'ok').map((a) => a.node_id));
    expect(okBefore.has(stepId(FILLING_STEP - 1))).toBe(true);
    const marksBefore = markerCounts(box);

    const resumed = await runCli(box, ['resume', file, '--non-interactive'], { timeoutMs: 30_000 });
    expect(resumed.code, `${resumed.stdout}${resumed.stderr}`).toBe(0);
    const after = inspectStateFile(box.statePath);
    expect(after.integrity).toBe('ok');
    expect(after.runs).toEqual([{ run_id: 1, status: 'ok', trigger: 'resume', owner_process_group: null }]);
    const marksAfter = markerCounts(box);
    for (let i = 0; i < STEPS; i++) {
      const id = stepId(i);
      const expected = (marksBefore.get(id) ?? 0) + (okBefore.has(id) ? 0 : 1);
      expect({ id, ran: marksAfter.get(id) ?? 0 }).toEqual({ id, ran: expected });
    }
  }, 60_000);
});
