/** Whether a stream should get ANSI colours: NO_COLOR wins, then FORCE_COLOR, then "is it a terminal". */
export function supportsColor(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  // https://no-color.org: any non-empty value disables colours.
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !(force === '0' || force.toLowerCase() === 'false');
  if (!isTTY) return false;
  return env.TERM !== 'dumb';
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
} as const;

export type Style = keyof typeof CODES;

/** Exactly the escape sequences `paint` writes, and nothing else: what may pass `visibleExcept` as ours. */
export const PAINTED = new RegExp(
  `\u001b\\[(?:${[...new Set(Object.values(CODES).flat())].join('|')})m`,
  'g',
);

/** Wraps `text` in the ANSI codes of `style` when `enabled`; returns it unchanged otherwise. */
export function paint(enabled: boolean, style: Style, text: string): string {
  if (!enabled || text === '') return text;
  const [open, close] = CODES[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}
