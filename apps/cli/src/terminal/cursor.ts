/**
 * Whether a stream may be sent cursor movements — the live clock's redraws, the arrow-key selector: it must be a
 * terminal, and not one that says it cannot move the cursor (`TERM=dumb`: Emacs shell buffers, some CI
 * consoles and serial lines), which gets plain lines instead.
 */
export function canMoveCursor(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  return isTTY && env['TERM'] !== 'dumb';
}
