import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_ATTEMPT_OUTPUTS_BYTES,
  MAX_OUTPUT_VALUE_BYTES,
  missingOutputs,
  outputsProblem,
  utf8Length,
} from './step-outputs.js';
import { validateRunbookDocument } from './validate-runbook.js';

const meta = {
  title: 'Deploy',
  description: 'd',
  version: '0.1.0',
  author: 'Ops',
  created_at: '2025-05-03T12:08:00Z',
};

describe('outputs and secret_outputs fields', () => {
  it('map to outputs and secretOutputs, and are absent from nodes that declare none', () => {
    const result = validateRunbookDocument({
      runbook: meta,
      build: {
        type: 'Command',
        command_name: 'make',
        outputs: ['image', 'digest'],
        secret_outputs: ['token'],
      },
      plain: { type: 'Command', command_name: 'true' },
      ask: { type: 'Manual', prompt: 'Go?', outputs: ['note'] },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [build, plain, ask] = result.runbook.nodes;
    expect(build).toMatchObject({ outputs: ['image', 'digest'], secretOutputs: ['token'] });
    expect(plain).not.toHaveProperty('outputs');
    expect(plain).not.toHaveProperty('secretOutputs');
    expect(ask).toMatchObject({ outputs: ['note'] });
  });

  it('names a key with invalid characters, a Manual output other than note, and a list that is not one', () => {
    const result = validateRunbookDocument({
      runbook: meta,
      build: { type: 'Command', command_name: 'make', outputs: ['image-id'], secret_outputs: 'token' },
      ask: { type: 'Manual', prompt: 'Go?', outputs: ['answer'] },
    });
    expect(result.ok).toBe(false);
    expect(
      result.issues.map(({ code, nodeId, field, message }) => ({ code, nodeId, field, message })),
    ).toEqual([
      {
        code: 'INVALID_OUTPUT_KEY',
        nodeId: 'build',
        field: 'outputs',
        message: 'invalid output key "image-id": a key is letters, digits and _ (in `outputs`)',
      },
      {
        code: 'INVALID_VALUE',
        nodeId: 'build',
        field: 'secret_outputs',
        message: '`secret_outputs` must be a list of output keys, not a string ("token")',
      },
      {
        code: 'INVALID_OUTPUT_KEY',
        nodeId: 'ask',
        field: 'outputs',
        message: "a Manual step has one output, `note` (the operator's note), not `answer`",
      },
    ]);
  });

  it('warns about a key listed twice and keeps it once', () => {
    const result = validateRunbookDocument({
      runbook: meta,
      build: { type: 'Command', command_name: 'make', outputs: ['a', 'a'] },
    });
    expect(result.ok).toBe(true);
    expect(result.issues.map((issue) => issue.code)).toEqual(['DUPLICATE_OUTPUT']);
    if (result.ok) expect(result.runbook.nodes[0]?.outputs).toEqual(['a']);
  });
});

describe('outputsProblem', () => {
  it('accepts a value of exactly 64 KiB and names the key of one byte more', () => {
    expect(outputsProblem({ a: 'x'.repeat(MAX_OUTPUT_VALUE_BYTES) })).toBeUndefined();
    expect(outputsProblem({ ok: '', big: 'é'.repeat(MAX_OUTPUT_VALUE_BYTES / 2) + 'x' })).toBe(
      'output "big" is larger than 64 KiB (outputs are never truncated)',
    );
  });

  it('names the key at which the total passes 1 MiB, and an invalid key', () => {
    const outputs: Record<string, string> = {};
    const value = 'x'.repeat(MAX_OUTPUT_VALUE_BYTES - 4);
    for (let i = 0; i < MAX_ATTEMPT_OUTPUTS_BYTES / MAX_OUTPUT_VALUE_BYTES; i++) outputs[`k${i}`] = value;
    expect(outputsProblem(outputs)).toBeUndefined();
    outputs['last'] = 'x'.repeat(30);
    expect(outputsProblem(outputs)).toBe(
      'the outputs pass 1 MiB in all at output "last" (outputs are never truncated)',
    );
    expect(outputsProblem({ 'a b': '1' })).toBe('invalid output key "a b": a key is letters, digits and _');
  });
});

describe('missingOutputs', () => {
  it('lists declared plain and secret outputs that are absent, once each', () => {
    expect(missingOutputs({ outputs: ['a', 'b'], secretOutputs: ['t', 'a'] }, { b: '' })).toEqual(['a', 't']);
    expect(missingOutputs({}, {})).toEqual([]);
  });
});

describe('utf8Length', () => {
  it('is the length of the UTF-8 encoding, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
      }),
    );
  });
});
