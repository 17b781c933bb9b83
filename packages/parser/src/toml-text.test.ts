import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import TOML from '@iarna/toml';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTomlText } from './toml-text.js';

// What a parse gives, as plain data: the document, or the error's message and position.
function outcome(parse: (text: string) => unknown, text: string): unknown {
  try {
    return { document: parse(text) };
  } catch (error) {
    const { message, line, col, fromTOML } = error as Record<string, unknown>;
    return { error: { message, line, col, fromTOML, type: (error as Error).constructor.name } };
  }
}

describe('parseTomlText', () => {
  const examples = join(import.meta.dirname, '../../../examples');
  const fixtures = join(import.meta.dirname, '../test/fixtures');
  const files = [
    ...readdirSync(examples)
      .filter((name) => name.endsWith('.toml'))
      .map((name) => join(examples, name)),
    ...readdirSync(fixtures, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.toml'))
      .map((name) => join(fixtures, name)),
  ];

  it('gives the library document or error for every example and fixture runbook', () => {
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(outcome(parseTomlText, text)).toEqual(outcome(TOML.parse, text));
    }
  });

  it('gives the library document or error for any text made of TOML pieces', () => {
    const piece = fc.constantFrom(
      '[a]\n',
      '[a.b]\n',
      '[[list]]\n',
      'k = ',
      'x = "a long string of more than twelve characters"\n',
      '"short"',
      "'literal string, long enough to be a chain'",
      '"""\nmulti\nline string with ${{ inputs.x }}\n"""',
      "'''\nraw multi\n'''",
      '"esc \\u00e9 \\n \\" done"',
      '{ A = "${{ steps.a.status }}", B = 1 }',
      '[1, 2, "three and more characters"]',
      '2025-05-03T12:08:00Z',
      '12',
      '3.5',
      'true',
      '\n',
      ' ',
      '#comment\n',
      '=',
      '"',
      '\u00e9',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 16 }), (pieces) => {
        const text = pieces.join('');
        expect(outcome(parseTomlText, text)).toEqual(outcome(TOML.parse, text));
      }),
      { numRuns: 1500 },
    );
  });
});
