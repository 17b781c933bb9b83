import type { Colors } from './colors.js';

/** A duration for people: `420ms`, `3.2s`, `2m 05s`, `1h 02m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) {
    return `${Math.max(0, Math.round(ms))}ms`;
  }
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(1)}s`;
  }
  const seconds = Math.floor(ms / 1000);
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
  }
  return `${Math.floor(seconds / 3600)}h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
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
