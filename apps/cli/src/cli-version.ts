import { readFileSync } from 'node:fs';

/**
 * The version in apps/cli/package.json, read on demand: one level above this file (src/, dist/ of tsc, and
 * the bundled dist/bin.js alike), or two when a bundler moved it into a chunk folder.
 */
export function cliVersion(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === '@playbook/cli') return manifest.version ?? '0.0.0';
    } catch {
      // Not at this level: try the next.
    }
  }
  return '0.0.0';
}
