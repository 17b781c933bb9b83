import { homedir } from 'node:os';
import { normalizeArgv } from './argv.js';
import { ignoreBrokenPipe } from './broken-pipe.js';
import { createCli } from './cli.js';
import { createProcessContext, type PlaybookContext } from './context.js';
import { closeLostTerminalAtExit } from './lost-terminal.js';

/** Runs the CLI on `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: readonly string[], context?: PlaybookContext): Promise<number> {
  const cli = createCli();
  if (context === undefined) {
    ignoreBrokenPipe(process.stdout);
    ignoreBrokenPipe(process.stderr);
    closeLostTerminalAtExit();
  }
  return cli.run(normalizeArgv(argv), context ?? createProcessContext(process, homedir()));
}
