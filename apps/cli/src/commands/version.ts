import { cliVersion } from '../cli-version.js';
import { Command } from '../clipanion.js';
import type { PlaybookContext } from '../context.js';

/** `playbook --version`: prints the version and nothing else, loading nothing heavy. */
export class VersionCommand extends Command<PlaybookContext> {
  static override paths = [['--version']];

  static override usage = Command.Usage({
    description: 'Print the version of playbook',
    examples: [['Print the version', '$0 --version']],
  });

  override async execute(): Promise<number> {
    this.context.stdout.write(`${cliVersion()}\n`);
    return 0;
  }
}
