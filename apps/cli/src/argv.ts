/** Global options every command accepts, and whether each takes a value. */
const GLOBAL_OPTIONS: ReadonlyMap<string, boolean> = new Map([
  ['-v', false],
  ['--verbose', false],
  ['--state-path', true],
  ['--state-url', true],
  ['--config', true],
]);

const TOP_LEVEL = new Set(['-h', '--help', '--version']);

function globalOption(token: string): { takesValue: boolean; inline: boolean } | undefined {
  const eq = token.indexOf('=');
  if (token.startsWith('--') && eq > 0) {
    const takesValue = GLOBAL_OPTIONS.get(token.slice(0, eq));
    return takesValue === true ? { takesValue, inline: true } : undefined;
  }
  const takesValue = GLOBAL_OPTIONS.get(token);
  return takesValue === undefined ? undefined : { takesValue, inline: false };
}

/**
 * clipanion wants the command path first, while SPEC §4 puts global options before it
 * (`playbook -v --state-path db show wf`). Moves global options found before the command name to just after
 * it, so they parse as that command's options; everything else keeps its order. `-h`, `--help` and
 * `--version` in command position stay top-level.
 */
export function normalizeArgv(argv: readonly string[]): string[] {
  const globals: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const token = argv[i] as string;
    const option = globalOption(token);
    if (option === undefined) break;
    globals.push(token);
    if (option.takesValue && !option.inline && i + 1 < argv.length) {
      globals.push(argv[i + 1] as string);
      i += 2;
    } else {
      i += 1;
    }
  }
  if (globals.length === 0 || i >= argv.length) return [...argv];
  const command = argv[i] as string;
  // `playbook -v --help`: the top-level flag wins, the global options mean nothing there.
  if (TOP_LEVEL.has(command)) return argv.slice(i);
  if (command.startsWith('-')) return [...argv];
  return [command, ...globals, ...argv.slice(i + 1)];
}
