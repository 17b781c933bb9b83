// Control characters have no business in a report page: a C0 or C1 control, DEL or a bidi override/isolate
// ("Trojan Source") from a runbook or captured output is shown as a visible symbol, as the CLI shows it on a
// terminal. Tab and line feed are layout; CR before LF is a Windows line end.
const CONTROL = /\r(?!\n)|[\0-\x08\v\f\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
const MARKUP = /[&<>"']/g;
const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** A control character as a visible symbol: a Control Picture (U+2400–U+2421) or `\u009b` for C1 and bidi. */
export function controlSymbol(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control character (but tab and line breaks) shown as a visible symbol. */
export function showControls(text: string): string {
  return text.replace(CONTROL, controlSymbol);
}

/**
 * `text` safe inside HTML element content and quoted attribute values: `& < > " '` as entities, control
 * characters shown. Nothing from a runbook or the history reaches a page any other way.
 */
export function escapeHtml(text: string): string {
  return showControls(text).replace(MARKUP, (char) => ENTITIES[char]!);
}
