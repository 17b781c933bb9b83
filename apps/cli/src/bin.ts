#!/usr/bin/env node
import module from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliVersion } from './cli-version.js';
import { COMMAND_NAMES } from './commands/names.js';
import { createChunkLoader } from './start/chunk-loader.js';
import { codeCacheDir, fileCodeCache } from './start/code-cache.js';
import { pruneCodeCache } from './start/prune-code-cache.js';
import { withStartFlags } from './start/young-generation.js';

// On Node 22.1 and later, keep V8's compiled code of the packages the CLI imports through Node's own loader
// (Kysely, the PostgreSQL driver…) on disk too. The CLI's own chunks have their cache (src/start/code-cache.ts).
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

/** Set by scripts/bundle.mjs: the chunk of `main`, and the ES-module packages each chunk needs loaded first. */
declare const PLAYBOOK_MAIN_CHUNK: string;
declare const PLAYBOOK_CHUNK_PACKAGES: Record<string, string[]>;

// `--version` alone takes a path that loads nothing but the manifest: it is what scripts call most and what a
// cold start is measured by. Everything else loads the CLI.
const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === '--version') {
  process.stdout.write(`${cliVersion()}\n`);
} else {
  const dir = codeCacheDir(process.env, homedir(), process.versions, process.arch);
  // A cache of its own for each command. V8's cached data holds the functions that had run when it was made: a
  // chunk shared by `validate` and `run` (the parser, the CLI's core) cached by `validate` first left `run` to
  // compile, at each start, every function of it that `validate` does not call (~2 % of a one-step run). By the
  // first word only: global options put before the command (`-v show …`) file it under `other`, which is slower
  // at worst, never wrong.
  const command = argv[0];
  const commandCache =
    dir === undefined
      ? undefined
      : join(dir, command !== undefined && COMMAND_NAMES.includes(command) ? command : 'other');
  const debug = process.env.PLAYBOOK_DEBUG_CHUNKS === '1';
  const loader = createChunkLoader({
    dir: join(dirname(fileURLToPath(import.meta.url)), 'chunks'),
    importPackage: (specifier) => import(specifier),
    packagesOf: PLAYBOOK_CHUNK_PACKAGES,
    cache:
      commandCache === undefined
        ? undefined
        : fileCodeCache(commandCache, (folder) => pruneCodeCache(folder)),
    underStartFlags: withStartFlags,
    ...(debug ? { trace: (line: string) => process.stderr.write(`playbook: ${line}\n`) } : {}),
  });
  process.once('exit', () => loader.saveCache());
  void loader
    .load(`./${PLAYBOOK_MAIN_CHUNK}`)
    .then((chunk) => (chunk as typeof import('./main.js')).main(argv))
    .then((code) => {
      process.exitCode = code;
    });
}
