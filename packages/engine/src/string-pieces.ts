/**
 * `text` as a string of its own. In V8 a piece cut from a larger string (`slice`, `split`, a regular
 * expression's match) is a view that keeps the whole larger string alive. A piece kept while later output
 * arrives — the unfinished line of a stream, the text held back in case it starts a secret — kept the 64 KB
 * chunk it came from alive long enough to be moved to V8's old generation, chunk after chunk, so the heap grew
 * with the output rate. Copy such a piece before keeping it.
 */
export function ownString(text: string): string {
  // The concatenation is flattened into a new string before it is cut: the piece's parent is that copy.
  return ` ${text}`.slice(1);
}
