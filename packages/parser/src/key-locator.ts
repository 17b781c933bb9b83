/** A 1-based position in the source text. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** Where the keys and table headers of a TOML text are. */
export interface KeyLocations {
  /** Top-level keys (node ids and `runbook`) in the order the text first mentions them. */
  readonly topLevelOrder: readonly string[];
  /** The first mention of a key path: `['build']` → its `[build]` header, `['build', 'timeout']` → `timeout =`. */
  find(path: readonly string[]): SourcePosition | undefined;
  /** The top-level table being defined at a line (for locating syntax errors), if any. */
  tableAt(line: number): string | undefined;
}

const SEPARATOR = '\u0000';
const BARE_KEY = /[A-Za-z0-9_-]/;

/**
 * Finds the position of every `[table]` / `[[table]]` header and every `key =` (dotted keys and keys inside
 * inline tables included) in one linear pass. It only tracks positions, never values, and is lenient: it is
 * run on text the TOML library already accepted, and on rejected text only for a best-effort table name.
 */
export function locateKeys(text: string): KeyLocations {
  const positions = new Map<string, SourcePosition>();
  const order: string[] = [];
  const tableLines: { line: number; table: string }[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;

  const here = (): SourcePosition => ({ line, column: i - lineStart + 1 });
  const newline = () => {
    line++;
    lineStart = i;
  };
  const record = (path: readonly string[], position: SourcePosition) => {
    let joined = '';
    for (let depth = 0; depth < path.length; depth++) {
      joined = depth === 0 ? path[0]! : `${joined}${SEPARATOR}${path[depth]}`;
      if (!positions.has(joined)) {
        positions.set(joined, position);
        if (depth === 0) order.push(joined);
      }
    }
  };
  const skipInlineSpace = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  const skipComment = () => {
    while (i < n && text[i] !== '\n') i++;
  };
  const skipSpaceAndNewlines = () => {
    while (i < n) {
      const c = text[i];
      if (c === ' ' || c === '\t' || c === '\r') i++;
      else if (c === '\n') {
        i++;
        newline();
      } else if (c === '#') skipComment();
      else break;
    }
  };

  // A quoted string starting at i; returns its raw content. Multi-line forms may span lines.
  const readString = (): string => {
    const quote = text[i]!;
    const multi = text.startsWith(quote.repeat(3), i);
    const start = i + (multi ? 3 : 1);
    i = start;
    while (i < n) {
      const c = text[i];
      if (c === '\\' && quote === '"') {
        i += 2;
        if (text[i - 1] === '\n') newline();
        continue;
      }
      if (c === '\n') {
        if (!multi) break;
        i++;
        newline();
        continue;
      }
      if (c === quote && (!multi || text.startsWith(quote.repeat(3), i))) {
        const end = i;
        i += multi ? 3 : 1;
        // `""""` ends a multi-line string whose content ends in a quote: up to two extra quotes belong to it.
        if (multi) for (let extra = 0; extra < 2 && text[i] === quote; extra++) i++;
        return text.slice(start, end);
      }
      i++;
    }
    return text.slice(start, i);
  };

  const readKey = (): string[] => {
    const keys: string[] = [];
    for (;;) {
      skipInlineSpace();
      const c = text[i];
      if (c === '"') {
        const raw = readString();
        keys.push(unescapeBasic(raw));
      } else if (c === "'") {
        keys.push(readString());
      } else {
        const start = i;
        while (i < n && BARE_KEY.test(text[i]!)) i++;
        if (i === start) return keys;
        keys.push(text.slice(start, i));
      }
      skipInlineSpace();
      if (text[i] !== '.') return keys;
      i++;
    }
  };

  const skipValue = (path: readonly string[] | undefined) => {
    skipInlineSpace();
    const c = text[i];
    if (c === '"' || c === "'") {
      readString();
    } else if (c === '[') {
      i++;
      while (i < n) {
        skipSpaceAndNewlines();
        const d = text[i];
        if (d === ']') {
          i++;
          return;
        }
        if (d === ',') {
          i++;
          continue;
        }
        const before = i;
        skipValue(undefined);
        if (i === before) i++;
      }
    } else if (c === '{') {
      i++;
      while (i < n) {
        skipSpaceAndNewlines();
        const d = text[i];
        if (d === '}') {
          i++;
          return;
        }
        if (d === ',') {
          i++;
          continue;
        }
        const position = here();
        const before = i;
        const keys = readKey();
        if (keys.length > 0 && path !== undefined) record([...path, ...keys], position);
        skipInlineSpace();
        if (text[i] === '=') {
          i++;
          skipValue(path === undefined ? undefined : [...path, ...keys]);
        }
        if (i === before) i++;
      }
    } else {
      while (i < n) {
        const d = text[i];
        if (d === ',' || d === ']' || d === '}' || d === '\n' || d === '#') break;
        i++;
      }
    }
  };

  let table: string[] = [];
  while (i < n) {
    skipSpaceAndNewlines();
    if (i >= n) break;
    const before = i;
    const position = here();
    if (text[i] === '[') {
      i += text[i + 1] === '[' ? 2 : 1;
      table = readKey();
      if (table.length > 0) {
        record(table, position);
        tableLines.push({ line: position.line, table: table[0]! });
      }
    } else {
      const keys = readKey();
      if (keys.length > 0) {
        record([...table, ...keys], position);
        if (table.length === 0) tableLines.push({ line: position.line, table: keys[0]! });
        skipInlineSpace();
        if (text[i] === '=') {
          i++;
          skipValue([...table, ...keys]);
        }
      }
    }
    // Whatever remains on the line is a comment, a closing bracket, or (in a rejected text) junk.
    skipComment();
    if (i === before) i++;
  }

  return {
    topLevelOrder: order,
    find: (path) => positions.get(path.join(SEPARATOR)),
    tableAt: (target) => {
      let low = 0;
      let high = tableLines.length - 1;
      let found: string | undefined;
      while (low <= high) {
        const middle = (low + high) >> 1;
        const entry = tableLines[middle]!;
        if (entry.line <= target) {
          found = entry.table;
          low = middle + 1;
        } else {
          high = middle - 1;
        }
      }
      return found;
    },
  };
}

function unescapeBasic(raw: string): string {
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(
      `"${raw.replace(/\\U([0-9A-Fa-f]{8})/g, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))}"`,
    ) as string;
  } catch {
    return raw;
  }
}
