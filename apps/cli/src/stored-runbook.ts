import type { Runbook } from '@playbook/domain';
import type { RunStore } from './state-store.js';

/** The runbook whose text the history keeps for `hash`, parsed; undefined when none is kept or it no longer parses. */
export async function storedRunbook(
  history: Pick<RunStore, 'runbookText'>,
  hash: string,
): Promise<Runbook | undefined> {
  const text = await history.runbookText(hash);
  if (text === undefined) return undefined;
  const { parseRunbookText } = await import('@playbook/parser');
  const parsed = await parseRunbookText(text, 'the runbook the run started with');
  return parsed.ok ? parsed.runbook : undefined;
}
