import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI_REFERENCE_PATH, renderCliReference } from '../../../scripts/lib/cli-reference.mjs';
import { createCli } from '../src/cli.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('docs/cli-reference.md', () => {
  it('is what scripts/generate-cli-reference.mjs renders from the commands (run `pnpm docs:cli` when not)', () => {
    const committed = readFileSync(`${root}${CLI_REFERENCE_PATH}`, 'utf8');
    expect(committed).toBe(renderCliReference(createCli().definitions()));
  });

  it('documents every command, with its arguments and its own options', () => {
    const text = renderCliReference(createCli().definitions());
    for (const command of ['create', 'validate', 'run', 'resume', 'export-dot', 'info', 'show']) {
      expect(text).toContain(`\n## playbook ${command}\n`);
    }
    expect(text).toContain('playbook resume <file> [run_id] [--non-interactive]');
    expect(text).toContain('- `--retries <retries>`: ');
    expect(text).toContain('- `--state-path <state-path>`: ');
    expect(text).toContain(
      '\nplaybook [-v|--verbose] [--state-path <state-path>] [--state-url <state-url>] [--config <config>] <command> …\n',
    );
    // a global option is listed once, not under each command
    expect(text.match(/`--state-path <state-path>`/g)).toHaveLength(1);
  });
});
