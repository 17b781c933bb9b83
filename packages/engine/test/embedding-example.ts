import { formatProblem, loadRunbook } from '@playbook/parser';
import {
  createEngine,
  type EngineEvent,
  InMemoryRunRepository,
  type Prompter,
  type RunOutcome,
} from '../src/index.js';
import { createNodePorts } from '../src/node/index.js';

/** A prompter of our own: a release bot that approves Manual steps, answers `${ask}` from a table, never retries. */
function botPrompter(answers: Readonly<Record<string, string>>): Prompter {
  return {
    manual: async () => ({ decision: 'ok', note: 'approved by release-bot' }),
    afterFailure: async () => 'abort',
    askValue: async ({ node, param }) => answers[`${node.id}.${param}`] ?? '',
    confirmRepeat: async () => false,
  };
}

/** One line per event, as a team's own tool might log them. */
function describeEvent(event: EngineEvent): string | undefined {
  switch (event.type) {
    case 'run-started':
      return `run ${event.runId} of ${event.workflow}: ${event.plan.join(' → ')}`;
    case 'node-started':
      return `▶ ${event.name} (attempt ${event.attempt})`;
    case 'output':
      return `  ${event.stream}: ${event.chunk.trimEnd()}`;
    case 'node-finished':
      return `${event.status === 'nok' ? '✘' : '✔'} ${event.name}: ${event.status}${event.reason === null ? '' : ` (${event.reason})`}`;
    case 'node-blocked':
      return `⏸ ${event.name}: blocked by ${event.blockedBy}`;
    case 'prompt':
      return undefined;
    case 'run-finished':
      return `run ${event.runId} ended ${event.status} (ok ${event.counts.ok}, nok ${event.counts.nok}, skipped ${event.counts.skipped})`;
  }
}

/** Loads a runbook, runs it with Node adapters and an in-memory history, and prints what happens. */
export async function runRunbook(
  path: string,
  print: (line: string) => void,
): Promise<RunOutcome | undefined> {
  const parsed = await loadRunbook(path);
  if (!parsed.ok) {
    for (const problem of parsed.problems) print(formatProblem(problem));
    return undefined;
  }
  const engine = createEngine({
    ...createNodePorts(),
    repository: new InMemoryRunRepository(),
    prompter: botPrompter({ 'announce.message': 'v1.2.3 is out' }),
  });
  return engine.run(parsed.runbook, {
    interactive: true,
    onEvent: (event) => {
      const line = describeEvent(event);
      if (line !== undefined) print(line);
    },
  });
}
