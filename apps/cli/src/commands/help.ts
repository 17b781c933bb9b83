import { Command } from '../clipanion.js';
import type { PlaybookContext } from '../context.js';

/** `playbook --help` / `-h`: the list of commands; unlike clipanion's builtin it honours our colour decision. */
export class HelpCommand extends Command<PlaybookContext> {
  static override paths = [['-h'], ['--help']];

  override async execute(): Promise<number> {
    // MiniCli's type omits `colored`, but it forwards the options to Cli#usage, which accepts it.
    const usage = this.cli.usage as (command: null, options: { colored: boolean }) => string;
    this.context.stdout.write(usage(null, { colored: this.context.color.stdout }));
    return 0;
  }
}
