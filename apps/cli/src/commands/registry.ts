import type { CommandClass } from '../clipanion.js';
import type { PlaybookContext } from '../context.js';
import { HelpCommand } from './help.js';
import { VersionCommand } from './version.js';

type Loader = () => Promise<CommandClass<PlaybookContext>>;

/**
 * Each command's module by the name that starts its command line, imported only when it is used: loading and
 * compiling every command — and clipanion building its parser over all of them — was most of the start-up
 * time of a command like `show` or `validate` (see docs/performance.md). The same commands as cli.ts's
 * COMMANDS, in the same order (a test checks).
 */
export const COMMAND_LOADERS: Readonly<Record<string, Loader>> = {
  approve: async () => (await import('./approve.js')).ApproveCommand,
  __complete: async () => (await import('./complete.js')).CompleteCommand,
  completion: async () => (await import('./completion.js')).CompletionCommand,
  create: async () => (await import('./create.js')).CreateCommand,
  'export-dot': async () => (await import('./export-dot.js')).ExportDotCommand,
  import: async () => (await import('./import.js')).ImportCommand,
  info: async () => (await import('./info.js')).InfoCommand,
  logs: async () => (await import('./logs.js')).LogsCommand,
  plan: async () => (await import('./plan.js')).PlanCommand,
  reject: async () => (await import('./approve.js')).RejectCommand,
  report: async () => (await import('./report.js')).ReportCommand,
  resume: async () => (await import('./resume.js')).ResumeCommand,
  run: async () => (await import('./run.js')).RunCommand,
  serve: async () => (await import('./serve.js')).ServeCommand,
  show: async () => (await import('./show.js')).ShowCommand,
  validate: async () => (await import('./validate.js')).ValidateCommand,
  verify: async () => (await import('./verify.js')).VerifyCommand,
};

/** Commands that need every other one registered: `completion` writes them all into its script. */
const NEEDS_ALL = new Set(['completion']);

/**
 * The commands a command line needs: `--help` and `--version`, and the one it names — or all of them when it
 * names none we know (the list of commands, a "did you mean" for a misspelt one).
 */
export async function commandsFor(argv: readonly string[]): Promise<Array<CommandClass<PlaybookContext>>> {
  const name = argv[0];
  const known = name !== undefined && Object.hasOwn(COMMAND_LOADERS, name) && !NEEDS_ALL.has(name);
  const one = known ? COMMAND_LOADERS[name] : undefined;
  const loaders = one === undefined ? Object.values(COMMAND_LOADERS) : [one];
  return [HelpCommand, VersionCommand, ...(await Promise.all(loaders.map((load) => load())))];
}
