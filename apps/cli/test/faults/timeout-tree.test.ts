import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, isAlive, runCli } from '../fixtures-run/e2e.js';
import { faultSandbox, inspectStateFile, removeSandboxes } from './support.js';

// SPEC §2.3: on timeout the whole process group gets SIGTERM, then SIGKILL after a grace period; no process may
// outlive its node — here a tree of shells and sleeps that all ignore SIGTERM (an ignored signal stays ignored
// across exec, so the sleeps ignore it too).
describe('a command that forks a tree ignoring SIGTERM, past its timeout', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);
  afterAll(removeSandboxes);

  it('is stopped entirely: exit code 124, a timeout line, no process of the tree left alive', async () => {
    const box = await faultSandbox();
    // Three levels: the node's shell, a subshell, and a grandchild shell, each with a background sleep; every
    // pid is written to `pids` before the timeout fires.
    const tree = [
      "trap '' TERM",
      'echo $$ >> pids',
      "(trap '' TERM; sleep 60 & echo $! >> pids; sh -c 'sleep 60 & echo $! >> pids; echo $$ >> pids; wait' & echo $! >> pids; wait) &",
      'sleep 60 & echo $! >> pids',
      'wait',
    ].join('\n');
    const file = await box.runbook(
      'tree',
      'Tree',
      `
[tree]
type = "Command"
command_name = ${JSON.stringify(tree)}
timeout = 1

[after]
type = "Command"
command_name = "touch after.ran"
depends_on = ["tree"]
`,
    );
    const started = Date.now();
    const result = await runCli(box, ['run', file, '--non-interactive'], { timeoutMs: 20_000 });
    const elapsed = Date.now() - started;
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('playbook: timed out after 1 second');
    expect(result.stdout).toMatch(/✖ tree nok · attempt 1/);
    expect(box.exists('after.ran')).toBe(false);
    // 1 s timeout + 2 s SIGTERM grace, then SIGKILL: well under the 60 s the sleeps asked for…
    expect(elapsed).toBeLessThan(15_000);
    // …and not before the grace period: SIGTERM alone did not stop it, SIGKILL did.
    expect(elapsed).toBeGreaterThan(3_000);

    const pids = box
      .read('pids')
      .split('\n')
      .filter((line) => line !== '')
      .map(Number);
    expect(pids.length).toBe(6);
    expect(pids.filter(isAlive)).toEqual([]);
    const state = inspectStateFile(box.statePath);
    expect(state.attempts).toMatchObject([{ node_id: 'tree', status: 'nok', exit_code: 124 }]);
  }, 30_000);
});
