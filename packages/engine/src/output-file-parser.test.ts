import { MAX_ATTEMPT_OUTPUTS_BYTES, MAX_OUTPUT_VALUE_BYTES } from '@playbook/domain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OutputFileParser, type OutputFileResult } from './output-file-parser.js';

const parse = (...chunks: string[]): OutputFileResult => {
  const parser = new OutputFileParser();
  for (const chunk of chunks) if (!parser.feed(chunk)) break;
  return parser.end();
};

describe('OutputFileParser: the GITHUB_OUTPUT format', () => {
  it('reads key=value lines and key<<DELIMITER blocks; a later value replaces an earlier one', () => {
    expect(
      parse(
        'image=app:1.2\n',
        '\nempty=\nequals=a=b<<c\nimage=app:1.3\n',
        'body<<EOF\nline one\n\nline = three\nEOF\n',
        'one<<END\nEND\nlast=no newline',
      ),
    ).toEqual({
      ok: true,
      outputs: {
        image: 'app:1.3',
        empty: '',
        equals: 'a=b<<c',
        body: 'line one\n\nline = three',
        one: '',
        last: 'no newline',
      },
    });
  });

  it('keeps a key named like an Object property as a plain key', () => {
    const result = parse('__proto__=x\nconstructor=y\n');
    expect(result.ok && Object.getPrototypeOf(result.outputs)).toBe(Object.prototype);
    expect(result.ok && Object.entries(result.outputs)).toEqual([
      ['__proto__', 'x'],
      ['constructor', 'y'],
    ]);
  });

  it('an empty file has no outputs', () => {
    expect(parse()).toEqual({ ok: true, outputs: {} });
  });

  it.each([
    [
      'a malformed line',
      'ok=1\njust text\n',
      'output file line 2: expected key=value or key<<DELIMITER (the line is not shown: it may hold a secret)',
    ],
    [
      'an invalid key',
      'image-id=1\n',
      'output file line 1: invalid output key "image-id": a key is letters, digits and _',
    ],
    [
      'no key',
      '=1\n',
      'output file line 1: no key before the "=" (the line is not shown: it may hold a secret)',
    ],
    ['no delimiter', 'body<<\n', 'output file line 1: "body<<" needs a delimiter, e.g. body<<EOF'],
    [
      'a missing delimiter',
      'a=1\nbody<<EOF\nx\nEO\n',
      'output file line 2: the value of "body" has no closing line "EOF" (a key<<DELIMITER block ends with a line holding only the delimiter)',
    ],
  ])('reports %s with its line', (_what, text, error) => {
    expect(parse(text)).toEqual({ ok: false, error });
  });

  it('takes a value of exactly 64 KiB and refuses one byte more, naming the key, in a line or a block', () => {
    const max = 'x'.repeat(MAX_OUTPUT_VALUE_BYTES);
    expect(parse(`a=${max}\n`)).toEqual({ ok: true, outputs: { a: max } });
    expect(parse(`b<<EOF\n${max.slice(2)}\nx\nEOF\n`)).toEqual({
      ok: true,
      outputs: { b: `${max.slice(2)}\nx` },
    });
    const over = 'output "big" is larger than 64 KiB (outputs are never truncated)';
    expect(parse(`big=${max}é\n`)).toEqual({ ok: false, error: over });
    expect(parse(`big<<EOF\n${max.slice(1)}\nx\nEOF\n`)).toEqual({ ok: false, error: over });
  });

  it('refuses outputs over 1 MiB in all, naming the key that passed it', () => {
    const value = 'x'.repeat(MAX_OUTPUT_VALUE_BYTES - 10);
    const lines = Array.from(
      { length: MAX_ATTEMPT_OUTPUTS_BYTES / MAX_OUTPUT_VALUE_BYTES + 1 },
      (_, i) => `k${i}=${value}\n`,
    );
    expect(parse(...lines)).toEqual({
      ok: false,
      error: 'the outputs pass 1 MiB in all at output "k16" (outputs are never truncated)',
    });
    // A key written again replaces its value: the file may be larger than the outputs.
    expect(parse(...Array.from({ length: 40 }, () => `same=${value}\n`))).toEqual({
      ok: true,
      outputs: { same: value },
    });
  });

  it('stops at once in a line without end that passes the cap, holding no more than one line', () => {
    const parser = new OutputFileParser();
    expect(parser.feed('big=')).toBe(true);
    let fed = 0;
    while (parser.feed('x'.repeat(4096))) fed += 4096;
    expect(fed).toBeLessThan(MAX_OUTPUT_VALUE_BYTES + 2048);
    expect(parser.end()).toEqual({
      ok: false,
      error: 'output "big" is larger than 64 KiB (outputs are never truncated)',
    });
    const block = new OutputFileParser();
    block.feed('body<<EOF\n');
    while (block.feed('y'.repeat(4096))) {}
    expect(block.end()).toEqual({
      ok: false,
      error: 'output "body" is larger than 64 KiB (outputs are never truncated)',
    });
  });
});

describe('OutputFileParser: chunking', () => {
  const key = fc.stringMatching(/^[A-Za-z0-9_]{1,6}$/);
  const text = fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => s.replace(/\n/g, ' '));
  const line = fc.oneof(
    fc.tuple(key, text).map(([k, v]) => `${k}=${v}\n`),
    fc.tuple(key, fc.array(text, { maxLength: 3 })).map(([k, vs]) => `${k}<<EOF\n${vs.join('\n')}\nEOF\n`),
    text.map((t) => `${t}\n`),
    fc
      .tuple(key, fc.integer({ min: MAX_OUTPUT_VALUE_BYTES - 2, max: MAX_OUTPUT_VALUE_BYTES + 2 }))
      .map(([k, n]) => `${k}=${'v'.repeat(n)}\n`),
    fc.constant('open<<END\n'),
  );

  it('gives the same result however the file is cut into pieces', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 6 }), (lines, cuts) => {
        const file = lines.join('');
        const points = [...new Set(cuts.map((cut) => cut % (file.length + 1)))].sort((a, b) => a - b);
        const chunks: string[] = [];
        let from = 0;
        for (const point of points) {
          chunks.push(file.slice(from, point));
          from = point;
        }
        chunks.push(file.slice(from));
        expect(parse(...chunks)).toEqual(parse(file));
      }),
      { numRuns: 300 },
    );
  });
});
