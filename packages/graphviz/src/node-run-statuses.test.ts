import { describe, expect, it } from 'vitest';
import { nodeRunStatuses } from './node-run-statuses.js';

describe('nodeRunStatuses', () => {
  const attempt = (
    nodeId: string,
    n: number,
    status: 'ok' | 'nok' | 'running',
    durationMs: number | null,
  ) => ({
    nodeId,
    attempt: n,
    status,
    durationMs,
  });

  it('takes the latest attempt status, counts attempts and sums durations', () => {
    const statuses = nodeRunStatuses([
      attempt('a', 2, 'ok', 30),
      attempt('a', 1, 'nok', 20),
      attempt('b', 1, 'running', null),
      attempt('c', 1, 'nok', null),
      attempt('c', 2, 'ok', 5),
    ]);
    expect(statuses.get('a')).toEqual({ status: 'ok', attempts: 2, durationMs: 50 });
    expect(statuses.get('b')).toEqual({ status: 'running', attempts: 1, durationMs: null });
    expect(statuses.get('c')).toEqual({ status: 'ok', attempts: 2, durationMs: null });
    expect(statuses.has('d')).toBe(false);
  });
});
