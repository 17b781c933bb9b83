// Helpers of the end-to-end tests of `playbook serve`: the built binary serving a real state file, stopped (and
// checked gone) after each test, so no server outlives its test.
import { openRunStore } from '../../src/state-store.js';
import { type CliOptions, isAlive, type Sandbox, startCli, waitFor } from './e2e.js';

/** A `playbook serve` process and the address it printed. */
export interface Served {
  /** The printed address, token included. */
  readonly url: string;
  /** The address without the token. */
  readonly origin: string;
  readonly token: string;
  readonly pid: number;
  /** What the server wrote to stderr so far. */
  stderr(): string;
  /** Stops the server with SIGTERM and waits for it to exit; resolves with its exit code. */
  stop(): Promise<number | null>;
}

const running = new Set<Served>();

/** Starts `playbook serve --port 0 …` and waits for the address it prints. */
export async function startServe(
  box: Sandbox,
  args: readonly string[] = [],
  options: CliOptions = {},
): Promise<Served> {
  let stderr = '';
  const cli = startCli(box, ['serve', '--port', '0', ...args], { timeoutMs: 120_000, ...options });
  cli.child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let exited = false;
  cli.done.then(
    () => {
      exited = true;
    },
    () => {
      exited = true;
    },
  );
  await waitFor(() => exited || /https?:\/\/\S+\?token=\S+/.test(cli.stdout()), 'the address serve prints');
  const url = /(https?:\/\/\S+\?token=\S+)/.exec(cli.stdout())?.[1];
  if (url === undefined) {
    const result = await cli.done;
    throw new Error(`serve exited ${result.code} without an address:\n${result.stdout}\n${result.stderr}`);
  }
  const parsed = new URL(url);
  const served: Served = {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token')!,
    pid: cli.child.pid!,
    stderr: () => stderr,
    async stop() {
      running.delete(served);
      if (!exited) cli.child.kill('SIGTERM');
      const result = await cli.done;
      return result.code;
    },
  };
  running.add(served);
  return served;
}

/** Stops every server a test left running, and checks that each is gone: call from `afterEach`. */
export async function stopAllServers(): Promise<void> {
  for (const served of [...running]) {
    await served.stop();
    if (isAlive(served.pid)) throw new Error(`serve ${served.pid} is still running`);
  }
}

/**
 * Seeds a state file with a workflow that has a run in every status: 1 ok, 2 nok (a failed node with stderr),
 * 3 aborted, 4 running (its owner on another host, so nobody takes it as stale), 5 with a secret input.
 */
export async function seedEveryStatus(statePath: string, workflowName = 'Deploy'): Promise<void> {
  const store = await openRunStore({ statePath });
  const owner = { host: 'another-host', pid: 1, processGroup: null };
  const nodeIds = ['build', 'test', 'ship'];
  let second = 0;
  const time = () => {
    second += 1;
    return new Date(Date.UTC(2025, 4, 3, 12, 0, second)).toISOString();
  };
  try {
    const run = async (
      status: 'ok' | 'nok' | 'aborted' | 'running',
      attempts: ReadonlyArray<readonly [node: string, status: 'ok' | 'nok' | 'skipped', stdout: string]>,
      inputs?: Record<string, string | null>,
    ) => {
      const record = await store.createRun({
        workflowName,
        startTime: time(),
        owner,
        runbookHash: null,
        nodeIds,
        ...(inputs === undefined ? {} : { inputs }),
      });
      for (const [nodeId, attemptStatus, stdout] of attempts) {
        const attempt = await store.startAttempt({
          workflowName,
          runId: record.runId,
          nodeId,
          startTime: time(),
          status: 'running',
        });
        await store.finishAttempt(attempt, {
          status: attemptStatus,
          endTime: time(),
          durationMs: 1000,
          stdout,
          stderr: attemptStatus === 'nok' ? 'tests failed\n' : null,
          exitCode: attemptStatus === 'nok' ? 1 : 0,
        });
      }
      if (status !== 'running') {
        const count = (wanted: string) => attempts.filter((attempt) => attempt[1] === wanted).length;
        await store.finishRun(record, {
          status,
          endTime: time(),
          nodesOk: count('ok'),
          nodesNok: count('nok'),
          nodesSkipped: count('skipped'),
        });
      }
    };
    await run('ok', [
      ['build', 'ok', 'built\n'],
      ['test', 'ok', 'passed\n'],
      ['ship', 'ok', 'shipped\n'],
    ]);
    await run('nok', [
      ['build', 'ok', 'built\n'],
      ['test', 'nok', 'running tests\n'],
    ]);
    await run('aborted', [['build', 'ok', 'built\n']]);
    await run('running', [['build', 'ok', 'built\n']]);
    await run(
      'ok',
      [
        ['build', 'ok', 'built\n'],
        ['test', 'ok', ''],
        ['ship', 'skipped', ''],
      ],
      {
        env: 'prod',
        password: null,
      },
    );
  } finally {
    await store.close();
  }
}
