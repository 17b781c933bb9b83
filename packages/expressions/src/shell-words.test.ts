import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { templatesInShellQuotes } from './shell-words.js';
import { parseTemplate, type TemplatePart } from './template.js';

// The quote state of the shell at each template, for lines without backslashes or comments: a plain scan.
// Undefined for a line that leaves a quote open (a syntax error of the shell's, found when it runs).
function quotedByScan(parts: readonly TemplatePart[]): TemplatePart[] | undefined {
  let quote: string | undefined;
  const quoted: TemplatePart[] = [];
  for (const part of parts) {
    if (part.kind === 'expression') {
      if (quote !== undefined) quoted.push(part);
      continue;
    }
    for (const char of part.text) {
      if (quote === undefined && (char === "'" || char === '"')) quote = char;
      else if (char === quote) quote = undefined;
    }
  }
  return quote === undefined ? quoted : undefined;
}

describe('templatesInShellQuotes, one lexer pass for the whole line', () => {
  it('finds the templates the shell would read inside quotes', () => {
    const piece = fc.constantFrom(
      '${{ inputs.a }}',
      '${{ steps.b.status }}',
      "'",
      '"',
      ' ',
      '$x',
      ';',
      '|',
      '&&',
      '(',
      ')',
      '=',
      'echo',
      'x',
      '\n',
      '*',
      '10',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (pieces) => {
        let parts: TemplatePart[];
        try {
          parts = parseTemplate(pieces.join(''));
        } catch {
          return;
        }
        const expected = quotedByScan(parts);
        if (expected !== undefined) expect(templatesInShellQuotes(parts)).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('a backslash-escaped space between two bare templates puts neither in quotes', () => {
    // A lexer pass per template, with every other template one word, took the escaped space (or a quoted
    // text right after a template) next to the other template's mark for its own.
    expect(templatesInShellQuotes(parseTemplate("echo ${{ inputs.a }}\\ ${{ inputs.b }} 'q'"))).toEqual([]);
    expect(
      templatesInShellQuotes(parseTemplate("echo '${{ inputs.a }}'\\ ${{ inputs.b }}")).map((part) =>
        part.kind === 'expression' ? part.source : '',
      ),
    ).toEqual(['inputs.a']);
  });

  it('a quoted text right after a bare template does not put it in quotes', () => {
    const sources = (line: string) =>
      templatesInShellQuotes(parseTemplate(line)).map((part) =>
        part.kind === 'expression' ? part.source : '',
      );
    expect(sources("echo ${{ inputs.a }}' x' ${{ inputs.b }}")).toEqual([]);
    expect(sources("echo ${{ inputs.a }}' ${{ inputs.b }}'")).toEqual(['inputs.b']);
  });

  it('finds a quoted template in a word with a glob character', () => {
    expect(templatesInShellQuotes(parseTemplate('ls "${{ inputs.a }}"*')).length).toBe(1);
  });

  it('reads a line with an escaped template or a parameter expansion, without throwing', () => {
    const sources = (line: string) =>
      templatesInShellQuotes(parseTemplate(line)).map((part) =>
        part.kind === 'expression' ? part.source : '',
      );
    expect(sources("echo $${{ lit }} ${{ inputs.a }} 'q'")).toEqual([]);
    expect(sources('echo ${x:-y} ${{ inputs.a }} "q"')).toEqual([]);
    // A template in quotes is found on such a line too: the lexer failing on `${{` once hid it (a value with a
    // `"` then ran as a command).
    expect(
      sources('echo "release ${{ inputs.who }}"\ncat > wf.yml <<\'E\'\nsha: $${{ github.sha }}\nE'),
    ).toEqual(['inputs.who']);
    expect(sources('echo "${x:-y} ${{ inputs.a }}"')).toEqual(['inputs.a']);
    expect(sources('echo $\'${{ inputs.a }}\' $"${{ inputs.b }}" ${{ inputs.c }}')).toEqual([
      'inputs.a',
      'inputs.b',
    ]);
  });

  it('keeps the eleventh template apart from the second', () => {
    const line = Array.from({ length: 12 }, (_, index) =>
      index === 10 ? `"\${{ inputs.t${index} }}"` : `\${{ inputs.t${index} }}`,
    ).join(' ');
    const parts = parseTemplate(line);
    expect(
      templatesInShellQuotes(parts).map((part) => (part.kind === 'expression' ? part.source : '')),
    ).toEqual(['inputs.t10']);
  });
});
