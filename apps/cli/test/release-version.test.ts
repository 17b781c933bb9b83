// scripts/check-release-version.mjs, the first check of .github/workflows/release.yml: a tag that does not name
// the packages' version stops the release before anything is published.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './fixtures-run/e2e.js';

const script = join(repoRoot, 'scripts/check-release-version.mjs');
const check = (tag: string) =>
  spawnSync(process.execPath, [script, tag], { cwd: repoRoot, encoding: 'utf8' });
const { version } = JSON.parse(readFileSync(join(repoRoot, 'apps/cli/package.json'), 'utf8')) as {
  version: string;
};

describe('check-release-version', () => {
  it('every package carries one real version (not 0.0.0), which the tag of that version matches', () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    expect(version).not.toBe('0.0.0');
    // (Changesets may be pending between releases: only the versions are checked here.)
    expect(check(`v${version}`).stderr).not.toContain('the tag says');
  });

  it('refuses a tag of another version, naming each package', () => {
    const result = check('v99.0.0');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`✘ @playbook/cli is at ${version}, the tag says 99.0.0`);
    expect(result.stderr).toContain(`✘ @playbook/engine is at ${version}, the tag says 99.0.0`);
  });

  it('refuses something that is not a version tag (usage, exit 2)', () => {
    expect(check('latest').status).toBe(2);
  });
});
