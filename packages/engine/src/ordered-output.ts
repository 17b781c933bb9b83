import type { OutputLog, OutputLogLine } from '@playbook/domain';
import type { OutputStream } from './ports/process-runner.js';

interface PendingLine {
  text: string;
  time: string;
}

/**
 * The lines of both streams of an attempt in the order they arrived, each with the time its first character
 * came (SPEC §10.1), bounded like the per-stream capture: past `maxChars` characters of line text, the first
 * half and the last half are kept and the lines in between are counted, not stored. A line longer than a
 * quarter of the budget (output without line breaks) is cut into pieces of that size, so memory stays flat
 * however a program writes.
 */
export class OrderedOutput {
  readonly #headChars: number;
  readonly #tailChars: number;
  readonly #maxLineChars: number;
  readonly #head: OutputLogLine[] = [];
  #headUsed = 0;
  #headFull = false;
  // Dropped slots are emptied at once: a dropped line may be a quarter of the budget, and up to 1,024 of
  // them wait for the next compaction (100 MB of output without line breaks once sat here).
  #tail: (OutputLogLine | undefined)[] = [];
  #tailStart = 0;
  #tailUsed = 0;
  #droppedLines = 0;
  #droppedChars = 0;
  readonly #partial: Record<OutputStream, PendingLine> = {
    stdout: { text: '', time: '' },
    stderr: { text: '', time: '' },
  };

  constructor(maxChars: number) {
    this.#headChars = Math.floor(maxChars / 2);
    this.#tailChars = maxChars - this.#headChars;
    this.#maxLineChars = Math.max(1, Math.floor(maxChars / 4));
  }

  /** Takes text of a stream that arrived at `time` (UTC ISO-8601); complete lines are kept at once, the rest waits for its end. */
  write(stream: OutputStream, text: string, time: string): void {
    const partial = this.#partial[stream];
    let start = 0;
    while (start < text.length) {
      if (partial.text === '') partial.time = time;
      const newline = text.indexOf('\n', start);
      const end = newline < 0 ? text.length : newline;
      // Cut a line that would grow past the line limit, without building it first.
      const room = this.#maxLineChars - partial.text.length;
      if (end - start >= room) {
        this.#keep({ stream, time: partial.time, text: partial.text + text.slice(start, start + room) });
        partial.text = '';
        start += room;
        continue;
      }
      partial.text += text.slice(start, end);
      if (newline < 0) break;
      this.#keep({ stream, time: partial.time, text: partial.text });
      partial.text = '';
      start = newline + 1;
    }
  }

  /** Keeps what each stream wrote after its last line break, as a last line. */
  end(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const partial = this.#partial[stream];
      if (partial.text === '') continue;
      this.#keep({ stream, time: partial.time, text: partial.text });
      partial.text = '';
    }
  }

  /** The kept lines, and how many lines were dropped between head and tail (call after `end`). */
  log(): OutputLog {
    const lines = this.#head.concat(this.#tail.slice(this.#tailStart) as OutputLogLine[]);
    return {
      lines,
      dropped:
        this.#droppedLines === 0
          ? null
          : { afterLine: this.#head.length, lines: this.#droppedLines, chars: this.#droppedChars },
    };
  }

  #keep(line: OutputLogLine): void {
    const size = line.text.length + 1;
    if (!this.#headFull && this.#headUsed + size <= this.#headChars) {
      this.#head.push(line);
      this.#headUsed += size;
      return;
    }
    this.#headFull = true;
    this.#tail.push(line);
    this.#tailUsed += size;
    while (this.#tailUsed > this.#tailChars && this.#tailStart < this.#tail.length) {
      const dropped = this.#tail[this.#tailStart]!;
      this.#tail[this.#tailStart] = undefined;
      this.#tailStart++;
      this.#tailUsed -= dropped.text.length + 1;
      this.#droppedLines++;
      this.#droppedChars += dropped.text.length + 1;
    }
    // The ring as an array and a start index: shift() would move every kept line for each dropped one.
    if (this.#tailStart > 1024 && this.#tailStart * 2 > this.#tail.length) {
      this.#tail = this.#tail.slice(this.#tailStart);
      this.#tailStart = 0;
    }
  }
}

/**
 * `log` with each line's text passed through `mask`: a step's own secret outputs are known only once it has
 * ended, after its lines were captured (SPEC §8.3, §11), so they are masked again before the log is kept.
 */
export function maskOutputLog(log: OutputLog, mask: (text: string) => string): OutputLog {
  return { ...log, lines: log.lines.map((line) => ({ ...line, text: mask(line.text) })) };
}
