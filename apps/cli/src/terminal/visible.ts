/**
 * The characters a terminal acts on instead of showing: C0 controls (ESC starts every escape sequence: cursor
 * moves, clear screen, OSC 52 clipboard, window title; BEL, BS and CR rewrite what is shown), DEL, C1 controls
 * (U+009B is a one-character CSI on some terminals) and the bidi embeddings, overrides and isolates that reorder
 * what is shown ("Trojan Source"). Tab and line feed are layout, and CR right before LF is a Windows line end;
 * `visible` keeps those three, `visibleLine` makes tab and line breaks visible too.
 */
const CONTROL = /\r(?!\n)|[\0-\x08\v\f\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_IN_LINE = /\r?\n|[\0-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** `\u009b`: how JSON and JavaScript write a character, readable as what it is. */
const unicodeEscape = (char: string): string => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Control Pictures (U+2400–U+2421) for C0 and DEL; a `\u` escape for the rest, which have no picture. */
function picture(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return unicodeEscape(char);
}

/**
 * `text` from a runbook file or from the run history, made safe to print on a terminal: every control
 * character is shown instead of acted on (ESC as `␛`, BEL as `␇`, U+009B as `\u009b`), so no file or database
 * can move the cursor, clear the screen, set the clipboard or change the title. Line feeds and tabs stay.
 * Idempotent: what it returns contains nothing it would change.
 */
export function visible(text: string): string {
  return text.replace(CONTROL, picture);
}

/** `visible` for one line of a table, a field or a message: line breaks become ` ⏎ `, a tab `␉`. */
export function visibleLine(text: string): string {
  return text.replace(CONTROL_IN_LINE, (char) => (char.endsWith('\n') ? ' ⏎ ' : picture(char)));
}

/**
 * `visible` for the text we compose around untrusted parts: the colour codes `keep` matches (ours, from
 * `paint`) pass, every other control character is shown.
 */
export function visibleExcept(text: string, keep: RegExp): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(keep)) {
    out += visible(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + visible(text.slice(last));
}

/**
 * Every string of an engine event (or any plain structure of objects and arrays) passed through `visible`; other
 * values as they are. For structures we define, a few levels deep: the walk follows the value's own shape.
 */
export function visibleStrings<T>(value: T): T {
  if (typeof value === 'string') return visible(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => visibleStrings(item)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = visibleStrings(item);
    return copy as T;
  }
  return value;
}

const JSON_UNSAFE = /[\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text with the characters JSON.stringify leaves raw (DEL, C1, bidi controls) written as `\u` escapes:
 * the same JSON value, safe to look at on a terminal. Such characters only occur inside JSON strings, where an
 * escape means the same character.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(JSON_UNSAFE, unicodeEscape);
}
