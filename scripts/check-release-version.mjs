#!/usr/bin/env node
// Before a release publishes anything: the pushed tag names the version every package carries, and no
// changeset is still pending (`pnpm changeset version` was run and committed). Exits 1 with one line per problem.
//   node scripts/check-release-version.mjs v0.2.0
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { publishablePackages, ROOT } from './lib/workspace.mjs';

const tag = process.argv[2];
if (tag === undefined || !/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(tag)) {
  console.error('usage: node scripts/check-release-version.mjs v<major>.<minor>.<patch>');
  process.exit(2);
}
const version = tag.slice(1);

const problems = [];
for (const pkg of await publishablePackages()) {
  if (pkg.version !== version) problems.push(`${pkg.name} is at ${pkg.version}, the tag says ${version}`);
}
const pending = readdirSync(join(ROOT, '.changeset')).filter(
  (name) => name.endsWith('.md') && name !== 'README.md',
);
if (pending.length > 0) {
  problems.push(`pending changesets (run \`pnpm changeset version\` and commit): ${pending.join(', ')}`);
}

for (const problem of problems) console.error(`✘ ${problem}`);
if (problems.length > 0) process.exit(1);
console.log(`✔ every package is at ${version}, no changeset pending`);
