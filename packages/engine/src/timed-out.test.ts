import { describe, expect, it } from 'vitest';
import { timedOutMessage } from './timed-out.js';

describe('timedOutMessage', () => {
  it('says second for one and seconds otherwise, without float noise', () => {
    expect(timedOutMessage(1)).toBe('timed out after 1 second');
    expect(timedOutMessage(300)).toBe('timed out after 300 seconds');
    expect(timedOutMessage(0.5)).toBe('timed out after 0.5 seconds');
    expect(timedOutMessage(0.1 + 0.2)).toBe('timed out after 0.3 seconds');
  });
});
