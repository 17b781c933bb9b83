import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, type JsonValue } from './canonical-json.js';

describe('canonicalJson (RFC 8785)', () => {
  it('writes the RFC’s own examples byte for byte', () => {
    // RFC 8785 §3.2.3 (sorting) and §3.2.2.3 (numbers and string escapes).
    expect(
      canonicalJson({
        '\u20ac': 'Euro Sign',
        '\r': 'Carriage Return',
        '\ufb33': 'Hebrew Letter Dalet With Dagesh',
        '1': 'One',
        '\ud83d\ude00': 'Emoji: Grinning Face',
        '\u0080': 'Control',
        '\u00f6': 'Latin Small Letter O With Diaeresis',
      }),
    ).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    expect(
      canonicalJson({ numbers: [333333333.3333333, 1e30, 4.5, 0.002, 1e-27], literals: [null, true, false] }),
    ).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}');
    expect(canonicalJson({ string: '€$\u000f\nA\'B"\\\\"/' })).toBe(
      '{"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('leaves out undefined members and writes -0 as 0', () => {
    expect(canonicalJson({ b: undefined, a: -0 })).toBe('{"a":0}');
  });

  it('writes a lone surrogate as U+FFFD instead of failing', () => {
    expect(canonicalJson({ note: 'a\ud800b' })).toBe('{"note":"a\ufffdb"}');
  });

  it('agrees with the canonicalize package on any JSON value', () => {
    const json = fc.jsonValue({ stringUnit: 'binary' }) as fc.Arbitrary<JsonValue>;
    fc.assert(
      fc.property(json, (value) => {
        // The package refuses lone surrogates (see the case above for ours).
        fc.pre(!/[\ud800-\udfff]/.test(JSON.stringify(value)) || isWellFormed(value));
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 500 },
    );
  });
});

function isWellFormed(value: unknown): boolean {
  try {
    canonicalize(value);
    return true;
  } catch {
    return false;
  }
}
