import { ExpressionError } from './expression-error.js';
import { optionalValue } from './expression-scope.js';

/**
 * A CEL result as text (SPEC §8.2): strings as they are, whole numbers without `.0`, lists and maps as JSON.
 * `null` (or an empty optional) is an error: a template must say what to write.
 */
export function renderValue(value: unknown): string {
  const plain = toPlain(value);
  if (typeof plain === 'string') return plain;
  if (typeof plain === 'number' || typeof plain === 'boolean') return String(plain);
  return JSON.stringify(plain);
}

/**
 * A CEL result as a plain JavaScript value: ints become numbers, maps objects, lists arrays. Used where a
 * whole-value template keeps its type (function_params). Throws for `null` and for values JSON cannot hold.
 */
export function toPlain(value: unknown): unknown {
  const unwrapped = optionalValue(value);
  if (unwrapped === null || unwrapped === undefined) {
    throw new ExpressionError('EXPRESSION_EVALUATION', 'the expression gave null, which has no text');
  }
  if (typeof unwrapped === 'bigint') return Number(unwrapped);
  if (typeof unwrapped === 'string' || typeof unwrapped === 'boolean') return unwrapped;
  if (typeof unwrapped === 'number') {
    if (!Number.isFinite(unwrapped)) {
      throw new ExpressionError(
        'EXPRESSION_EVALUATION',
        `the expression gave ${unwrapped}, which has no text`,
      );
    }
    return unwrapped;
  }
  if (Array.isArray(unwrapped)) return unwrapped.map(toPlainNested);
  if (unwrapped instanceof Map) {
    const object: Record<string, unknown> = {};
    for (const [key, item] of unwrapped) object[String(key)] = toPlainNested(item);
    return object;
  }
  if (unwrapped instanceof Uint8Array) return Buffer.from(unwrapped).toString('utf8');
  if (typeof unwrapped === 'object') {
    const object: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(unwrapped)) object[key] = toPlainNested(item);
    return object;
  }
  throw new ExpressionError(
    'EXPRESSION_EVALUATION',
    `the expression gave a value with no text (${typeof value})`,
  );
}

// Inside a list or map, null is JSON's null.
function toPlainNested(value: unknown): unknown {
  return value === null ? null : toPlain(value);
}
