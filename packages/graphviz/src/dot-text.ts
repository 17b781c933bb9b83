// DOT quoting. Inside a double-quoted DOT string the scanner treats `\"` as a quote, `\` + newline as a line
// continuation and keeps `\\` as two characters; labels are then run through Graphviz's escape processing
// (`\n`, `\l`, `\N`, `\G`…). So every string goes through one of these functions and nothing is interpolated raw.

/** Line breaks a reader or an editor may honour; all of them end a `//` comment line or a label line. */
const LINE_BREAK = /\r\n|[\r\n\u0085\u2028\u2029]/;

/**
 * Control characters other than tab and the line breaks above would reach Graphviz's C strings (a NUL ends one)
 * or make the file unreadable in an editor; they become U+FFFD so the damage is visible, not silent.
 */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

function clean(text: string): string {
  return text.replace(CONTROL, '\uFFFD');
}

/**
 * Text that none of the rewrites below would change (no control character, line break, backslash, quote or
 * `&`): most ids and names. Tested first so that drawing 200,000 nodes does not run every replace on each.
 */
const PLAIN = /^[^\u0000-\u001f\u007f\u0085\u2028\u2029\\"&]*$/;

/**
 * Quotes an identifier (a graph, node or subgraph name). Always quoted, so DOT keywords (`node`, `edge`,
 * `graph`, `digraph`, `subgraph`, `strict`, any case) and `->`, braces or spaces are plain names.
 * Backslashes are doubled: Graphviz keeps `\\` as-is, so the written name stays unambiguous and a trailing
 * backslash cannot swallow the closing quote. Line breaks are written as the escape `\n` text, never raw.
 */
export function quoteId(id: string): string {
  if (PLAIN.test(id)) return `"${id}"`;
  return `"${clean(id).replace(/\\/g, '\\\\').replace(/"/g, '\\"').split(LINE_BREAK).join('\\n')}"`;
}

/**
 * Quotes a label: the text is shown as written. Backslashes are doubled so Graphviz's label escapes (`\N`,
 * `\G`, `\l`…) in a name stay literal, and an `&` that starts an entity (`&amp;`) is escaped; each line break
 * becomes `\n`, a centred line break in the label.
 */
export function quoteLabel(text: string): string {
  if (PLAIN.test(text)) return `"${text}"`;
  const lines = clean(text).split(LINE_BREAK);
  // A label whose first line is empty (`"\nname"`, a name or title starting with a line break) makes the
  // WebAssembly build of Graphviz 16 corrupt its memory: depending on the heap's state the layout traps with
  // "table index is out of bounds" or "null function or function signature mismatch" — now and then on a fresh
  // instance, for about 4 in 10 such graphs once the instance has laid out others. Of thousands of generated
  // graphs, every one that trapped had such a label; none has since this line. A space in that first line draws
  // the same: same width, same text positions, box 0.8 pt taller.
  if (lines.length > 1 && lines[0] === '') lines[0] = ' ';
  return `"${lines
    .map((line) =>
      line
        .replace(/\\/g, '\\\\')
        .replace(/"/g, '\\"')
        // Graphviz decodes HTML entities in plain labels too: `&amp;` in a name must stay `&amp;`.
        .replace(/&(?=#?[A-Za-z0-9]+;)/g, '&amp;'),
    )
    .join('\\n')}"`;
}

/** `//` comment lines for free text: one per line of the text, so no line of it can escape the comment. */
export function commentLines(text: string): string[] {
  return clean(text)
    .split(LINE_BREAK)
    .map((line) => (line === '' ? '//' : `// ${line}`));
}
