const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Whether a code point takes two cells on a terminal (East Asian wide and fullwidth forms, most emoji). */
function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1f64f) ||
    (code >= 0x1f900 && code <= 0x1f9ff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

/** Cells one line of text takes on a terminal, colours left out. An approximation, but a safe one. */
export function displayWidth(line: string): number {
  let width = 0;
  for (const char of line.replace(ANSI, '')) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x7f && code < 0xa0) || (code >= 0x300 && code <= 0x36f)) {
      continue; // control characters and combining marks take no cell
    }
    width += isWide(code) ? 2 : 1;
  }
  return width;
}

/**
 * Terminal rows that `text` takes once written and followed by a newline, on a terminal `columns` wide: a line
 * longer than the terminal wraps onto more rows. Unknown width: one row per line.
 */
export function screenRows(text: string, columns: number | undefined): number {
  const lines = text.split('\n');
  if (columns === undefined || columns <= 0) {
    return lines.length;
  }
  return lines.reduce((rows, line) => rows + Math.max(1, Math.ceil(displayWidth(line) / columns)), 0);
}

/** `text` (plain, one line) cut to at most `width` cells, with `…` where it was cut. */
export function truncateToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) {
    return text;
  }
  let out = '';
  let used = 0;
  for (const char of text) {
    const cells = displayWidth(char);
    if (used + cells > width - 1) {
      break;
    }
    out += char;
    used += cells;
  }
  return `${out}…`;
}
