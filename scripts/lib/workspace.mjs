// Helpers shared by the repository scripts: the workspace's publishable packages, packing them, running tools.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root (this file is scripts/lib/workspace.mjs). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Runs a program and resolves to its output; rejects with an error carrying stdout and stderr when it exits
 * non-zero. Output is buffered (64 MiB cap), which is fine for the tools these scripts run.
 */
export async function exec(file, args, options = {}) {
  try {
    return await run(file, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, ...options });
  } catch (error) {
    const output = [error.stdout, error.stderr].filter((text) => text).join('\n');
    const failure = new Error(`${file} ${args.join(' ')} failed (exit ${error.code})\n${output}`.trimEnd());
    failure.stdout = error.stdout ?? '';
    failure.stderr = error.stderr ?? '';
    failure.exitCode = error.code;
    throw failure;
  }
}

/** A binary installed in the root node_modules. */
export function bin(name) {
  return join(ROOT, 'node_modules', '.bin', name);
}

/** Every workspace package that is published (not `private`), as `{ name, version, dir }`, sorted by name. */
export async function publishablePackages() {
  const { stdout } = await exec('pnpm', ['ls', '--recursive', '--depth', '-1', '--json']);
  const packages = [];
  for (const entry of JSON.parse(stdout)) {
    const manifest = JSON.parse(await readFile(join(entry.path, 'package.json'), 'utf8'));
    if (manifest.private === true) continue;
    packages.push({ name: manifest.name, version: manifest.version, dir: entry.path });
  }
  return packages.sort((a, b) => a.name.localeCompare(b.name));
}

/** Builds every package (turbo cache makes this quick when nothing changed). */
export async function buildAll() {
  await exec('pnpm', ['turbo', 'run', 'build', '--output-logs=errors-only'], {
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
  });
}

/**
 * `pnpm pack`s each package into `destination` — as `pnpm publish` would: `workspace:^` ranges become real
 * versions — and returns `{ ...package, tarball, files }` (files: paths inside the tarball).
 */
export async function packAll(packages, destination) {
  return Promise.all(
    packages.map(async (pkg) => {
      const { stdout } = await exec('pnpm', ['pack', '--pack-destination', destination, '--json'], {
        cwd: pkg.dir,
      });
      const report = JSON.parse(stdout);
      return { ...pkg, tarball: report.filename, files: report.files.map((file) => file.path) };
    }),
  );
}

/** Maps `items` through the async `task`, at most `limit` at a time; results keep the order of `items`. */
export async function mapLimit(items, limit, task) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
