#!/usr/bin/env node
// Writes docs/cli-reference.md from the built CLI's clipanion definitions (build first: `pnpm build`).
//   node scripts/generate-cli-reference.mjs          write the file
//   node scripts/generate-cli-reference.mjs --check  exit 1 when the committed file is out of date
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI_REFERENCE_PATH, renderCliReference } from './lib/cli-reference.mjs';
import { ROOT } from './lib/workspace.mjs';

const { createCli } = await import(pathToFileURL(join(ROOT, 'apps', 'cli', 'dist', 'cli.js')).href);
const text = renderCliReference(createCli().definitions());
const target = join(ROOT, CLI_REFERENCE_PATH);

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {}
  if (current !== text) {
    console.error(`✘ ${CLI_REFERENCE_PATH} is out of date: run \`pnpm docs:cli\``);
    process.exit(1);
  }
  console.log(`✔ ${CLI_REFERENCE_PATH} is up to date`);
} else {
  writeFileSync(target, text);
  console.log(`wrote ${CLI_REFERENCE_PATH}`);
}
