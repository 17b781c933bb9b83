import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskStrings, SecretMasker } from './secret-masker.js';

/** Values that break a mask working on one encoding only, or on a regular expression. */
const HOSTILE = [
  'pa"ss"word',
  'back\\slash\\n',
  'line one\nline two',
  'tab\there\r\nand CRLF',
  'ünïcødé-🔑-秘密',
  // `$` then `{`: a regular-expression character next to a template-like brace.
  '.*+?^$\u{7b}}()|[]\\/',
  '$&$1$$-replacement',
  'ctl\u0001\u001b[31m',
] as const;

function masking(...secrets: string[]): SecretMasker {
  const masker = new SecretMasker();
  for (const secret of secrets) masker.add(secret);
  return masker;
}

/** Feeds `chunks` through a stream of `masker`, as a command's output would come. */
function streamed(masker: SecretMasker, chunks: readonly string[]): string {
  const stream = masker.stream();
  return chunks.map((chunk) => stream.write(chunk)).join('') + stream.end();
}

describe('SecretMasker.mask', () => {
  it.each(HOSTILE)('masks %j as typed and as a JSON string escapes it', (secret) => {
    const masker = masking(secret);
    const escaped = JSON.stringify(secret).slice(1, -1);
    expect(masker.mask(`before ${secret} after`)).toBe('before *** after');
    expect(masker.mask(`{"token":"${escaped}"}`)).toBe('{"token":"***"}');
    // A function that serialises its params itself, twice over.
    expect(masker.mask(JSON.stringify({ nested: JSON.stringify({ token: secret }) }))).not.toContain(
      secret.slice(0, 4),
    );
    expect(masker.mask(`${secret}${secret}`)).toBe('***');
  });

  it('masks the whole span where secrets overlap or one contains another', () => {
    const masker = masking('abcd', 'abcd-efgh', 'xab-');
    expect(masker.mask('a=abcd-efgh b=abcd c=abcd-efgh')).toBe('a=*** b=*** c=***');
    // "xab-" and "abcd" share characters: neither remainder is left.
    expect(masking('xabc', 'abcd').mask('1 xabcd 2')).toBe('1 *** 2');
    expect(masking('aaaa').mask('aaaaaaa!')).toBe('***!');
  });

  it('leaves values shorter than four characters alone, and empty ones', () => {
    const masker = masking('eu', 'yes', '');
    expect(masker.active).toBe(false);
    expect(masker.mask('region eu, yes')).toBe('region eu, yes');
    expect(masking('1234').mask('pin 1234')).toBe('pin ***');
  });
});

describe('SecretMasker.maskResult', () => {
  it.each(HOSTILE)('masks %j in a result before it is serialised, in values and keys', (secret) => {
    const masker = masking(secret);
    const stored = masker.maskResult({
      token: secret,
      list: [`x ${secret} y`],
      [secret]: 1,
      deep: { v: secret },
    });
    expect(stored).toBe('{"token":"***","list":["x *** y"],"***":1,"deep":{"v":"***"}}');
    expect(masker.maskResult(secret)).toBe('***');
    expect(masker.maskResult(undefined)).toBeNull();
  });

  it('stores what has no JSON form as text, masked', () => {
    const masker = masking('s3cr3t');
    const cyclic: Record<string, unknown> = { toString: () => 'cycle with s3cr3t' };
    cyclic['self'] = cyclic;
    expect(masker.maskResult(cyclic)).toBe('cycle with ***');
    expect(masker.maskResult(10n)).toBe('10');
  });
});

describe('MaskedStream', () => {
  it('passes chunks through at once when there is no secret', () => {
    const stream = new SecretMasker().stream();
    expect(stream.write('abc')).toBe('abc');
    expect(stream.end()).toBe('');
  });

  it('masks a secret split across two chunks, letting whole lines go as soon as they are safe', () => {
    const stream = masking('s3cr3t-value').stream();
    expect(stream.write('line one\ntoken: s3cr3t')).toBe('line one\n');
    expect(stream.write('-value\nnext line, long enough to be let go\nand a rest')).toBe('token: ***\n');
    expect(stream.end()).toBe('next line, long enough to be let go\nand a rest');
  });

  it('cuts a very long line only where no secret can start, and never between the halves of a surrogate pair', () => {
    const stream = masking('abcdef').stream();
    const long = 'y'.repeat(16 * 1024);
    // Five characters stay back; the cut would fall after the key's first half, so it moves before the key.
    const first = stream.write(`${long}x🔑abcd`);
    expect(first).toBe(`${long}x`);
    expect(stream.write('ef zz')).toBe('');
    expect(stream.end()).toBe('🔑*** zz');
  });

  it('gives what masking the whole text gives, however the text is cut into chunks', () => {
    const secrets = fc.constantFrom(...HOSTILE, 'abab', 'aaaa-bbbb');
    const text = fc.array(fc.oneof(secrets, fc.string({ maxLength: 6 }), fc.constantFrom('"', '\\', '\n')), {
      maxLength: 12,
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(secrets, { minLength: 1, maxLength: 3 }),
        text,
        fc.array(fc.nat(), { maxLength: 6 }),
        (chosen, parts, cuts) => {
          const masker = masking(...chosen);
          const whole = parts.join('');
          const points = [...new Set(cuts.map((cut) => cut % (whole.length + 1)))].sort((a, b) => a - b);
          const chunks: string[] = [];
          let at = 0;
          for (const point of points) {
            chunks.push(whole.slice(at, point));
            at = point;
          }
          chunks.push(whole.slice(at));
          const out = streamed(masker, chunks);
          expect(out).toBe(masker.mask(whole));
          for (const secret of chosen) expect(out).not.toContain(secret);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('maskStrings', () => {
  it('masks every string of an event, keeping its shape and other values', () => {
    const masker = masking('s3cr3t');
    const event = {
      type: 'run-finished',
      counts: { ok: 1 },
      failed: { reason: 'threw: s3cr3t', name: 'x' },
      plan: ['a', 's3cr3t'],
      at: null,
    };
    expect(maskStrings(event, masker)).toEqual({
      type: 'run-finished',
      counts: { ok: 1 },
      failed: { reason: 'threw: ***', name: 'x' },
      plan: ['a', '***'],
      at: null,
    });
  });
});
