/**
 * The value placeholder of each option in usage text, as in SPEC §4's synopsis. clipanion 3 writes every option
 * value as `#0` and its option descriptors have no field to name it, so the CLI rewrites its usage text.
 */
const VALUE_NAMES: Readonly<Record<string, string>> = {
  '--state-path': '<file>',
  '--state-url': '<url>',
  '--config': '<file>',
  '--title': '<title>',
  '--author': '<author>',
  '--description': '<text>',
  '--output': '<file>',
  '--run-id': '<n>',
  // export-dot: dot|svg|png; report: md|html|json (each command's usage lists its own).
  '--format': '<format>',
  '--retries': '<n>',
  '--concurrency': '<n>',
  '--set': '<node>.<param>=<value>',
  '--node': '<id>',
  '--var': '<name>=<value>',
  '--vars-file': '<file>',
  '--reason': '<text>',
  '--port': '<n>',
  '--host': '<address>',
  '--tls-cert': '<file>',
  '--tls-key': '<file>',
  '--attempt': '<n>',
  '--runbook': '<file>',
};

/** `text` with clipanion's value placeholders named: `--run-id #0` → `--run-id <n>` (`<value>` when unknown). */
export function nameOptionValues(text: string): string {
  return text.replace(/(--[A-Za-z][\w-]*)((?: #\d+)+)/g, (_match, name: string, values: string) => {
    const value = VALUE_NAMES[name] ?? '<value>';
    return `${name}${values.replace(/ #\d+/g, ` ${value}`)}`;
  });
}
