import { describe, expect, it } from 'vitest';
import { formatDuration } from './format-duration.js';

describe('formatDuration', () => {
  it('writes milliseconds, tenths of seconds, then minutes and hours cut to the second and minute', () => {
    expect([0, 420, 3210, 125_000, 119_999, 3_720_000].map(formatDuration)).toEqual([
      '0ms',
      '420ms',
      '3.2s',
      '2m 05s',
      '1m 59s',
      '1h 02m',
    ]);
  });

  it('reads a negative duration as 0ms and one that is not a number as ?', () => {
    expect([-5, Number.NaN, Number.POSITIVE_INFINITY].map(formatDuration)).toEqual(['0ms', '?', '?']);
  });
});
