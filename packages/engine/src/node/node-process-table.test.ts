import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodePorts } from './create-node-ports.js';
import { NodeFunctionLoader } from './node-function-loader.js';
import { NodeProcessRunner } from './node-process-runner.js';
import { NodeProcessTable } from './node-process-table.js';
import { SystemClock } from './system-clock.js';

/** Independent of the code under test: alive means kill(2) finds it and it is not a zombie. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'latin1') : undefined;
  if (stat === undefined) return process.platform !== 'linux';
  return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '');
}

let dir: string;
const started: number[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'playbook-table-'));
});
afterAll(async () => {
  // Safety net if an assertion failed half-way: nothing started here may outlive the test run.
  for (const group of started) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {}
  }
  await rm(dir, { recursive: true, force: true });
});

/** Starts `script` in its own process group, as an orphaned run's command would be; resolves with its pids. */
async function startGroup(script: string, expectedPids: number): Promise<{ group: number; pids: number[] }> {
  const pidFile = join(dir, `pids-${started.length}`);
  const child = spawn('/bin/sh', ['-c', script.replaceAll('PIDFILE', pidFile)], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  const group = child.pid!;
  started.push(group);
  for (let i = 0; i < 200; i++) {
    const pids = existsSync(pidFile)
      ? readFileSync(pidFile, 'utf8').split(/\s+/).filter(Boolean).map(Number)
      : [];
    if (pids.length >= expectedPids) return { group, pids: [group, ...pids] };
    await delay(10);
  }
  throw new Error('the group did not start');
}

const table = new NodeProcessTable();

describe('NodeProcessTable', () => {
  it('names this host and this process', () => {
    expect(table.host).toBe(hostname());
    expect(table.pid).toBe(process.pid);
  });

  it('tells running processes from exited ones, zombies included', async () => {
    expect(table.isAlive(process.pid)).toBe(true);
    const child = spawn('/bin/sh', ['-c', 'sleep 0.5 >/dev/null & echo $!'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    await new Promise((resolve) => child.once('close', resolve));
    const orphan = Number(out.trim());
    expect(table.isAlive(orphan)).toBe(true);
    // Once exited, the orphan is reaped by PID 1 or, where PID 1 reaps nothing, left a zombie: gone either way.
    await delay(800);
    expect(table.isAlive(orphan)).toBe(false);
    expect(table.isAlive(child.pid!)).toBe(false);
  });

  it('kills a whole group, SIGKILL after the grace period for processes that ignore SIGTERM', async () => {
    const { group, pids } = await startGroup(
      `sleep 60 & echo $! >> PIDFILE; sh -c 'trap "" TERM; echo $$ >> PIDFILE; exec sleep 60' & wait`,
      2,
    );
    for (const pid of pids) expect(isRunning(pid)).toBe(true);
    const before = performance.now();
    await table.killGroup(group, 250);
    expect(performance.now() - before).toBeGreaterThanOrEqual(240);
    for (const pid of pids) expect(isRunning(pid), `pid ${pid}`).toBe(false);
  });

  it('returns as soon as a group that heeds SIGTERM is gone', async () => {
    const { group, pids } = await startGroup('sleep 60 & echo $! >> PIDFILE; wait', 1);
    const before = performance.now();
    await table.killGroup(group, 5_000);
    expect(performance.now() - before).toBeLessThan(1_000);
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
  });

  it('resolves at once for a group that does not exist', async () => {
    const child = spawn('/bin/sh', ['-c', 'exit 0'], { detached: true, stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    const before = performance.now();
    await table.killGroup(child.pid!, 5_000);
    expect(performance.now() - before).toBeLessThan(100);
  });

  it('refuses ids that kill(2) would read as "everyone" or "us"', async () => {
    for (const bad of [0, 1, -4, 2.5, process.pid]) {
      await expect(table.killGroup(bad, 10)).rejects.toThrow(RangeError);
    }
  });
});

describe('SystemClock and createNodePorts', () => {
  it('the clock tells the current time', () => {
    const now = new SystemClock().now().getTime();
    expect(Math.abs(now - Date.now())).toBeLessThan(1_000);
  });

  it('createNodePorts wires the Node adapters, passing the kill grace on', () => {
    const ports = createNodePorts({ killGraceMs: 123 });
    expect(ports.clock).toBeInstanceOf(SystemClock);
    expect(ports.processRunner).toBeInstanceOf(NodeProcessRunner);
    expect((ports.processRunner as NodeProcessRunner).killGraceMs).toBe(123);
    expect(ports.functionLoader).toBeInstanceOf(NodeFunctionLoader);
    expect(ports.processTable).toBeInstanceOf(NodeProcessTable);
  });
});
