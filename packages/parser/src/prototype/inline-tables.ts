// The prototype's documentation and its Slack plugin's examples write inline tables over several lines, with
// comments and a trailing comma (allowed by TOML 1.1, not by the TOML 1.0 that this tool reads). Before such a
// file is parsed for import, each inline table is joined onto one line; the line breaks it held are written
// after it, so every later line keeps its number for the notes.

/** The text with every inline table on one line (comments inside dropped, trailing commas removed). */
export function joinInlineTables(text: string): string {
  let out = '';
  let depth = 0;
  let heldBreaks = '';
  let i = 0;
  const copyString = (quote: string): void => {
    const end = text.indexOf(quote, i + quote.length);
    // Escaped quotes end nothing: search on past them (basic strings only; literal strings have no escapes).
    let close = end;
    if (quote.startsWith('"')) {
      close = i + quote.length;
      for (; close < text.length; close += 1) {
        if (text[close] === '\\') close += 1;
        else if (text.startsWith(quote, close)) break;
      }
    }
    const stop = close < 0 || close >= text.length ? text.length : close + quote.length;
    out += text.slice(i, stop);
    i = stop;
  };
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (text.startsWith('"""', i)) copyString('"""');
    else if (text.startsWith("'''", i)) copyString("'''");
    else if (ch === '"') copyString('"');
    else if (ch === "'") copyString("'");
    else if (ch === '#') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      if (depth === 0) out += text.slice(i, stop);
      i = stop;
    } else if (ch === '\n') {
      if (depth > 0) {
        heldBreaks += '\n';
        out += ' ';
      } else {
        out += `\n${heldBreaks}`;
        heldBreaks = '';
      }
      i += 1;
    } else if (ch === '{') {
      depth += 1;
      out += ch;
      i += 1;
    } else if (ch === '}' && depth > 0) {
      depth -= 1;
      out = out.replace(/,\s*$/, ' ');
      out += ch;
      i += 1;
    } else if (ch === '\r' && depth > 0) i += 1;
    else {
      out += ch;
      i += 1;
    }
  }
  return out + heldBreaks;
}
