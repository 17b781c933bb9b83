import { readFileSync } from 'node:fs';
import { Command } from '../clipanion.js';
import type { PlaybookContext } from '../context.js';

/**
 * The version in apps/cli/package.json, read on demand. The manifest sits two levels above this file in the
 * tsc output (dist/commands/) and one level above the bundled binary (dist/bin.js).
 */
export function cliVersion(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === '@playbook/cli') return manifest.version ?? '0.0.0';
    } catch {
      // Not at this level: try the next.
    }
  }
  return '0.0.0';
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
