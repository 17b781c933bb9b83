import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRunbook } from '@playbook/parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultFileName, runbookTemplate, tomlString } from '../src/create/template.js';
import { runCli, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

describe('playbook create', () => {
  it('writes <title>.playbook.toml that validates, with created_at = now', async () => {
    const created = await runCli(['create', '--title', 'Deploy App', '--author', 'Ops Team'], { cwd: dir });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('deploy_app.playbook.toml');
    const text = await readFile(join(dir, 'deploy_app.playbook.toml'), 'utf8');
    expect(text).toContain('version     = "0.1.0"');
    expect(text).toContain('created_at  = "2025-05-03T12:08:00.000Z"');

    const validated = await runCli(['validate', 'deploy_app.playbook.toml', '--strict'], { cwd: dir });
    expect(validated.stdout).toMatch(/Title\s+Deploy App/);
    expect(validated.code).toBe(0);
  });

  it('has one commented example of each node type, valid once uncommented', async () => {
    const text = runbookTemplate({
      title: 'T',
      author: 'A',
      description: 'D',
      createdAt: '2025-01-01T00:00:00Z',
    });
    const uncommented = text
      .split('\n')
      .map((line) => (/^# (\[|\w+\s*=)/.test(line) ? line.slice(2) : line))
      .join('\n');
    const result = parseRunbook(uncommented, 'all.playbook.toml');
    if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
    expect(result.warnings).toEqual([]);
    const types = result.runbook.nodes.map((node) => node.type).sort();
    expect(types).toEqual(['Command', 'Command', 'Function', 'Manual', 'Manual']);
    // The rollback example shows run_if and when; the build example a retry policy.
    expect(result.runbook.nodes.find((node) => node.id === 'rollback')).toMatchObject({
      runIf: 'failure',
      when: "inputs.env == 'prod'",
    });
    // The Command example shows how a step hands a value on.
    const build = result.runbook.nodes.find((node) => node.type === 'Command');
    expect(build).toMatchObject({ outputs: ['image'] });
    expect(build?.type === 'Command' && build.commandName).toBe(
      'echo building for ${{ inputs.env }} && echo image=myapp:latest >> "$PLAYBOOK_OUTPUT"',
    );
    expect(result.runbook.inputs?.map((input) => input.name)).toEqual(['env']);
  });

  it('escapes quotes, backslashes and newlines in title, author and description', async () => {
    const title = 'Say "hi" \\ o/';
    const author = 'Ann "the op"\nSecond line';
    const description = 'Tab\there\r\nand \u0001 control';
    const created = await runCli(
      [
        'create',
        '--title',
        title,
        '--author',
        author,
        '--description',
        description,
        '--output',
        'x.playbook.toml',
      ],
      { cwd: dir },
    );
    expect(created.code).toBe(0);
    const result = parseRunbook(await readFile(join(dir, 'x.playbook.toml'), 'utf8'), 'x.playbook.toml');
    if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('\n'));
    expect(result.runbook.meta.title).toBe(title);
    expect(result.runbook.meta.author).toBe(author);
    expect(result.runbook.meta.description).toBe(description);
  });

  it('does not overwrite an existing file without --force (not a terminal: refuses, exit 1)', async () => {
    const path = join(dir, 'deploy.playbook.toml');
    await writeFile(path, 'original');
    const refused = await runCli(['create', '--title', 'Deploy', '--author', 'me'], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/deploy\.playbook\.toml already exists.*--force/);
    expect(await readFile(path, 'utf8')).toBe('original');

    const forced = await runCli(['create', '--title', 'Deploy', '--author', 'me', '--force'], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(await readFile(path, 'utf8')).toContain('title       = "Deploy"');
  });

  it('asks before overwriting on a terminal: N keeps the file, y replaces it', async () => {
    const path = join(dir, 'deploy.playbook.toml');
    await writeFile(path, 'original');
    const kept = await runCli(['create', '--title', 'Deploy', '--author', 'me'], {
      cwd: dir,
      tty: true,
      stdin: '\n',
    });
    expect(kept.stdout).toContain('already exists. Overwrite it? [y/N]');
    expect(kept.code).toBe(1);
    expect(await readFile(path, 'utf8')).toBe('original');

    const replaced = await runCli(['create', '--title', 'Deploy', '--author', 'me'], {
      cwd: dir,
      tty: true,
      stdin: 'y\n',
    });
    expect(replaced.code).toBe(0);
    expect(await readFile(path, 'utf8')).toContain('author      = "me"');
  });

  it('asks for a missing title and author on a terminal', async () => {
    const result = await runCli(['create'], { cwd: dir, tty: true, stdin: 'Failover DB\nDBA team\n' });
    expect(result.stdout).toContain('Title: ');
    expect(result.stdout).toContain('Author: ');
    expect(result.code).toBe(0);
    const text = await readFile(join(dir, 'failover_db.playbook.toml'), 'utf8');
    expect(text).toContain('author      = "DBA team"');
  });

  it('without a terminal, a missing --title or --author is a usage error (exit 2) and writes nothing', async () => {
    const result = await runCli(['create', '--title', 'Deploy'], { cwd: dir, stdin: 'someone\n' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--author is required');
    await expect(stat(join(dir, 'deploy.playbook.toml'))).rejects.toThrow();
  });

  it('end of input while asking is a usage error', async () => {
    const result = await runCli(['create'], { cwd: dir, tty: true, stdin: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--title is required');
  });
});

describe('create helpers', () => {
  it.each([
    ['Deploy', 'deploy.playbook.toml'],
    ['Deploy App  v2', 'deploy_app_v2.playbook.toml'],
    ['../../etc/passwd', 'etcpasswd.playbook.toml'],
    ['a/b\\c:d*e?f"g<h>i|j', 'abcdefghij.playbook.toml'],
    ['Café déploiement', 'café_déploiement.playbook.toml'],
    ['***', 'runbook.playbook.toml'],
    ['.hidden', 'hidden.playbook.toml'],
  ])('defaultFileName(%j) = %j', (title, expected) => {
    expect(defaultFileName(title)).toBe(expected);
  });

  it('tomlString escapes what TOML basic strings require', () => {
    expect(tomlString('a"b\\c\nd\te\u007f')).toBe('"a\\"b\\\\c\\nd\\te\\u007f"');
  });
});
