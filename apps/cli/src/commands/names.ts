/**
 * The name of every command, as it starts a command line: what the binary's entry knows of the commands without
 * loading any (it keeps a code cache per command, src/bin.ts). The same as the registry's (a test checks).
 */
export const COMMAND_NAMES: readonly string[] = [
  'approve',
  '__complete',
  'completion',
  'create',
  'export-dot',
  'import',
  'info',
  'logs',
  'plan',
  'reject',
  'report',
  'resume',
  'run',
  'serve',
  'show',
  'validate',
  'verify',
];
