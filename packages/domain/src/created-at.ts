// `created_at` is a TOML datetime (a Date from the TOML library, possibly tagged as local) or an ISO-8601
// string. Both are normalised to a UTC ISO string. Values without an offset are read as UTC: reading them in
// the machine's time zone would make the same file mean different instants on different machines.

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$/;

/** The outcome of reading `created_at`: the UTC ISO string, or why the value is not a date-time. */
export type CreatedAtResult = { ok: true; iso: string } | { ok: false; reason: string };

/** Normalises a `created_at` value to a UTC ISO-8601 string (`2025-05-03T12:08:00.000Z`). */
export function normaliseCreatedAt(value: unknown): CreatedAtResult {
  if (value instanceof Date) {
    // @iarna/toml tags a bare time (`12:00:00`) with `isTime`; it has no date, so it cannot be a creation date.
    if ((value as { isTime?: boolean }).isTime === true) {
      return { ok: false, reason: 'is a time of day without a date' };
    }
    if (Number.isNaN(value.getTime())) return { ok: false, reason: 'is not a valid date' };
    // Local dates and local date-times come back with their fields in UTC already, so this keeps them as
    // written. The library overrides toISOString on those (no `Z`, or no time), hence the prototype's.
    return { ok: true, iso: Date.prototype.toISOString.call(value) };
  }
  if (typeof value !== 'string') {
    return {
      ok: false,
      reason: `must be a TOML datetime or an ISO-8601 string, not ${describeValue(value)}`,
    };
  }
  const match = ISO_PATTERN.exec(value.trim());
  if (match === null) {
    return { ok: false, reason: `is "${value}", not an ISO-8601 date-time (e.g. "2025-05-03T12:08:00Z")` };
  }
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', , sign, oh = '0', om = '0'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const check = new Date(utc);
  // Date.UTC rolls over (Feb 30 → Mar 2); a round trip catches impossible dates and times.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second ||
    Number(oh) > 23 ||
    Number(om) > 59
  ) {
    return { ok: false, reason: `is "${value}", not a valid date-time` };
  }
  const offsetMinutes = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  return { ok: true, iso: new Date(utc - offsetMinutes * 60_000).toISOString() };
}

/** A short description of a TOML value's kind, for messages ("a number", "a table"...). */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a datetime';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isInteger(value) ? 'an integer' : 'a number';
    case 'bigint':
      return 'an integer';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'a table';
    default:
      return typeof value;
  }
}
