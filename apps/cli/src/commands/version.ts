import { readFileSync } from 'node:fs';
import { Command } from '../clipanion.js';
import type { PlaybookContext } from '../context.js';

/** The version in apps/cli/package.json, read on demand (it sits one level above both src/ and dist/). */
export function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return manifest.version ?? '0.0.0';
}

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
