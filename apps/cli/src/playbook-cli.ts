import { Cli, UsageError } from './clipanion.js';
import { COMMAND_LOADERS } from './commands/registry.js';
import type { PlaybookContext } from './context.js';
import { ExitCode, formatError } from './errors.js';
import { nameOptionValues } from './option-values.js';

/**
 * clipanion's Cli with the exit codes of SPEC §4: a command line that does not parse (unknown command, unknown
 * option, missing argument) is a usage error, exit 2 with the message on stderr — clipanion itself prints it
 * on stdout and exits 1.
 */
export class PlaybookCli extends Cli<PlaybookContext> {
  override async run(
    input: Parameters<Cli<PlaybookContext>['run']>[0],
    context: Parameters<Cli<PlaybookContext>['run']>[1],
  ): Promise<number> {
    const full = { ...Cli.defaultContext, ...(context as Partial<PlaybookContext>) } as PlaybookContext;
    // clipanion's own help paths (`validate --help`) ignore the context and guess colours from the process's
    // terminal; pin them to our NO_COLOR / FORCE_COLOR / TTY decision instead.
    (this as { enableColors?: boolean }).enableColors = full.color?.stdout ?? full.colorDepth > 1;
    if (!Array.isArray(input)) return super.run(input, full);
    if (input.length === 0) {
      full.stderr.write(this.usage(null, { colored: full.color?.stderr ?? false }));
      return ExitCode.usage;
    }
    let command: ReturnType<Cli<PlaybookContext>['process']>;
    try {
      command = this.process(input, full);
    } catch (error) {
      const color = full.color?.stderr ?? false;
      const name = (error as { name?: unknown } | null)?.name;
      if (name !== 'UnknownSyntaxError' && name !== 'AmbiguousSyntaxError') {
        full.stderr.write(formatError(error, { verbose: false, color }));
        full.stderr.write('Run `playbook --help` for the list of commands.\n');
        return ExitCode.usage;
      }
      // One line that says what is wrong (with a "did you mean"), and the usage line: not clipanion's dump of
      // every command's usage.
      const { describeSyntaxError } = await import('./syntax-error.js');
      // Every command by name, also those this process did not load (see commands/registry.ts).
      const commands = Object.keys(COMMAND_LOADERS).filter((name) => !name.startsWith('_'));
      const report = describeSyntaxError(error as Parameters<typeof describeSyntaxError>[0], commands);
      full.stderr.write(formatError(new UsageError(report.message), { verbose: false, color }));
      full.stderr.write(`${report.usage}\n`);
      return ExitCode.usage;
    }
    return super.run(command, full);
  }

  // Every usage text (help, the command list, `definitions()`) comes through here: name the option values.
  protected override getUsageByIndex(
    n: number,
    opts?: Parameters<Cli<PlaybookContext>['getUsageByIndex']>[1],
  ): ReturnType<Cli<PlaybookContext>['getUsageByIndex']> {
    const { usage, options } = super.getUsageByIndex(n, opts);
    return {
      usage: nameOptionValues(usage),
      options: options.map((option) => ({ ...option, definition: nameOptionValues(option.definition) })),
    };
  }

  // A command line that does not parse lists candidate usages that clipanion compiled with `#0` placeholders.
  override error(error: unknown, opts?: Parameters<Cli<PlaybookContext>['error']>[1]): string {
    return nameOptionValues(super.error(error, opts));
  }
}

/** An empty `playbook` CLI: its name and label; register the commands it should know. */
export function newCli(options: { version?: string } = {}): PlaybookCli {
  return new PlaybookCli({
    binaryLabel: 'Playbook',
    binaryName: 'playbook',
    ...(options.version === undefined ? {} : { binaryVersion: options.version }),
  });
}
