import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Sha256, sha256Hex } from './sha256.js';

const reference = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

describe('sha256Hex', () => {
  it('gives the standard test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('agrees with node:crypto at every length around the block and padding boundaries', () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 131 + length) & 0xff);
      expect(sha256Hex(bytes), `length ${length}`).toBe(reference(bytes));
    }
  });

  it('hashes a text as UTF-8, a lone surrogate as U+FFFD', () => {
    for (const text of ['é', '日本語', '🎉 done', 'a\uD800b', '\uDC00']) {
      expect(sha256Hex(text)).toBe(reference(Buffer.from(text, 'utf8')));
    }
  });

  it('agrees with node:crypto for a megabyte', () => {
    const bytes = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 7919) & 0xff);
    expect(sha256Hex(bytes)).toBe(reference(bytes));
  });
});

describe('Sha256', () => {
  it('gives the same hash however the bytes are split into updates', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(400)), (bytes, cuts) => {
        const hash = new Sha256();
        let at = 0;
        for (const cut of [...cuts].sort((a, b) => a - b)) {
          const end = Math.min(cut, bytes.length);
          if (end < at) continue;
          hash.update(bytes.subarray(at, end));
          at = end;
        }
        hash.update(bytes.subarray(at));
        expect(hash.hex()).toBe(reference(bytes));
      }),
    );
  });

  it('is finished once its hash is read', () => {
    const hash = new Sha256().update(new Uint8Array([1, 2, 3]));
    hash.hex();
    expect(() => hash.hex()).toThrow(/already finished/);
    expect(() => hash.update(new Uint8Array([4]))).toThrow(/already finished/);
  });
});
