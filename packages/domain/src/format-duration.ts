/**
 * A duration for people, the one way Playbook writes it (terminal, `show`, Graphviz labels): `420ms`, `3.2s`,
 * `2m 05s`, `1h 02m`. Minutes and hours are cut, not rounded, so a step never reads longer than it took;
 * a negative duration (a clock set back) reads `0ms`, one that is not a number `?`.
 */
export function formatDuration(ms: number): string {
  if (Number.isNaN(ms)) return '?';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  if (!Number.isFinite(ms)) return '?';
  const seconds = Math.floor(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}
