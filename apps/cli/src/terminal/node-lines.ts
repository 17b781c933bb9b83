import { type OutputEvent, ownString } from '@playbook/engine';

/**
 * The longest piece of a line kept back waiting for its end: a step that prints megabytes without a line feed
 * is shown in pieces this long rather than held in memory whole.
 */
const MAX_OPEN_LINE = 64 * 1024;

/**
 * Cuts the output of nodes running together into whole lines, each handed on with the node it came from
 * (SPEC §9.1): a command's chunks may end anywhere, so the rest of a line waits, per node and stream, for its
 * line feed — or for the node's end (`flush`). No line of one node is ever cut by a line of another.
 */
export class NodeLines {
  readonly #open = new Map<string, string>();

  /** The whole lines `chunk` completes, without their line feeds. `wholeLines`: a chunk is a line (a Function's logger). */
  write(nodeId: string, stream: OutputEvent['stream'], chunk: string, wholeLines: boolean): string[] {
    const key = `${stream}:${nodeId}`;
    const text = (this.#open.get(key) ?? '') + chunk;
    const lines = text.split('\n');
    let last = lines.pop() ?? '';
    if (wholeLines && last !== '') {
      lines.push(last);
      last = '';
    }
    if (last.length > MAX_OPEN_LINE) {
      lines.push(last);
      last = '';
    }
    if (last === '') this.#open.delete(key);
    // Waits for the next chunk: a copy, so that this chunk's text can go (see ownString).
    else this.#open.set(key, ownString(last));
    return lines;
  }

  /** What a node left without a line feed, per stream, once it has ended. */
  flush(nodeId: string): { readonly stream: OutputEvent['stream']; readonly line: string }[] {
    const left: { stream: OutputEvent['stream']; line: string }[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      const key = `${stream}:${nodeId}`;
      const line = this.#open.get(key);
      if (line === undefined) continue;
      this.#open.delete(key);
      left.push({ stream, line });
    }
    return left;
  }
}
