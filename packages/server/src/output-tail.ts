/** Lines and characters of a captured stream a page shows: its end, where a failure usually explains itself. */
export const TAIL_LINES = 500;
export const TAIL_CHARS = 64 * 1024;

/** The end of a captured stream: at most `TAIL_LINES` whole lines and `TAIL_CHARS` characters, and what was left out. */
export function outputTail(text: string): { text: string; totalLines: number; droppedLines: number } {
  const lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  let kept = lines.slice(-TAIL_LINES);
  let tail = kept.join('\n');
  if (tail.length > TAIL_CHARS) {
    // Cut to whole lines where there are any; one huge line is cut where the budget ends.
    const cut = tail.slice(-TAIL_CHARS);
    const lineStart = cut.indexOf('\n');
    tail = lineStart === -1 ? cut : cut.slice(lineStart + 1);
    kept = tail.split('\n');
  }
  return { text: tail, totalLines: lines.length, droppedLines: lines.length - kept.length };
}
