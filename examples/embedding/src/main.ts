// A program of its own that runs a runbook with Playbook's libraries — no CLI code involved. It loads the
// runbook with @playbook/parser, runs it with @playbook/engine and the Node adapters, first with the in-memory
// history, then with the SQLite one (@playbook/sqlite): that run is aborted, then resumed in place from a
// freshly opened database. Every engine event is printed as one line.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createEngine,
  type EngineEvent,
  type FailureChoice,
  InMemoryRunRepository,
  type Prompter,
  type RunOutcome,
  type RunRepository,
} from '@playbook/engine';
import { createNodePorts } from '@playbook/engine/node';
import { formatProblem, loadRunbook } from '@playbook/parser';
import { openSqliteRunRepository } from '@playbook/sqlite';

const RUNBOOK = join(dirname(fileURLToPath(import.meta.url)), '..', 'release.playbook.toml');

/** A release bot instead of a person: approves Manual steps, answers `${ask}` from a table, never retries. */
function releaseBot(onFailure: Exclude<FailureChoice, 'retry'>): Prompter {
  const answers: Record<string, string> = { 'announce.message': 'v1.2.3 is out' };
  return {
    manual: async () => ({ decision: 'ok', note: 'approved by release-bot' }),
    afterFailure: async ({ canSkip }) => (canSkip ? onFailure : 'abort'),
    askValue: async ({ node, param }) => answers[`${node.id}.${param}`] ?? '',
    confirmRepeat: async () => false,
  };
}

/** One line per event; `prompt` events (a renderer would pause a spinner) are left out. */
function describe(event: EngineEvent): string | undefined {
  switch (event.type) {
    case 'run-started': {
      const kept = event.kept.map((node) => `${node.nodeId}=${node.status}`).join(', ');
      return `run ${event.runId} ${event.trigger === 'run' ? 'started' : 'resumed'}: ${event.plan.join(' → ')}${kept === '' ? '' : ` (kept ${kept})`}`;
    }
    case 'node-started':
      return `  ▶ ${event.name} [${event.kind}] attempt ${event.attempt}`;
    case 'output':
      return `    ${event.stream}: ${event.chunk.trimEnd()}`;
    case 'node-finished': {
      const decision = event.operatorDecision === null ? '' : `, ${event.operatorDecision}`;
      const reason = event.reason === null ? '' : ` — ${event.reason}`;
      return `  ${event.status === 'nok' ? '✘' : '✔'} ${event.name}: ${event.status}${decision}${reason}`;
    }
    case 'node-blocked':
      return `  ⏸ ${event.name}: blocked by ${event.blockedBy}`;
    case 'prompt':
      return undefined;
    case 'run-finished': {
      const { ok, nok, skipped } = event.counts;
      return `run ${event.runId} ended ${event.status} (ok ${ok}, nok ${nok}, skipped ${skipped})`;
    }
  }
}

function print(event: EngineEvent): void {
  const line = describe(event);
  if (line !== undefined) console.log(line);
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`unexpected: ${message}`);
}

function expectOutcome(outcome: RunOutcome, status: RunOutcome['status'], runId: number): void {
  check(outcome.status === status, `run ended ${outcome.status}, expected ${status}`);
  check(outcome.runId === runId, `run id ${outcome.runId}, expected ${runId}`);
}

async function main(): Promise<void> {
  const loaded = await loadRunbook(RUNBOOK);
  if (!loaded.ok) {
    for (const problem of loaded.problems) console.error(formatProblem(problem));
    throw new Error('the runbook is invalid');
  }
  const runbook = loaded.runbook;
  const env = { RELEASE_VERSION: 'v1.2.3' };
  const engineWith = (repository: RunRepository, prompter: Prompter) =>
    createEngine({ ...createNodePorts(), repository, prompter });

  console.log('# in-memory history: skip the failing smoke test');
  const inMemory = await engineWith(new InMemoryRunRepository(), releaseBot('skip')).run(runbook, {
    interactive: true,
    env,
    onEvent: print,
  });
  expectOutcome(inMemory, 'ok', 1);
  check(inMemory.counts.ok === 4 && inMemory.counts.skipped === 1, 'in-memory counts');

  const folder = await mkdtemp(join(tmpdir(), 'playbook-embedding-'));
  try {
    const statePath = join(folder, 'state', 'run.db');

    console.log('\n# SQLite history: abort at the failing smoke test…');
    const first = await openSqliteRunRepository(statePath);
    try {
      const aborted = await engineWith(first, releaseBot('abort')).run(runbook, {
        interactive: true,
        env,
        onEvent: print,
      });
      expectOutcome(aborted, 'aborted', 1);
    } finally {
      await first.close();
    }

    console.log('\n# …then resume it from a newly opened database and skip it');
    const second = await openSqliteRunRepository(statePath);
    try {
      const resumed = await engineWith(second, releaseBot('skip')).resume(runbook, {
        interactive: true,
        env,
        onEvent: print,
      });
      expectOutcome(resumed, 'ok', 1);

      console.log('\n# what the database holds');
      const state = await second.loadRun({ workflowName: runbook.meta.title, runId: resumed.runId });
      check(state !== undefined, 'the run is in the database');
      if (state === undefined) return;
      console.log(`run ${state.run.runId}: ${state.run.status}, trigger ${state.run.trigger}`);
      for (const attempt of state.attempts) {
        const details = [
          attempt.operatorDecision,
          attempt.exitCode === null ? null : `exit ${attempt.exitCode}`,
        ]
          .concat(attempt.resultText === null ? [] : [`result "${attempt.resultText}"`])
          .filter((part) => part !== null);
        console.log(
          `  ${attempt.nodeId} #${attempt.attempt} ${attempt.status}${details.length === 0 ? '' : ` (${details.join(', ')})`}`,
        );
      }
      check(state.attempts.length === 7, `7 attempts stored, got ${state.attempts.length}`);
    } finally {
      await second.close();
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
