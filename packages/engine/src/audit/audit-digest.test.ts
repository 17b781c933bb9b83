import { createHash } from 'node:crypto';
import type { OutputLog } from '@playbook/domain';
import { describe, expect, it } from 'vitest';
import { attemptEndedEntry, sha256Hex } from './audit-entry.js';
import { canonicalJson } from './canonical-json.js';

/** SHA-256 of the UTF-8 of the whole text at once (Node writes a lone surrogate as U+FFFD, as TextEncoder does). */
const whole = (text: string) => createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');

const KEY = { workflowName: 'w', runId: 1, nodeId: 'n', attempt: 1 };

function endedLinesDigest(outputLog: OutputLog): unknown {
  const outcome = { status: 'ok' as const, endTime: '2026-01-01T00:00:00.000Z', durationMs: 1, outputLog };
  return attemptEndedEntry(KEY, outcome).data.output_lines_sha256;
}

describe('audit digests of short texts', () => {
  it('equal the SHA-256 of their UTF-8, the empty text and lone surrogates included', () => {
    for (const text of ['', 'true', 'ж€😀', '\ud800', 'a\udc00b', '\n']) {
      expect(sha256Hex(text), JSON.stringify(text)).toBe(whole(text));
    }
  });
});

describe('audit digests of long texts, hashed a piece at a time', () => {
  it('equal the SHA-256 of the whole UTF-8 text, whatever character sits at a piece’s edge', () => {
    // A surrogate pair, a lone high surrogate, a lone low one and a three-byte character at each cut.
    for (const edge of ['😀', '\ud800x', '\udc00', 'ж€', '\ud83d']) {
      for (const shift of [-2, -1, 0, 1]) {
        const text = `${'a'.repeat(64 * 1024 + shift)}${edge}${'b'.repeat(70_000)}${edge}`;
        expect(sha256Hex(text), `${JSON.stringify(edge)} at ${shift}`).toBe(whole(text));
      }
    }
  });

  it('of an output log equal the SHA-256 of its canonical JSON written whole', () => {
    const line = (i: number) => ({
      stream: i % 3 === 0 ? ('stderr' as const) : ('stdout' as const),
      time: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`,
      text: `${i} "quoted" \\ ${'é😀\ud800'.repeat(i % 5)}${'x'.repeat((i * 37) % 300)}`,
    });
    for (const count of [1, 10, 3_000]) {
      const lines = Array.from({ length: count }, (_, i) => line(i));
      for (const dropped of [null, { afterLine: 1, lines: 7, chars: 99 }]) {
        const log: OutputLog = { lines, dropped };
        const expected = whole(
          canonicalJson({
            lines: lines.map((l) => [l.stream, l.time, l.text]),
            dropped: dropped === null ? null : { ...dropped },
          }),
        );
        expect(endedLinesDigest(log)).toBe(expected);
      }
    }
  });
});
