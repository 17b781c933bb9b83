#!/usr/bin/env node
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
