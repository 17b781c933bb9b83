/** A column of a text table. */
export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string;
  /** Right-align (numbers). */
  readonly right?: boolean;
}

/**
 * Renders rows as an aligned plain-text table with a header line. `paintHeader` styles the header cells
 * (padding is computed on the plain text so colours do not break alignment).
 */
export function renderTable<Row>(
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  paintHeader: (text: string) => string = (text) => text,
): string {
  const cells = rows.map((row) => columns.map((column) => oneLine(column.value(row))));
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...cells.map((line) => (line[i] ?? '').length)),
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

/** Label/value pairs, labels padded to one width. */
export function renderFields(
  fields: ReadonlyArray<readonly [string, string]>,
  paintLabel: (text: string) => string = (text) => text,
  indent = '  ',
): string {
  const width = Math.max(0, ...fields.map(([label]) => label.length));
  return fields
    .map(([label, value]) => `${indent}${paintLabel(label.padEnd(width))}  ${oneLine(value)}\n`)
    .join('');
}

function oneLine(text: string): string {
  return text.replace(/\r?\n/g, ' ⏎ ');
}

/** Milliseconds as a short human duration: `850ms`, `12.3s`, `4m 05s`, `2h 03m`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const totalSeconds = Math.round(seconds);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** Bytes as `512 B`, `12.0 KiB`, `3.4 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
