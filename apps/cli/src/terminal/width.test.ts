import { describe, expect, it } from 'vitest';
import { displayWidth, screenRows, truncateToWidth } from './width.js';

describe('displayWidth', () => {
  it('counts cells: colours take none, CJK takes two, combining marks none', () => {
    expect(displayWidth('\x1b[1mok\x1b[22m')).toBe(2);
    expect(displayWidth('日本')).toBe(4);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('❯ ok — done')).toBe(11);
  });
});

describe('screenRows', () => {
  it('counts a line longer than the terminal as the rows it wraps onto', () => {
    expect(screenRows('short\nlines', 80)).toBe(2);
    expect(screenRows(`${'x'.repeat(80)}\n${'y'.repeat(81)}`, 80)).toBe(3);
    expect(screenRows(`\x1b[2m${'x'.repeat(100)}\x1b[22m`, 80)).toBe(2);
    expect(screenRows('a\n\nb', 80)).toBe(3);
  });

  it('falls back to one row per line when the width is unknown', () => {
    expect(screenRows('x'.repeat(500), undefined)).toBe(1);
  });
});

describe('truncateToWidth', () => {
  it('cuts with an ellipsis, within the width', () => {
    expect(truncateToWidth('short', 10)).toBe('short');
    expect(truncateToWidth('a long step name', 8)).toBe('a long …');
    expect(displayWidth(truncateToWidth('日本語の名前', 5))).toBeLessThanOrEqual(5);
  });
});
