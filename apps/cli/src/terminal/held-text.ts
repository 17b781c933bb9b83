/** How much text is held while a question waits before the middle of it is dropped (memory stays bounded). */
const MAX_HELD_BYTES = 4 * 1024 * 1024;

/**
 * Text held back while the operator answers a question, so that nothing is printed over the prompt (SPEC §9.1),
 * and shown once the answer is in. A node that floods output meanwhile costs at most a few MiB: past the cap the
 * rest is counted and said in one line; the step's captured output keeps it all, as always.
 */
export class HeldText {
  #parts: string[] = [];
  #bytes = 0;
  #droppedLines = 0;

  /** Keeps `text` (whole lines) for later. */
  add(text: string): void {
    if (this.#bytes + text.length > MAX_HELD_BYTES) {
      this.#droppedLines += countLines(text);
      return;
    }
    this.#parts.push(text);
    this.#bytes += text.length;
  }

  /** Everything held, with a line saying what was dropped; empties the hold. */
  take(): string {
    let text = this.#parts.join('');
    if (this.#droppedLines > 0) {
      text += `  … ${this.#droppedLines} more line${this.#droppedLines === 1 ? '' : 's'} printed while the question waited are not shown here (the step's captured output is kept as usual)\n`;
    }
    this.#parts = [];
    this.#bytes = 0;
    this.#droppedLines = 0;
    return text;
  }
}

function countLines(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count++;
  return count;
}
