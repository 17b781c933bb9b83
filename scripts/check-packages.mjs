#!/usr/bin/env node
// Checks what npm users would install: packs every publishable workspace package with `pnpm pack` (as
// `pnpm publish` would, so `workspace:^` ranges are rewritten) and lints each tarball with publint (--strict:
// warnings fail too) and @arethetypeswrong/cli (every resolution mode, node10 included, but CommonJS `require`:
// the packages are ESM only), plus a few checks of our own: LICENSE, README, source maps. Exits 1 on any problem.
//
//   node scripts/check-packages.mjs [--no-build] [--keep <dir>]
//
// --no-build skips `turbo run build`; --keep writes the tarballs to <dir> and leaves them there.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import { bin, buildAll, exec, mapLimit, packAll, publishablePackages, ROOT } from './lib/workspace.mjs';

const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const keepIndex = args.indexOf('--keep');
const keep = keepIndex === -1 ? undefined : args[keepIndex + 1];
if (keepIndex !== -1 && keep === undefined) {
  console.error('usage: node scripts/check-packages.mjs [--no-build] [--keep <dir>]');
  process.exit(2);
}

const started = performance.now();
const destination = keep === undefined ? mkdtempSync(resolve(tmpdir(), 'playbook-pack-')) : resolve(keep);
mkdirSync(destination, { recursive: true });

try {
  if (build) await buildAll();
  const packed = await packAll(await publishablePackages(), destination);
  const reports = await mapLimit(packed, 3, checkTarball);
  let failed = 0;
  for (const report of reports) {
    const ok = report.problems.length === 0;
    if (!ok) failed += 1;
    console.log(`${ok ? '✔' : '✘'} ${report.name}@${report.version} (${report.files.length} files)`);
    for (const problem of report.problems) console.log(indent(problem));
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (failed > 0) {
    console.error(`✘ ${failed} of ${reports.length} packages have packaging problems (${seconds} s)`);
    process.exitCode = 1;
  } else {
    console.log(`✔ ${reports.length} packages pass publint and attw (${seconds} s)`);
    if (keep !== undefined) console.log(`tarballs in ${destination}`);
  }
} finally {
  if (keep === undefined) rmSync(destination, { recursive: true, force: true });
}

/** Every problem found in one tarball, as text (empty when it is fine). */
async function checkTarball(pkg) {
  const problems = [];
  const manifest = JSON.parse(await readPackedFile(pkg.tarball, 'package/package.json'));

  // pnpm rewrites workspace: ranges; a leftover one would be uninstallable from the registry.
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (range.startsWith('workspace:')) problems.push(`${field}.${name} is still "${range}"`);
    }
  }
  // Only build output ships: no tests, no sources, no build info.
  for (const file of pkg.files) {
    if (!file.startsWith('dist/') && file !== 'package.json' && !/^(README|LICENSE|CHANGELOG)/i.test(file)) {
      problems.push(`unexpected file in the tarball: ${file}`);
    } else if (/\.test\.|\.tsbuildinfo$/.test(file)) {
      problems.push(`test or build-info file in the tarball: ${file}`);
    }
  }
  // What a user of the package is owed besides the code: its licence (the repository's, word for word) and a
  // README for the registry's page.
  const license = await readPackedFile(pkg.tarball, 'package/LICENSE').catch(() => undefined);
  if (license === undefined) problems.push('no LICENSE in the tarball');
  else if (license !== readFileSync(resolve(ROOT, 'LICENSE'), 'utf8'))
    problems.push("LICENSE differs from the repository's LICENSE");
  if (!pkg.files.includes('README.md')) problems.push('no README.md in the tarball');
  // A source map must not point at files that are not shipped: each source is in the tarball or inside the map.
  problems.push(...(await mapsWithMissingSources(pkg)));
  for (const [name, path] of Object.entries(
    typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {}),
  )) {
    const text = await readPackedFile(pkg.tarball, `package/${path.replace(/^\.\//, '')}`).catch(() => '');
    if (!text.startsWith('#!/usr/bin/env node'))
      problems.push(`bin ${name} (${path}) does not start with a node shebang`);
  }

  try {
    await exec(bin('publint'), ['run', pkg.tarball, '--strict', '--level', 'warning']);
  } catch (error) {
    problems.push(`publint:\n${error.stdout}${error.stderr}`.trimEnd());
  }
  try {
    // Every resolution mode but CommonJS `require` (the packages are ESM only): node10 included, which older
    // TypeScript set-ups (`moduleResolution: node`) use and the `typesVersions` maps of subpaths serve.
    await exec(bin('attw'), [
      pkg.tarball,
      '--ignore-rules',
      'cjs-resolves-to-esm',
      '--format',
      'ascii',
      '--no-emoji',
      '--no-color',
    ]);
  } catch (error) {
    problems.push(`attw:\n${error.stdout}${error.stderr}`.trimEnd());
  }
  return { ...pkg, problems };
}

/** Source maps of a tarball naming a source that neither ships nor is inlined (`sourcesContent`). */
async function mapsWithMissingSources(pkg) {
  const maps = pkg.files.filter((file) => file.endsWith('.map'));
  if (maps.length === 0) return [];
  const folder = mkdtempSync(resolve(tmpdir(), 'playbook-maps-'));
  try {
    await promisify(execFile)('tar', ['-xzf', pkg.tarball, '-C', folder]);
    const shipped = new Set(pkg.files.map((file) => resolve(folder, 'package', file)));
    const problems = [];
    for (const file of maps) {
      const path = resolve(folder, 'package', file);
      const map = JSON.parse(readFileSync(path, 'utf8'));
      const missing = (map.sources ?? []).filter(
        (source, i) =>
          typeof map.sourcesContent?.[i] !== 'string' &&
          !shipped.has(resolve(dirname(path), map.sourceRoot ?? '', source)),
      );
      if (missing.length > 0)
        problems.push(`${file} points at sources that do not ship: ${missing.join(', ')}`);
    }
    return problems;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** One file's text out of a .tgz (via the system tar, present on every CI image). */
async function readPackedFile(tarball, path) {
  const { stdout } = await promisify(execFile)('tar', ['-xzOf', tarball, path], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

function indent(text) {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
