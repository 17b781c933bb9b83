import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASK_PLACEHOLDER } from '@playbook/domain';
import { loadRunbook, parseRunbook } from '@playbook/parser';
import { describe, expect, it } from 'vitest';

const fixture = (name: string) =>
  fileURLToPath(new URL(`./fixtures/good/${name}.playbook.toml`, import.meta.url));

const loadOk = async (name: string) => {
  const result = await loadRunbook(fixture(name));
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result;
};

describe('good fixtures', () => {
  it('loads the SPEC §1 example, with its source', async () => {
    const { runbook, warnings } = await loadOk('spec-example');
    expect(warnings).toEqual([]);
    expect(runbook.meta).toEqual({
      title: 'Deploy',
      description: 'Blue/green deployment',
      version: '0.1.0',
      author: 'Ops Team',
      createdAt: '2025-05-03T12:08:00.000Z',
    });
    expect(runbook.nodes.map((node) => [node.id, node.type, node.name, node.dependsOn])).toEqual([
      ['build', 'Command', 'Build image', []],
      ['approve', 'Manual', 'approve', ['build']],
      ['notify', 'Function', 'notify', ['approve']],
    ]);
    expect(runbook.nodes[2]).toMatchObject({
      functionName: './ops.mjs#notify',
      functionParams: { channel: '#ops', message: ASK_PLACEHOLDER },
      skippable: true,
    });
    const path = fixture('spec-example');
    expect(runbook.source).toEqual({
      path,
      directory: dirname(path),
      hash: createHash('sha256').update(readFileSync(path)).digest('hex'),
      // The text as read, which the history keeps once per hash (SPEC §10.1).
      text: readFileSync(path, 'utf8'),
    });
  });

  it('loads a runbook using every field, with a TOML datetime with an offset', async () => {
    const { runbook, warnings } = await loadOk('every-field');
    expect(warnings).toEqual([]);
    expect(runbook.meta.createdAt).toBe('2025-05-03T12:08:00.000Z');
    expect(runbook.meta.description).toContain('[not-a-table] = "inside a multi-line string"');
    expect(runbook.nodes).toEqual([
      {
        id: 'check-disk',
        type: 'Command',
        name: 'Check disk space',
        description: 'Fails when the disk is nearly full.',
        commandName: 'test "$(df --output=pcent / | tail -1 | tr -dc 0-9)" -lt 90',
        dependsOn: [],
        timeout: 12.5,
        critical: true,
        repeatable: true,
        skippable: false,
      },
      {
        id: 'confirm',
        type: 'Manual',
        name: 'Confirm the window',
        description: 'Check the change calendar first.',
        prompt: 'Is the maintenance window open?',
        dependsOn: ['check-disk'],
        critical: false,
        repeatable: false,
        skippable: true,
      },
      {
        id: 'announce',
        type: 'Function',
        name: 'Announce',
        functionName: 'playbook:notify',
        functionParams: { channel: '#ops', message: ASK_PLACEHOLDER, retries: 3, nested: { ok: true } },
        dependsOn: ['check-disk', 'confirm'],
        timeout: 30,
        critical: false,
        repeatable: false,
        skippable: false,
      },
    ]);
  });

  it('keeps declaration order for integer-like ids and reads a local datetime as UTC', async () => {
    const { runbook } = await loadOk('local-datetime-and-odd-ids');
    expect(runbook.meta.createdAt).toBe('2025-05-03T12:08:00.000Z');
    expect(runbook.nodes.map((node) => node.id)).toEqual(['zeta', '10', 'Step_2-b']);
  });

  it('accepts nodes written as dotted keys and inline tables, and a date-only ISO string', async () => {
    const { runbook } = await loadOk('dotted-and-inline-nodes');
    expect(runbook.meta.createdAt).toBe('2025-05-03T00:00:00.000Z');
    expect(runbook.nodes.map((node) => [node.id, node.type, node.dependsOn])).toEqual([
      ['first', 'Command', []],
      ['second', 'Manual', ['first']],
      ['third', 'Function', ['second']],
    ]);
    expect(runbook.nodes[2]).toMatchObject({ functionParams: { target: 'prod', dry_run: false } });
  });

  it('parseRunbook works on text alone and sets no source', () => {
    const text = readFileSync(fixture('spec-example'), 'utf8');
    const result = parseRunbook(text, 'inline.playbook.toml');
    expect(result.ok && result.runbook.source).toBeUndefined();
    expect(result.ok && result.runbook.nodes).toHaveLength(3);
  });
});
