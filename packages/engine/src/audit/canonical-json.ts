/** A JSON value as the audit log holds it. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };

// Lone surrogates have no UTF-8 form, and RFC 8785 forbids them: each becomes U+FFFD, as UTF-8 encoders do.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Any surrogate: most strings have none, and a plain scan for one is cheaper than the replacement above. */
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * The RFC 8785 (JCS) canonical form of `value`: no whitespace, object members sorted by the UTF-16 code units of
 * their names, strings escaped as ECMAScript's JSON.stringify does, numbers in ECMAScript's shortest form (which
 * JCS adopts). Members whose value is undefined are left out. Written here rather than taken from the
 * `canonicalize` package: its current release requires Node 22 (we support 20.19) and throws on a lone
 * surrogate, which a write path must never do; the audit log holds only strings, safe integers, booleans, null,
 * arrays and objects, for which the whole of JCS is these few lines (checked against that package and the RFC's
 * examples in canonical-json.test.ts).
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`${value} has no JSON form`);
    return JSON.stringify(value);
  }
  if (typeof value === 'string') {
    return JSON.stringify(SURROGATE.test(value) ? value.replace(LONE_SURROGATE, '\uFFFD') : value);
  }
  if (Array.isArray(value)) {
    return `[${(value as readonly JsonValue[]).map((item) => canonicalJson(item)).join(',')}]`;
  }
  const object = value as { readonly [key: string]: JsonValue | undefined };
  const members: string[] = [];
  // The default sort compares UTF-16 code units, which is JCS's order.
  for (const key of Object.keys(object).sort()) {
    const member = object[key];
    if (member === undefined) continue;
    members.push(`${canonicalJson(key)}:${canonicalJson(member)}`);
  }
  return `{${members.join(',')}}`;
}
