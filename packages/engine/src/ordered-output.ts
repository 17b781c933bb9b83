import type { OutputLog, OutputLogLine } from '@playbook/domain';
import { OutputTail } from './output-tail.js';
import type { OutputStream } from './ports/process-runner.js';
import { ownString } from './string-pieces.js';

interface PendingLine {
  text: string;
  time: string;
}

/**
 * Consecutive lines of one stream that arrived at the same time, kept as the one string they came in (joined by
 * line feeds, without the last one). A program printing short lines makes hundreds of them per chunk: one object
 * per line reached V8's old generation and made the heap grow with the output rate (four steps printing 25 MB
 * each: +88 MiB). The head keeps these; the tail keeps its blocks off the heap (`OutputTail`).
 */
interface LineBlock {
  readonly stream: OutputStream;
  readonly time: string;
  readonly text: string;
  readonly lines: number;
}

/**
 * The lines of both streams of an attempt in the order they arrived, each with the time its first character
 * came (SPEC §10.1), bounded like the per-stream capture: past `maxChars` characters of line text, the first
 * half and the last half are kept and the lines in between are counted, not stored. A line longer than a
 * quarter of the budget (output without line breaks) is cut into pieces of that size, so memory stays flat
 * however a program writes. Lines are split into objects only by `log`, once.
 */
export class OrderedOutput {
  readonly #headChars: number;
  readonly #maxLineChars: number;
  readonly #head: LineBlock[] = [];
  #headLines = 0;
  #headUsed = 0;
  #headFull = false;
  readonly #tail: OutputTail;
  readonly #partial: Record<OutputStream, PendingLine> = {
    stdout: { text: '', time: '' },
    stderr: { text: '', time: '' },
  };

  constructor(maxChars: number) {
    this.#headChars = Math.floor(maxChars / 2);
    this.#tail = new OutputTail(maxChars - this.#headChars);
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
        this.#keep(stream, partial.time, partial.text + text.slice(start, start + room), 1);
        partial.text = '';
        start += room;
        continue;
      }
      if (partial.text !== '' || newline < 0) {
        // The start of a line waits for the next write: a copy, so that this write's text can go.
        partial.text += newline < 0 && start > 0 ? ownString(text.slice(start, end)) : text.slice(start, end);
        if (newline < 0) break;
        this.#keep(stream, partial.time, partial.text, 1);
        partial.text = '';
        start = newline + 1;
        continue;
      }
      // A whole line from here: it and the whole lines after it within the limit are kept as one block.
      let last = newline;
      let lines = 1;
      for (;;) {
        const next = text.indexOf('\n', last + 1);
        if (next < 0 || next - (last + 1) >= this.#maxLineChars) break;
        last = next;
        lines++;
      }
      this.#keep(stream, time, text.slice(start, last), lines);
      start = last + 1;
    }
  }

  /** Keeps what each stream wrote after its last line break, as a last line. */
  end(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const partial = this.#partial[stream];
      if (partial.text === '') continue;
      this.#keep(stream, partial.time, partial.text, 1);
      partial.text = '';
    }
  }

  /** The kept lines, and how many lines were dropped between head and tail (call after `end`). */
  log(): OutputLog {
    const lines: OutputLogLine[] = [];
    const expand = (block: LineBlock) => {
      const texts = block.lines === 1 ? [block.text] : block.text.split('\n');
      for (const text of texts) lines.push({ stream: block.stream, time: block.time, text });
    };
    for (const block of this.#head) expand(block);
    for (const block of this.#tail.blocks()) expand(block);
    const tail = this.#tail;
    return {
      lines,
      dropped:
        tail.droppedLines === 0
          ? null
          : { afterLine: this.#headLines, lines: tail.droppedLines, chars: tail.droppedChars },
    };
  }

  /** Keeps `lines` lines (`text`, joined by line feeds): into the head while they fit, then into the tail. */
  #keep(stream: OutputStream, time: string, text: string, lines: number): void {
    if (!this.#headFull) {
      // Each line costs its length and its line feed; the head takes whole lines while they fit.
      let taken = 0;
      let at = 0;
      while (taken < lines) {
        const lineEnd = taken === lines - 1 ? text.length : text.indexOf('\n', at);
        const size = lineEnd - at + 1;
        if (this.#headUsed + size > this.#headChars) break;
        this.#headUsed += size;
        taken++;
        at = lineEnd + 1;
      }
      if (taken > 0) {
        // Kept for the whole attempt: a copy, not a view that would keep the whole write alive.
        const kept = ownString(taken === lines ? text : text.slice(0, at - 1));
        this.#head.push({ stream, time, text: kept, lines: taken });
        this.#headLines += taken;
      }
      if (taken === lines) return;
      this.#headFull = true;
      text = text.slice(at);
      lines -= taken;
    }
    this.#tail.push(stream, time, text, lines);
  }
}

/**
 * `log` with each line's text passed through `mask`: a step's own secret outputs are known only once it has
 * ended, after its lines were captured (SPEC §8.3, §11), so they are masked again before the log is kept.
 */
export function maskOutputLog(log: OutputLog, mask: (text: string) => string): OutputLog {
  return { ...log, lines: log.lines.map((line) => ({ ...line, text: mask(line.text) })) };
}
