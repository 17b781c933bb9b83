import type { Readable } from 'node:stream';

/**
 * Reads an input stream line by line for a sequence of questions. One reader is shared by every question of a
 * run because piped answers arrive all at once: lines that come before they are asked for wait in a buffer.
 */
export class LineReader {
  private readonly lines: string[] = [];
  private partial = '';
  private ended = false;
  private attached = false;
  private waiter: ((line: string | null) => void) | undefined;

  constructor(private readonly input: Readable) {}

  /** Starts reading (idempotent); called at the first question unless started earlier. */
  start(): void {
    if (this.attached) {
      return;
    }
    this.attached = true;
    this.input.setEncoding('utf8');
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
    this.input.on('error', this.onEnd);
    this.input.on('close', this.onEnd);
    this.input.resume();
  }

  /**
   * The next line without its line break, or null once the input has ended (or `signal` was aborted while
   * waiting: an interrupted question gets no answer).
   */
  next(signal?: AbortSignal): Promise<string | null> {
    this.start();
    if (signal?.aborted) {
      return Promise.resolve(null);
    }
    const line = this.lines.shift();
    if (line !== undefined) {
      return Promise.resolve(line);
    }
    if (this.ended) {
      return Promise.resolve(null);
    }
    if (this.waiter !== undefined) {
      return Promise.reject(new Error('LineReader.next() called while a line is already awaited'));
    }
    return new Promise((resolve) => {
      const onAbort = () => {
        if (this.waiter === settle) {
          this.waiter = undefined;
        }
        resolve(null);
      };
      const settle = (line: string | null) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(line);
      };
      this.waiter = settle;
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Stops reading so that an open pipe does not keep the process alive; a pending `next()` gets null. */
  close(): void {
    if (this.attached) {
      this.input.off('data', this.onData);
      this.input.off('end', this.onEnd);
      this.input.off('error', this.onEnd);
      this.input.off('close', this.onEnd);
      this.input.pause();
      this.attached = false;
    }
    this.ended = true;
    this.lines.length = 0;
    this.deliver(null);
  }

  private readonly onData = (chunk: string | Buffer): void => {
    const text = this.partial + chunk.toString();
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const part of parts) {
      this.push(part.endsWith('\r') ? part.slice(0, -1) : part);
    }
  };

  private readonly onEnd = (): void => {
    if (this.ended) {
      return;
    }
    // A last line without a line break still counts as an answer.
    if (this.partial !== '') {
      this.push(this.partial);
      this.partial = '';
    }
    this.ended = true;
    if (this.lines.length === 0) {
      this.deliver(null);
    }
  };

  private push(line: string): void {
    if (this.waiter !== undefined) {
      this.deliver(line);
    } else {
      this.lines.push(line);
    }
  }

  private deliver(line: string | null): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(line);
  }
}
