import type { Colors } from '../terminal/colors.js';
import { visibleLine } from '../terminal/visible.js';

/** Node ids added, removed and changed in a runbook file since a run started (`run-started`, a plan's resume). */
export interface RunbookChanges {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Undefined or null: the runbook the run started with is not known, so changed steps cannot be named. */
  readonly changed?: readonly string[] | null | undefined;
}

/**
 * What `resume` says about a runbook file that changed since the run started, and a plan of that resume says the
 * same words: one warning line, then the changed, added and removed steps. `label` shows a node of the file
 * (visible text); removed nodes are no longer in it, so their ids are all there is.
 */
export function runbookChangesText(
  changes: RunbookChanges,
  label: (id: string) => string,
  colors: Colors,
): string {
  const { added, removed } = changes;
  const changed = changes.changed ?? undefined;
  // Any change is said, also one that keeps the same steps: a changed command matters just as much.
  const sameSteps = added.length === 0 && removed.length === 0;
  const same = !sameSteps
    ? ''
    : changed === undefined
      ? ' (same steps; their content may differ)'
      : changed.length === 0
        ? ' (no step changed)'
        : '';
  let text = `${colors.yellow('!')} The runbook file changed since this run started${same}.\n`;
  if (changed !== undefined && changed.length > 0) text += `  changed: ${changed.map(label).join(', ')}\n`;
  if (added.length > 0) text += `  added:   ${added.map(label).join(', ')}\n`;
  if (removed.length > 0) {
    text += `  removed: ${removed.map(visibleLine).join(', ')} ${colors.dim('(ignored)')}\n`;
  }
  return text;
}
