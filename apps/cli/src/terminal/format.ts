// One duration formatter for every package: the terminal, `show` and Graphviz labels read alike.
export { formatDuration } from '@playbook/domain/text';

import type { Colors } from './colors.js';

/** A running step's age in a log line: `0m45s`, `5m00s`, `1h02m03s` (SPEC §9.5's heartbeat). */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const ss = String(seconds % 60).padStart(2, '0');
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${ss}s`;
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, '0');
  return `${Math.floor(seconds / 3600)}h${mm}m${ss}s`;
}

/** What a node's end looks like: ✔ ok, ✖ nok, ↷ skipped, ⊘ blocked or interrupted. */
export type Mark = 'ok' | 'nok' | 'skipped' | 'stopped' | 'pending' | 'running';

/** The coloured status symbol of a mark. */
export function statusSymbol(mark: Mark, colors: Colors): string {
  switch (mark) {
    case 'ok':
      return colors.green('✔');
    case 'nok':
      return colors.red('✖');
    case 'skipped':
      return colors.yellow('↷');
    case 'stopped':
      return colors.magenta('⊘');
    case 'running':
      return colors.blue('…');
    case 'pending':
      return colors.dim('·');
  }
}

/** `Build image (build)` — the id only when it differs from the name. */
export const nodeLabel = (name: string, id: string, colors: Colors): string =>
  name === id ? colors.bold(name) : `${colors.bold(name)} ${colors.dim(`(${id})`)}`;

/** Items as a sentence lists them: `a`, `a and b`, `a, b and c`. */
export function wordList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
