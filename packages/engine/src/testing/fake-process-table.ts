import type { ProcessTable } from '../ports/process-runner.js';

/** A `ProcessTable` over a set of live pids and process groups; `killGroup` removes the group and records it. */
export class FakeProcessTable implements ProcessTable {
  readonly host: string;
  readonly pid: number;
  /** Every `killGroup` call, in order. */
  readonly killed: { processGroup: number; graceMs: number }[] = [];
  /** Pids and process groups currently alive. */
  readonly alive: Set<number>;

  constructor(options: { host?: string; pid?: number; alive?: Iterable<number> } = {}) {
    this.host = options.host ?? 'test-host';
    this.pid = options.pid ?? 4242;
    this.alive = new Set(options.alive ?? []);
  }

  isAlive(pid: number): boolean {
    return pid === this.pid || this.alive.has(pid);
  }

  async killGroup(processGroup: number, graceMs: number): Promise<void> {
    this.killed.push({ processGroup, graceMs });
    this.alive.delete(processGroup);
  }
}
