import { parse } from 'shell-quote';
import type { TemplatePart } from './template.js';

/** The value as one POSIX shell word that the shell never interprets: single quotes, `'` written `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

const MARK = 'PLAYBOOKTEMPLATEMARK';

/**
 * The template parts of a command line (as parsed by parseTemplate) that sit inside single or double quotes of the shell. Such a value
 * cannot be shell-quoted (the quotes would become part of it), so it must go through `env` instead. Uses the
 * shell-quote lexer: each template in turn is replaced by two words joined with a space; the space survives
 * lexing only when the shell would have quoted it.
 */
export function templatesInShellQuotes(parts: readonly TemplatePart[]): TemplatePart[] {
  // Without a quote character in its text, no template of the line can sit inside quotes: skip the lexer
  // (most command lines; it is the costliest part of validating a templated runbook).
  if (!parts.some((part) => part.kind === 'text' && /['"]/.test(part.text))) return [];
  const expressions = parts.filter((part) => part.kind === 'expression');
  const quoted: TemplatePart[] = [];
  for (const target of expressions) {
    let line = '';
    for (const part of parts) {
      if (part.kind === 'text') line += part.text;
      else line += part === target ? `${MARK} ${MARK}` : MARK;
    }
    const words = parse(line, (name) => `$${name}`);
    if (words.some((word) => typeof word === 'string' && word.includes(`${MARK} ${MARK}`)))
      quoted.push(target);
  }
  return quoted;
}
