// Writes the converted runbook's TOML by hand: the order of tables and keys, comments that keep what has no
// equivalent, and multi-line commands as `"""` strings are ours to choose, which a generic stringifier does not
// allow. Values come from a parsed TOML document, so they are strings, numbers, booleans, dates, arrays and
// tables only.

/** Arrays and inline tables nested deeper than this are refused (the writer recurses on them). */
const MAX_VALUE_DEPTH = 32;

function escapeCharacter(ch: string, multiLine: boolean): string {
  const code = ch.codePointAt(0) ?? 0;
  if (ch === '"') return '\\"';
  if (ch === '\\') return '\\\\';
  if (ch === '\n') return multiLine ? '\n' : '\\n';
  if (ch === '\t') return multiLine ? '\t' : '\\t';
  if (ch === '\r') return '\\r';
  if (code < 0x20 || code === 0x7f) return `\\u${code.toString(16).padStart(4, '0')}`;
  return ch;
}

/** A TOML string for any text; text with line breaks as a `"""` string so that commands stay readable. */
export function tomlText(value: string): string {
  const multiLine = value.includes('\n');
  let out = '';
  const characters = [...value];
  for (const [index, ch] of characters.entries()) {
    // In a multi-line string a quote needs escaping only where it could close the string.
    const next = characters[index + 1];
    out +=
      multiLine && ch === '"' && next !== undefined && next !== '"' ? ch : escapeCharacter(ch, multiLine);
  }
  // The line break right after the opening `"""` is not part of the value.
  return multiLine ? `"""\n${out}"""` : `"${out}"`;
}

/** A key, bare when TOML allows it. */
export function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlText(key);
}

/** Any value of a parsed TOML document, inline. */
export function tomlValue(value: unknown, depth = 0): string {
  if (depth > MAX_VALUE_DEPTH) throw new RangeError(`values nested more than ${MAX_VALUE_DEPTH} levels deep`);
  if (typeof value === 'string') return tomlText(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
    return String(value);
  }
  if (value instanceof Date) return tomlText(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((item) => tomlValue(item, depth + 1)).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(
      ([key, item]) => `${tomlKey(key)} = ${tomlValue(item, depth + 1)}`,
    );
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  return tomlText(String(value));
}

/** Text as TOML comment lines, each starting with `# ` after `indent`. */
export function tomlComment(text: string): string {
  return text
    .split('\n')
    .map((line) => `# ${line}`.trimEnd())
    .join('\n');
}
