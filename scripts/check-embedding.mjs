#!/usr/bin/env node
// Checks the embedding story the way a team would live it: packs the libraries (as `pnpm publish` would),
// copies examples/embedding to a temporary folder, installs the TARBALLS there with npm (third-party
// dependencies come from the registry; no workspace links), type-checks the program with tsc, runs it — one
// runbook with the in-memory history, then with SQLite through an abort and a resume — and compares what it
// prints with examples/embedding/expected-output.txt. Exits 1 on any difference.
//
//   node scripts/check-embedding.mjs [--no-build] [--keep]
//
// --keep leaves the temporary project in place (its path is printed) to poke at.
// Install scripts run as they do for a user: better-sqlite3 fetches its prebuilt addon or compiles it, so a
// broken native install fails this check rather than hiding behind the workspace's own build.
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildAll, exec, packAll, publishablePackages, ROOT } from './lib/workspace.mjs';

const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const keep = args.includes('--keep');
const EXAMPLE = join(ROOT, 'examples', 'embedding');

const started = performance.now();
const timings = [];
async function step(label, action) {
  const begin = performance.now();
  const result = await action();
  timings.push(`${label} ${((performance.now() - begin) / 1000).toFixed(1)} s`);
  return result;
}

// better-sqlite3 compiles from source where no prebuilt binary can be downloaded; node-gyp then needs the
// headers of the installed Node, which Debian's nodejs ships under /usr/include/node.
const env = {
  ...process.env,
  npm_config_fund: 'false',
  npm_config_audit: 'false',
  npm_config_update_notifier: 'false',
};
if (env.npm_config_nodedir === undefined && existsSync('/usr/include/node/node.h'))
  env.npm_config_nodedir = '/usr';

const work = mkdtempSync(join(tmpdir(), 'playbook-embedding-'));
const project = join(work, 'project');
let ok = false;
try {
  if (build) await step('build', buildAll);
  const packed = await step('pack', async () => packAll(await publishablePackages(), join(work, 'tarballs')));

  await cp(EXAMPLE, project, {
    recursive: true,
    filter: (source) => !/[\\/](node_modules|dist)$/.test(source) && !source.endsWith('.tgz'),
  });
  const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
  manifest.dependencies = tarballDependencies(manifest.dependencies, packed);
  writeFileSync(join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  await step('npm install', () => exec('npm', ['install', '--no-audit', '--no-fund'], { cwd: project, env }));
  checkInstalledFromTarballs(project, Object.keys(manifest.dependencies));

  await step('tsc', () =>
    exec(join(project, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: project }),
  );
  const { stdout } = await step('run', () => exec(process.execPath, ['dist/main.js'], { cwd: project }));

  const expected = readFileSync(join(EXAMPLE, 'expected-output.txt'), 'utf8');
  if (stdout !== expected) {
    console.error(
      '✘ the embedding example printed something else than examples/embedding/expected-output.txt',
    );
    console.error(diffLines(expected, stdout));
    process.exitCode = 1;
  } else {
    ok = true;
    process.stdout.write(`${stdout.trimEnd().replace(/^/gm, '  │ ')}\n`);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `✔ examples/embedding installs from the tarballs, type-checks and runs (${seconds} s: ${timings.join(', ')})`,
    );
  }
} catch (error) {
  console.error(`✘ ${error.message}`);
  process.exitCode = 1;
} finally {
  if (keep) console.log(`project kept in ${project}`);
  else rmSync(work, { recursive: true, force: true });
  if (!ok && process.exitCode === undefined) process.exitCode = 1;
}

/**
 * The example's dependencies with every @playbook package pointing at its tarball, plus the @playbook packages
 * those depend on (directly or not): npm then finds them in the tree instead of asking the registry.
 */
function tarballDependencies(dependencies, packed) {
  const byName = new Map(packed.map((pkg) => [pkg.name, pkg]));
  const result = { ...dependencies };
  const queue = Object.keys(dependencies).filter((name) => byName.has(name));
  while (queue.length > 0) {
    const name = queue.shift();
    const pkg = byName.get(name);
    result[name] = `file:${pkg.tarball}`;
    const packedManifest = JSON.parse(readFileSync(join(pkg.dir, 'package.json'), 'utf8'));
    for (const dependency of Object.keys(packedManifest.dependencies ?? {})) {
      if (byName.has(dependency) && !result[dependency]?.startsWith('file:')) queue.push(dependency);
    }
  }
  return result;
}

/** Every @playbook package in node_modules is a real folder unpacked from a tarball, not a link to the workspace. */
function checkInstalledFromTarballs(projectDir, names) {
  const lock = JSON.parse(readFileSync(join(projectDir, 'package-lock.json'), 'utf8'));
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (!path.includes('node_modules/@playbook/')) continue;
    if (!String(entry.resolved ?? '').startsWith('file:') || entry.link === true) {
      throw new Error(`${path} was not installed from a packed tarball (resolved: ${entry.resolved})`);
    }
  }
  for (const name of names.filter((n) => n.startsWith('@playbook/'))) {
    const folder = join(projectDir, 'node_modules', name);
    if (lstatSync(folder).isSymbolicLink()) throw new Error(`${relative(projectDir, folder)} is a link`);
  }
}

/** A small line diff: lines only expected with `-`, lines only printed with `+`, in order. */
function diffLines(expected, actual) {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const out = [];
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    if (a[i] === b[i]) out.push(`  ${a[i] ?? ''}`);
    else {
      if (a[i] !== undefined) out.push(`- ${a[i]}`);
      if (b[i] !== undefined) out.push(`+ ${b[i]}`);
    }
  }
  return out.join('\n');
}
