import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runRunbook } from './embedding-example.js';

const RUNBOOK = `
[runbook]
title       = "Release"
description = "Build, approve and announce a release"
version     = "1.0.0"
author      = "Release team"
created_at  = "2025-05-03T12:08:00Z"

[build]
type         = "Command"
command_name = "echo building && echo built > build.txt"

[approve]
type       = "Manual"
prompt     = "Ship it?"
depends_on = ["build"]

[announce]
type            = "Function"
function_name   = "playbook:notify"
function_params = { message = "\${ask}" }
depends_on      = ["approve"]
`;

let directory: string | undefined;
afterEach(async () => {
  if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  directory = undefined;
});

async function writeRunbook(text: string): Promise<string> {
  directory = await mkdtemp(join(tmpdir(), 'playbook-embedding-'));
  const path = join(directory, 'release.playbook.toml');
  await writeFile(path, text);
  return path;
}

describe('the library example of docs/embedding.md', () => {
  it('runs a runbook end to end with real processes and prints the events', async () => {
    const path = await writeRunbook(RUNBOOK);
    const lines: string[] = [];
    const outcome = await runRunbook(path, (line) => lines.push(line));
    expect(outcome).toMatchObject({
      workflowName: 'Release',
      runId: 1,
      status: 'ok',
      counts: { ok: 3, nok: 0, skipped: 0 },
    });
    expect(lines).toEqual([
      'run 1 of Release: build → approve → announce',
      '▶ build (attempt 1)',
      '  stdout: building',
      '✔ build: ok',
      '▶ approve (attempt 1)',
      '✔ approve: ok',
      '▶ announce (attempt 1)',
      '  stdout: v1.2.3 is out',
      '✔ announce: ok',
      'run 1 ended ok (ok 3, nok 0, skipped 0)',
    ]);
    // Commands run in the runbook's directory.
    expect(await readFile(join(directory as string, 'build.txt'), 'utf8')).toBe('built\n');
  });

  it('stops at a failing command, as its prompter chooses abort', async () => {
    const path = await writeRunbook(
      RUNBOOK.replace('echo building && echo built > build.txt', 'echo no >&2; exit 3'),
    );
    const lines: string[] = [];
    const outcome = await runRunbook(path, (line) => lines.push(line));
    expect(outcome).toMatchObject({ status: 'aborted', failed: { nodeId: 'build' } });
    expect(lines).toContain('  stderr: no');
    expect(lines).toContain('✘ build: nok (exit code 3)');
  });

  it('prints the problems of an invalid runbook instead of running it', async () => {
    const path = await writeRunbook(RUNBOOK.replace('type         = "Command"', 'type         = "Shell"'));
    const lines: string[] = [];
    expect(await runRunbook(path, (line) => lines.push(line))).toBeUndefined();
    expect(lines.join('\n')).toMatch(/release\.playbook\.toml:\d+:\d+: error: .*build/);
  });

  it('is the program shown in docs/embedding.md', async () => {
    const program = await readFile(fileURLToPath(new URL('./embedding-example.ts', import.meta.url)), 'utf8');
    const doc = await readFile(fileURLToPath(new URL('../../../docs/embedding.md', import.meta.url)), 'utf8');
    const shown = /```ts\n([\s\S]*?)```/.exec(doc)?.[1];
    const asPublished = program
      .replace("from '../src/index.js'", "from '@playbook/engine'")
      .replace("from '../src/node/index.js'", "from '@playbook/engine/node'");
    expect(shown).toBe(asPublished);
  });
});
