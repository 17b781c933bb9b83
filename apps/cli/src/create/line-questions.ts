import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

/** Plain line-based questions on a pair of streams; `ask` resolves undefined at end of input. */
export interface LineQuestions {
  ask(question: string): Promise<string | undefined>;
  close(): void;
}

/** Questions over readline. `terminal: false`: the terminal's own line editing is enough for a few answers. */
export function lineQuestions(input: Readable, output: Writable): LineQuestions {
  const rl = createInterface({ input, terminal: false, crlfDelay: Number.POSITIVE_INFINITY });
  const lines = rl[Symbol.asyncIterator]();
  return {
    async ask(question) {
      output.write(question);
      const next = await lines.next();
      return next.done === true ? undefined : next.value;
    },
    close() {
      rl.close();
    },
  };
}
