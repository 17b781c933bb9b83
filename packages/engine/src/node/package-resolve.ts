import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** Conditions of an `import()` from Node, in the order Node matches them. */
const IMPORT_CONDITIONS: ReadonlySet<string> = new Set(['node', 'import', 'default']);

/** Why a bare specifier could not be resolved. */
export class PackageResolveError extends Error {
  override readonly name = 'PackageResolveError';
  constructor(
    message: string,
    readonly code: 'NOT_FOUND' | 'NOT_EXPORTED',
  ) {
    super(message);
  }
}

/**
 * Resolves a bare specifier (`@acme/ops`, `@acme/ops/restart`, `lodash-es`) to a file the way `import()` would
 * from a module in `fromDirectory`. Node 20 cannot resolve an import from an arbitrary directory
 * (`import.meta.resolve` has no parent argument without a flag), and `require.resolve` applies the `require`
 * condition, which misses ESM-only packages; so the package is found with require's lookup paths and its
 * `exports` map is read with the `import` conditions here.
 */
export function resolvePackageSpecifier(specifier: string, fromDirectory: string): string {
  const { name, subpath } = splitSpecifier(specifier);
  const require = createRequire(join(fromDirectory, 'noop.js'));
  for (const base of require.resolve.paths(name) ?? []) {
    const packageDirectory = join(base, name);
    const manifestPath = join(packageDirectory, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: unknown };
    if (manifest.exports === undefined || manifest.exports === null) break; // no exports map: require's rules
    const target = resolveExports(manifest.exports, subpath);
    if (target === undefined) {
      throw new PackageResolveError(
        `package '${name}' does not export '${subpath}' for import`,
        'NOT_EXPORTED',
      );
    }
    return join(packageDirectory, target);
  }
  try {
    return require.resolve(specifier);
  } catch (error) {
    throw new PackageResolveError(
      `cannot find package '${name}' from ${fromDirectory}: ${(error as Error).message.split('\n')[0]}`,
      'NOT_FOUND',
    );
  }
}

function splitSpecifier(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split('/');
  const nameLength = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLength).join('/');
  const rest = parts.slice(nameLength).join('/');
  return { name, subpath: rest === '' ? '.' : `./${rest}` };
}

/** PACKAGE_EXPORTS_RESOLVE of Node's ESM resolver: a relative target inside the package, or undefined. */
function resolveExports(exports: unknown, subpath: string): string | undefined {
  const map = isSubpathMap(exports) ? exports : { '.': exports };
  const exact = map[subpath];
  if (exact !== undefined && !subpath.includes('*')) return resolveTarget(exact, undefined);
  let best: { key: string; prefix: string; suffix: string } | undefined;
  for (const key of Object.keys(map)) {
    const star = key.indexOf('*');
    if (star === -1 || key.indexOf('*', star + 1) !== -1) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (!subpath.startsWith(prefix) || !subpath.endsWith(suffix) || subpath.length < key.length) continue;
    if (best === undefined || comparePatternKeys(key, best.key) < 0) best = { key, prefix, suffix };
  }
  if (best === undefined) return undefined;
  const match = subpath.slice(best.prefix.length, subpath.length - best.suffix.length);
  return resolveTarget(map[best.key], match);
}

function isSubpathMap(exports: unknown): exports is Record<string, unknown> {
  if (typeof exports !== 'object' || exports === null || Array.isArray(exports)) return false;
  return Object.keys(exports).some((key) => key.startsWith('.'));
}

/** Longer prefix first, then longer key: the order Node picks pattern keys in. */
function comparePatternKeys(a: string, b: string): number {
  const prefixA = a.indexOf('*');
  const prefixB = b.indexOf('*');
  if (prefixA !== prefixB) return prefixB - prefixA;
  return b.length - a.length;
}

function resolveTarget(target: unknown, match: string | undefined): string | undefined {
  if (typeof target === 'string') {
    if (!target.startsWith('./')) return undefined;
    return match === undefined ? target : target.replaceAll('*', match);
  }
  if (Array.isArray(target)) {
    for (const candidate of target) {
      const resolved = resolveTarget(candidate, match);
      if (resolved !== undefined) return resolved;
    }
    return undefined;
  }
  if (typeof target === 'object' && target !== null) {
    for (const [condition, value] of Object.entries(target)) {
      if (!IMPORT_CONDITIONS.has(condition)) continue;
      const resolved = resolveTarget(value, match);
      if (resolved !== undefined) return resolved;
    }
  }
  return undefined;
}
