import { ExpressionError } from './expression-error.js';

/** One piece of a template: literal text, or an expression with its offset in the template. */
export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'expression';
      /** The expression between `${{` and `}}`, trimmed. */
      readonly source: string;
      /** Offset of `${{` in the template text. */
      readonly start: number;
      /** Offset just past `}}`. */
      readonly end: number;
      /** Offset of the expression's first character in the template text. */
      readonly sourceOffset: number;
    };

const OPEN = '${{';

/** True when the text holds a template or an escaped `$${{` (cheap test before parsing). */
export function mayHoldTemplate(text: string): boolean {
  return text.includes(OPEN);
}

/**
 * Splits text into literal parts and `${{ expression }}` parts. `$${{` is a literal `${{`; `${HOME}`, `{{ x }}`
 * and `${ask}` are plain text. An unclosed `${{` throws `ExpressionError` (TEMPLATE_SYNTAX) at its offset.
 */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  let index = 0;
  while (index < text.length) {
    const open = text.indexOf(OPEN, index);
    if (open === -1) break;
    if (open > 0 && text[open - 1] === '$') {
      // `$${{` writes a literal `${{`: the first `$` is dropped.
      literal += text.slice(index, open - 1) + OPEN;
      index = open + OPEN.length;
      continue;
    }
    literal += text.slice(index, open);
    const close = findClose(text, open + OPEN.length);
    if (close === -1) {
      throw new ExpressionError('TEMPLATE_SYNTAX', '`${{` without its closing `}}`', open);
    }
    const inner = text.slice(open + OPEN.length, close);
    const source = inner.trim();
    if (source === '') throw new ExpressionError('TEMPLATE_SYNTAX', 'an empty template `${{ }}`', open);
    if (literal !== '') parts.push({ kind: 'text', text: literal });
    literal = '';
    const leading = inner.length - inner.trimStart().length;
    parts.push({
      kind: 'expression',
      source,
      start: open,
      end: close + 2,
      sourceOffset: open + OPEN.length + leading,
    });
    index = close + 2;
  }
  literal += text.slice(index);
  if (literal !== '') parts.push({ kind: 'text', text: literal });
  return parts;
}

/** True when the parts hold at least one expression. */
export function hasExpression(parts: readonly TemplatePart[]): boolean {
  return parts.some((part) => part.kind === 'expression');
}

/** The only expression when the template is exactly one `${{ … }}` and nothing else (it then keeps its type). */
export function wholeExpression(parts: readonly TemplatePart[]): TemplatePart | undefined {
  return parts.length === 1 && parts[0]?.kind === 'expression' ? parts[0] : undefined;
}

// The `}}` that ends a template: outside CEL string literals, and with CEL's own braces (map literals) closed.
function findClose(text: string, from: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let index = from; index < text.length; index++) {
    const char = text[index];
    if (quote !== undefined) {
      if (char === '\\') index++;
      else if (text.startsWith(quote, index)) {
        index += quote.length - 1;
        quote = undefined;
      }
      continue;
    }
    if (char === '"' || char === "'") {
      quote = text.startsWith(char.repeat(3), index) ? char.repeat(3) : char;
      index += quote.length - 1;
    } else if (char === '{') depth++;
    else if (char === '}') {
      if (depth === 0 && text[index + 1] === '}') return index;
      if (depth > 0) depth--;
    }
  }
  return -1;
}
