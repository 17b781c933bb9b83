// Splits text of a prototype runbook into literal text and Jinja `{{ … }}` expressions. Statements (`{% … %}`)
// and comments (`{# … #}`) are marked so the caller can keep them and warn: they have no equivalent here.

/** One piece of a text: `offset` is its 0-based start in the text. */
export type JinjaTextPart =
  | { readonly kind: 'text'; readonly text: string; readonly offset: number }
  | { readonly kind: 'expression'; readonly source: string; readonly offset: number }
  | { readonly kind: 'statement'; readonly source: string; readonly offset: number };

/** Where `}}` closes an expression that starts at `from`, skipping quoted strings; -1 when it never does. */
function closingBraces(text: string, from: number, close: string): number {
  let quote: string | undefined;
  for (let i = from; i < text.length; i += 1) {
    const ch = text[i];
    if (quote !== undefined) {
      if (ch === '\\') i += 1;
      else if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (text.startsWith(close, i)) return i;
  }
  return -1;
}

/** The text's parts in order; text without `{{`, `{%` or `{#` is one text part. */
export function splitJinjaText(text: string): JinjaTextPart[] {
  const parts: JinjaTextPart[] = [];
  let literalStart = 0;
  let i = 0;
  while (i < text.length - 1) {
    const open = text.slice(i, i + 2);
    const close = open === '{{' ? '}}' : open === '{%' ? '%}' : open === '{#' ? '#}' : undefined;
    if (close === undefined) {
      i += 1;
      continue;
    }
    const end = open === '{#' ? text.indexOf(close, i + 2) : closingBraces(text, i + 2, close);
    if (end < 0) break;
    if (i > literalStart)
      parts.push({ kind: 'text', text: text.slice(literalStart, i), offset: literalStart });
    const source = text.slice(i + 2, end);
    parts.push(
      open === '{{'
        ? { kind: 'expression', source, offset: i }
        : { kind: 'statement', source: text.slice(i, end + 2), offset: i },
    );
    i = end + 2;
    literalStart = i;
  }
  if (literalStart < text.length)
    parts.push({ kind: 'text', text: text.slice(literalStart), offset: literalStart });
  return parts;
}

/** Whether a text holds any Jinja at all. */
export function hasJinja(text: string): boolean {
  return splitJinjaText(text).some((part) => part.kind !== 'text');
}
