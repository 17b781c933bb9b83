import { parse } from 'shell-quote';
import type { TemplatePart } from './template.js';

/** The value as one POSIX shell word that the shell never interprets: single quotes, `'` written `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

const MARK = 'PLAYBOOKTEMPLATEMARK';

/**
 * The template parts of a command line (as parsed by parseTemplate) that sit inside single or double quotes of
 * the shell. Such a value cannot be shell-quoted (the quotes would become part of it), so it must go through
 * `env` instead. Uses the shell-quote lexer, once for the whole line: template number i is replaced by two
 * words of its own joined with a space (`MARK<i>A MARK<i>B`); the space survives lexing only when the shell
 * would have quoted it.
 */
export function templatesInShellQuotes(parts: readonly TemplatePart[]): TemplatePart[] {
  // Without a quote character in its text, no template of the line can sit inside quotes: skip the lexer
  // (most command lines; it is the costliest part of validating a templated runbook).
  if (!parts.some((part) => part.kind === 'text' && /['"]/.test(part.text))) return [];
  const expressions: TemplatePart[] = [];
  let line = '';
  for (const part of parts) {
    if (part.kind === 'text') {
      // `$` matters to the quote state only as part of `$'…'`/`$"…"`, which stay quotes without it; to the lexer it
      // starts a substitution, and one it cannot read (`${{` written `$${{`, `${x:-y}`) makes it throw. So the
      // lexer sees no `$` at all, and every line is readable.
      line += part.text.replaceAll('$', '_');
      continue;
    }
    line += pair(expressions.length);
    expressions.push(part);
  }
  let words: string[];
  try {
    // A word with a glob character (`"${{ x }}"*`) comes back as a pattern: it is a word all the same.
    words = parse(line, (name) => `$${name}`).flatMap((word) =>
      typeof word === 'string' ? [word] : 'pattern' in word ? [word.pattern] : [],
    );
  } catch {
    // Not expected without `$`. Should the lexer still fail, every template counts as quoted: "none is quoted"
    // would let a value into the user's quotes, where shell-quoting it does not protect the command.
    return [...expressions];
  }
  return expressions.filter((_, index) => words.some((word) => word.includes(pair(index))));
}

// The two words that stand for template number `index`; the letters after the number keep `…1A` and `…10A` apart.
const pair = (index: number): string => `${MARK}${index}A ${MARK}${index}B`;
