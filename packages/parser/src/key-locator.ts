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
  /**
   * Keys named like a built-in property of every JS object (`constructor`, `toString`…) used as a table: in a
   * `[header]` or before a dot (`constructor.x = 1`). @iarna/toml descends into the inherited value there, so
   * the table vanishes from the result and its keys are written onto `Object` itself; such text must not be
   * given to it.
   */
  readonly inheritedNameTables: readonly { readonly key: string; readonly position: SourcePosition }[];
}

/** Whether to record the key `path[0..depth]` (depth ≥ 1): a first pass may keep only the keys it needs. */
export type KeptPaths = (path: readonly string[], depth: number) => boolean;

/**
 * Key locations found in two passes: the first records only the top level and the keys `firstPass` keeps; the
 * first look-up of any other key makes the full pass. A valid runbook is never scanned twice, and its full
 * map of positions (hundreds of bytes per node, most of the memory parsing a 100,000-node file took) is never
 * built: positions are looked up only to report a problem.
 */
export function locateKeysLazily(text: string, firstPass: KeptPaths): KeyLocations {
  const first = locateKeys(text, firstPass);
  let full: KeyLocations | undefined;
  return {
    topLevelOrder: first.topLevelOrder,
    inheritedNameTables: first.inheritedNameTables,
    find: (path) => {
      const found = first.find(path);
      if (found !== undefined) return found;
      full ??= locateKeys(text);
      return full.find(path);
    },
    tableAt: first.tableAt,
  };
}

/** Property names every plain object inherits (`__proto__` aside, which @iarna/toml handles). */
const INHERITED_NAMES: ReadonlySet<string> = new Set(
  Object.getOwnPropertyNames(Object.prototype).filter((name) => name !== '__proto__'),
);

const SEPARATOR = '\u0000';
const BARE_KEY = /[A-Za-z0-9_-]/;
/** Keys nested deeper than this inside inline tables are not located (problems name at most node.field.key). */
const MAX_LOCATED_DEPTH = 16;
/** Nesting of arrays / inline tables past which values are skipped without recursion. */
const MAX_NESTING = 64;

/**
 * Finds the position of every `[table]` / `[[table]]` header and every `key =` (dotted keys and keys inside
 * inline tables included) in one linear pass. It only tracks positions, never values, and is lenient: it is
 * run on text the TOML library already accepted, and on rejected text only for a best-effort table name.
 */
export function locateKeys(text: string, keep: KeptPaths = () => true): KeyLocations {
  const positions = new Map<string, SourcePosition>();
  const order: string[] = [];
  const tableLines: { line: number; table: string }[] = [];
  const inheritedNameTables: { key: string; position: SourcePosition }[] = [];
  /** Segments of the key just read, with where each starts. */
  let segmentPositions: SourcePosition[] = [];
  /** Records the segments of the key just read that name a table: all of them, or all but the last. */
  const checkTableSegments = (keys: readonly string[], all: boolean) => {
    const count = all ? keys.length : keys.length - 1;
    for (let k = 0; k < count; k++) {
      const key = keys[k]!;
      if (INHERITED_NAMES.has(key)) inheritedNameTables.push({ key, position: segmentPositions[k]! });
    }
  };
  const n = text.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;

  const here = (): SourcePosition => ({ line, column: i - lineStart + 1 });
  const newline = () => {
    line++;
    lineStart = i;
  };
  // `known`: how many leading segments are already recorded (the enclosing key of an inline table). Skipping
  // them keeps deeply nested inline tables linear-ish instead of rebuilding every prefix at every level.
  const record = (path: readonly string[], position: SourcePosition, known = 0) => {
    let joined = known === 0 ? '' : path.slice(0, known).join(SEPARATOR);
    for (let depth = known; depth < path.length; depth++) {
      joined = depth === 0 ? path[0]! : `${joined}${SEPARATOR}${path[depth]}`;
      // The top level is always kept: it gives the declaration order.
      if (depth > 0 && !keep(path, depth)) continue;
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
    segmentPositions = [];
    for (;;) {
      skipInlineSpace();
      const c = text[i];
      segmentPositions.push(here());
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

  // Arrays and inline tables nested past MAX_NESTING are skipped by counting brackets instead of recursing,
  // so no text, however deep, can overflow the stack.
  const skipNested = () => {
    let open = 0;
    while (i < n) {
      const c = text[i];
      const position = here();
      let word: string | undefined;
      if (c === '"' || c === "'") {
        const raw = readString();
        word = c === '"' ? unescapeBasic(raw) : raw;
      } else if (c !== undefined && BARE_KEY.test(c)) {
        const start = i;
        while (i < n && BARE_KEY.test(text[i]!)) i++;
        word = text.slice(start, i);
      }
      if (word !== undefined) {
        // Values are never followed by a dot (numbers are, but no inherited name is a number): it is a key.
        skipInlineSpace();
        if (text[i] === '.' && INHERITED_NAMES.has(word)) inheritedNameTables.push({ key: word, position });
        continue;
      }
      if (c === '#') {
        skipComment();
        continue;
      }
      i++;
      if (c === '\n') newline();
      else if (c === '[' || c === '{') open++;
      else if ((c === ']' || c === '}') && --open === 0) return;
    }
  };

  // The items of an array or inline table whose opening bracket is at i, up to `close`. An item that reads
  // nothing (junk in a rejected text) is stepped over, so the walk always moves on.
  const skipItems = (close: ']' | '}', item: () => void) => {
    i++;
    while (i < n) {
      skipSpaceAndNewlines();
      const d = text[i];
      if (d === close) {
        i++;
        return;
      }
      if (d === ',') {
        i++;
        continue;
      }
      const before = i;
      item();
      if (i === before) i++;
    }
  };

  const skipValue = (path: readonly string[] | undefined, depth = 0) => {
    skipInlineSpace();
    const c = text[i];
    if ((c === '[' || c === '{') && depth >= MAX_NESTING) {
      skipNested();
    } else if (c === '"' || c === "'") {
      readString();
    } else if (c === '[') {
      skipItems(']', () => skipValue(undefined, depth + 1));
    } else if (c === '{') {
      skipItems('}', () => {
        const position = here();
        const keys = readKey();
        checkTableSegments(keys, false);
        if (keys.length > 0 && path !== undefined) record([...path, ...keys], position, path.length);
        skipInlineSpace();
        if (text[i] === '=') {
          i++;
          const inner = path === undefined ? undefined : [...path, ...keys];
          // Past MAX_LOCATED_DEPTH nothing is recorded, so nesting thousands deep stays linear.
          skipValue(inner !== undefined && inner.length <= MAX_LOCATED_DEPTH ? inner : undefined, depth + 1);
        }
      });
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
      checkTableSegments(table, true);
      if (table.length > 0) {
        record(table, position);
        tableLines.push({ line: position.line, table: table[0]! });
      }
    } else {
      const keys = readKey();
      checkTableSegments(keys, false);
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
    inheritedNameTables,
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
