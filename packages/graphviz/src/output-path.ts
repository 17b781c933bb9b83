/** What `export-dot` can write. */
export type OutputFormat = 'dot' | 'svg' | 'png';

const RUNBOOK_SUFFIX = /\.playbook\.toml$/i;
const TOML_SUFFIX = /\.toml$/i;

/** Where a runbook's drawing goes by default: next to it, `x.playbook.toml` → `x.playbook.<format>`. */
export function defaultOutputPath(runbookPath: string, format: OutputFormat): string {
  if (RUNBOOK_SUFFIX.test(runbookPath)) return runbookPath.replace(RUNBOOK_SUFFIX, `.playbook.${format}`);
  if (TOML_SUFFIX.test(runbookPath)) return runbookPath.replace(TOML_SUFFIX, `.${format}`);
  return `${runbookPath}.${format}`;
}

/** Where `export-dot` writes DOT by default (SPEC §4): `x.playbook.toml` → `x.playbook.dot`. */
export function defaultDotPath(runbookPath: string): string {
  return defaultOutputPath(runbookPath, 'dot');
}
