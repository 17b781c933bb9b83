import { describe, expect, it } from 'vitest';
import { BoundedOutput, droppedMarker } from './bounded-output.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('BoundedOutput', () => {
  it('keeps everything up to the cap, whatever the chunking', () => {
    const out = new BoundedOutput(10);
    for (const chunk of ['ab', 'cde', 'fghij']) out.write(chunk);
    expect(out.toString()).toBe('abcdefghij');
    expect(out.truncated).toBe(false);
    expect(out.totalBytes).toBe(10);
  });

  it('accepts strings and byte chunks alike', () => {
    const out = new BoundedOutput(100);
    out.write('one ');
    out.write(bytes('two '));
    out.write(Buffer.from('three'));
    expect(out.toString()).toBe('one two three');
  });

  it('past the cap keeps the head and the tail around a marker with the dropped count', () => {
    const out = new BoundedOutput(10);
    out.write('0123456789abcdefghij'); // 20 bytes: head 01234, tail fghij
    expect(out.toString()).toBe(`01234${droppedMarker(10)}fghij`);
    expect(out.truncated).toBe(true);
    expect(out.totalBytes).toBe(20);
  });

  it('keeps the latest bytes in the tail across many small writes (ring wrap-around)', () => {
    const out = new BoundedOutput(8);
    const text = 'abcdefghijklmnopqrstuvwxyz';
    for (const ch of text) out.write(ch);
    expect(out.toString()).toBe(`abcd${droppedMarker(18)}wxyz`);
  });

  it('handles a single chunk larger than the whole tail', () => {
    const out = new BoundedOutput(6, { headBytes: 2 });
    out.write('xy');
    out.write('1234567890');
    expect(out.toString()).toBe(`xy${droppedMarker(6)}7890`);
  });

  it('respects a custom head size, including none', () => {
    const tailOnly = new BoundedOutput(4, { headBytes: 0 });
    tailOnly.write('hello world');
    expect(tailOnly.toString()).toBe(`${droppedMarker(7)}orld`);

    const headOnly = new BoundedOutput(4, { headBytes: 4 });
    headOnly.write('hello world');
    expect(headOnly.toString()).toBe(`hell${droppedMarker(7)}`);
  });

  it('with a cap of zero keeps only the marker', () => {
    const out = new BoundedOutput(0);
    out.write('abc');
    expect(out.toString()).toBe(droppedMarker(3));
    expect(new BoundedOutput(0).toString()).toBe('');
  });

  it('never cuts a multi-byte character at either edge, and counts the moved bytes as dropped', () => {
    // "é" is 2 bytes, "€" 3, "😀" 4: head 5 bytes = "aé" + first 2 bytes of "€"; tail 5 bytes ends mid-"😀".
    const out = new BoundedOutput(10);
    out.write('aé€€€😀😀');
    const text = out.toString();
    expect(text).not.toContain('\uFFFD');
    expect(text).toBe(`aé${droppedMarker(20 - 3 - 4)}😀`);
  });

  it('decodes characters split across chunks when nothing is dropped', () => {
    const out = new BoundedOutput(100);
    const euro = bytes('€');
    out.write(euro.subarray(0, 1));
    out.write(euro.subarray(1));
    expect(out.toString()).toBe('€');
  });

  it('memory stays flat however much is written', () => {
    const out = new BoundedOutput(1024);
    const chunk = 'x'.repeat(10_000) + '\n';
    for (let i = 0; i < 2_000; i++) out.write(chunk);
    expect(out.retainedBytes).toBe(1024);
    expect(out.totalBytes).toBe(2_000 * 10_001);
    expect(Buffer.byteLength(out.toString())).toBe(
      1024 + Buffer.byteLength(droppedMarker(out.totalBytes - 1024)),
    );
  });

  it('rejects a negative or fractional cap', () => {
    expect(() => new BoundedOutput(-1)).toThrow(RangeError);
    expect(() => new BoundedOutput(1.5)).toThrow(RangeError);
    expect(() => new BoundedOutput(10, { headBytes: 11 })).toThrow(RangeError);
  });
});
