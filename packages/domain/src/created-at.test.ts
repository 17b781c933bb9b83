import { describe, expect, it } from 'vitest';
import { normaliseCreatedAt } from './created-at.js';

// What @iarna/toml returns for datetimes: Dates, local ones already in UTC fields, bare times tagged `isTime`.
// (The parser's tests cover the real library.)
const tomlDate = (iso: string, tag?: 'isTime'): Date =>
  Object.assign(new Date(iso), tag ? { [tag]: true } : {});

describe('normaliseCreatedAt', () => {
  it('normalises ISO strings to UTC', () => {
    expect(normaliseCreatedAt('2025-05-03T12:08:00Z')).toEqual({ ok: true, iso: '2025-05-03T12:08:00.000Z' });
    expect(normaliseCreatedAt('2025-05-03T14:08:00+02:00')).toEqual({
      ok: true,
      iso: '2025-05-03T12:08:00.000Z',
    });
    expect(normaliseCreatedAt('2025-05-03 12:08:00.5-01:30')).toEqual({
      ok: true,
      iso: '2025-05-03T13:38:00.500Z',
    });
    expect(normaliseCreatedAt('2025-05-03')).toEqual({ ok: true, iso: '2025-05-03T00:00:00.000Z' });
    // No offset: read as UTC, whatever the machine's time zone.
    expect(normaliseCreatedAt('2025-05-03T12:08')).toEqual({ ok: true, iso: '2025-05-03T12:08:00.000Z' });
  });

  it('normalises TOML datetimes', () => {
    expect(normaliseCreatedAt(tomlDate('2025-05-03T14:08:00+02:00'))).toEqual({
      ok: true,
      iso: '2025-05-03T12:08:00.000Z',
    });
    const local = Object.assign(tomlDate('2025-05-03T12:08:00Z'), {
      isFloating: true,
      toISOString: () => '2025-05-03T12:08:00.000',
    });
    expect(normaliseCreatedAt(local)).toEqual({ ok: true, iso: '2025-05-03T12:08:00.000Z' });
    expect(normaliseCreatedAt(tomlDate('invalid'))).toEqual({ ok: false, reason: 'is not a valid date' });
  });

  it('rejects what is not a date-time, saying why', () => {
    expect(normaliseCreatedAt('yesterday')).toEqual({
      ok: false,
      reason: 'is "yesterday", not an ISO-8601 date-time (e.g. "2025-05-03T12:08:00Z")',
    });
    expect(normaliseCreatedAt('2025-02-30')).toEqual({
      ok: false,
      reason: 'is "2025-02-30", not a valid date-time',
    });
    expect(normaliseCreatedAt('2025-05-03T25:00:00Z')).toMatchObject({ ok: false });
    expect(normaliseCreatedAt(20250503)).toEqual({
      ok: false,
      reason: 'must be a TOML datetime or an ISO-8601 string, not an integer',
    });
    expect(normaliseCreatedAt(tomlDate('0000-01-01T12:08:00Z', 'isTime'))).toEqual({
      ok: false,
      reason: 'is a time of day without a date',
    });
  });
});
