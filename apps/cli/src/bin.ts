#!/usr/bin/env node
import module from 'node:module';

// On Node 22.1 and later, keep V8's compiled code of the bundle on disk (in the system's temporary folder) and
// reuse it at the next start: compiling the CLI's modules is a large part of its start-up. Older Nodes lack it.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// `--version` alone takes a path that loads nothing but the manifest: it is what scripts call most and what a
// cold start is measured by. Everything else loads the CLI.
const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === '--version') {
  const { cliVersion } = await import('./cli-version.js');
  process.stdout.write(`${cliVersion()}\n`);
} else {
  const { main } = await import('./main.js');
  process.exitCode = await main(argv);
}
