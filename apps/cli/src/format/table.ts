import { visibleLine } from '../terminal/visible.js';

/** A column of a text table. */
export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string;
  /** Right-align (numbers). */
  readonly right?: boolean;
}

/**
 * Renders rows as an aligned plain-text table with a header line. Each cell is shown on one line with its
 * control characters made visible (`visibleLine`): cells hold text from runbook files and the run history.
 * `paintHeader` styles the header cells (padding is computed on the plain text so colours do not break alignment).
 */
export function renderTable<Row>(
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  paintHeader: (text: string) => string = (text) => text,
): string {
  const cells = rows.map((row) => columns.map((column) => visibleLine(column.value(row))));
  const widths = columns.map((column, i) =>
    longest(
      cells.map((line) => line[i] ?? ''),
      column.header.length,
    ),
  );
  const pad = (text: string, i: number): string => {
    const width = widths[i] ?? 0;
    return columns[i]?.right === true ? text.padStart(width) : text.padEnd(width);
  };
  const header = columns.map((column, i) => paintHeader(pad(column.header, i))).join('  ');
  const body = cells.map((line) =>
    line
      .map((cell, i) => pad(cell, i))
      .join('  ')
      .trimEnd(),
  );
  return `${[header.trimEnd(), ...body].join('\n')}\n`;
}

/** Label/value pairs, labels padded to one width; each value on one line, made visible like a table cell. */
export function renderFields(
  fields: ReadonlyArray<readonly [string, string]>,
  paintLabel: (text: string) => string = (text) => text,
  indent = '  ',
): string {
  const width = longest(fields.map(([label]) => label));
  return fields
    .map(([label, value]) => `${indent}${paintLabel(label.padEnd(width))}  ${visibleLine(value)}\n`)
    .join('');
}

/**
 * The length of the longest text, at least `atLeast`. A loop, not `Math.max(...lengths)`: spreading a table of
 * 100,000 rows into one call's arguments overflows the stack.
 */
function longest(texts: readonly string[], atLeast = 0): number {
  let width = atLeast;
  for (const text of texts) if (text.length > width) width = text.length;
  return width;
}

/** Bytes as `512 B`, `12.0 KiB`, `3.4 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
