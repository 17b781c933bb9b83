import { readFileSync } from 'node:fs';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { RunbookFileSchema } from './file-schema.js';
import { JSON_SCHEMA_PATH, renderRunbookJsonSchema, runbookJsonSchema } from './json-schema.js';

const committed = () => readFileSync(new URL(`../../../${JSON_SCHEMA_PATH}`, import.meta.url), 'utf8');

const example = {
  runbook: {
    title: 'Deploy',
    description: 'Blue/green deployment',
    version: '0.1.0',
    author: 'Ops Team',
    created_at: '2025-05-03T12:08:00Z',
  },
  build: { type: 'Command', command_name: 'docker build .', critical: true, timeout: 600 },
  approve: { type: 'Manual', prompt: 'Deploy?', depends_on: ['build'] },
  notify: { type: 'Function', function_name: './ops.mjs#notify', function_params: { channel: '#ops' } },
};

describe('committed JSON Schema', () => {
  it('is up to date with the TypeBox schemas (run `pnpm --filter @playbook/domain generate:schema`)', () => {
    expect(committed()).toBe(renderRunbookJsonSchema());
  });

  it('is draft-07 JSON Schema that accepts a node table under any id', () => {
    const schema = runbookJsonSchema();
    expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema['required']).toEqual(['runbook']);
    expect(schema['additionalProperties']).toMatchObject({ anyOf: expect.any(Array) });
    expect(schema['propertyNames']).toEqual({ type: 'string', pattern: '^[A-Za-z0-9_-]+$' });
    expect(JSON.stringify(schema)).not.toContain('~kind');
  });
});

describe('RunbookFileSchema', () => {
  it('accepts the SPEC example', () => {
    expect(Value.Check(RunbookFileSchema, example)).toBe(true);
  });

  it('rejects a node of unknown type, a missing required field and a bad node id', () => {
    expect(Value.Check(RunbookFileSchema, { ...example, x: { type: 'Shell', command_name: 'ls' } })).toBe(
      false,
    );
    expect(Value.Check(RunbookFileSchema, { ...example, x: { type: 'Command' } })).toBe(false);
    expect(Value.Check(RunbookFileSchema, { ...example, 'bad id': { type: 'Manual', prompt: 'p' } })).toBe(
      false,
    );
    expect(
      Value.Check(RunbookFileSchema, { ...example, x: { type: 'Command', command_name: 'ls', timeout: 0 } }),
    ).toBe(false);
  });
});
