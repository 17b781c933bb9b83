import { homedir } from 'node:os';
import { isatty } from 'node:tty';
import { normalizeArgv } from './argv.js';
import { ignoreBrokenPipe } from './broken-pipe.js';
import { commandsFor } from './commands/registry.js';
import { createProcessContext, type PlaybookContext } from './context.js';
import { closeLostTerminalAtExit } from './lost-terminal.js';
import { newCli } from './playbook-cli.js';

/** Runs the CLI on `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: readonly string[], context?: PlaybookContext): Promise<number> {
  const normalized = normalizeArgv(argv);
  const cli = newCli();
  for (const command of await commandsFor(normalized)) cli.register(command);
  if (context === undefined) {
    ignoreBrokenPipe(process.stdout);
    ignoreBrokenPipe(process.stderr);
    closeLostTerminalAtExit();
  }
  return cli.run(normalized, context ?? createProcessContext(process, homedir(), () => isatty(0)));
}
