import type { Writable } from 'node:stream';
import type {
  EngineEvent,
  NodeFinishedEvent,
  NodeStartedEvent,
  OutputEvent,
  RetryWaitEvent,
  RunFinishedEvent,
  RunStartedEvent,
} from '@playbook/engine';
import { runbookChangesText } from '../format/runbook-changes.js';
import { staleRunNote } from '../stale-run-note.js';
import type { Colors } from './colors.js';
import { formatDuration, formatElapsed, type Mark, nodeLabel, statusSymbol, wordList } from './format.js';
import { HeldText } from './held-text.js';
import { NodeLines } from './node-lines.js';
import { visibleLine, visibleStrings } from './visible.js';
import { displayWidth, truncateToWidth } from './width.js';

export interface RendererOptions {
  /** Where the run is told: stdout. Prompts are written to the same stream, so everything stays in order. */
  readonly output: Writable;
  /** Where notes beside the run go (stderr, as `show` and `info` write theirs): stdout starts with the run id. */
  readonly notes: Writable;
  /** Print `still running: <name> (5m00s)` at each heartbeat event: when the run view is not a terminal. */
  readonly heartbeat?: boolean;
  /** Where the running clock is drawn (stderr); null for none, as whenever stderr is not a terminal. */
  readonly clock: Writable | null;
  readonly colors: Colors;
  /** The command line that resumes a run, shown in the summary of a run that did not end ok. */
  readonly resumeCommand: (runId: number) => string;
  /** Each node's name by id (the runbook's), for the lines that only have ids: kept, changed, not run. */
  readonly nodeNames?: ReadonlyMap<string, string>;
  /** Milliseconds since some epoch; injectable for tests. */
  readonly now?: () => number;
  /** How long a command or function runs before the clock appears. */
  readonly clockDelayMs?: number;
  /**
   * Steps may run together (`--concurrency` above 1, SPEC §9.1): output is shown as whole lines prefixed with
   * the step's name, the clock shows every running step, and nothing is printed while a question waits.
   */
  readonly parallel?: boolean;
}

interface CurrentNode {
  readonly id: string;
  readonly name: string;
  readonly kind: NodeStartedEvent['kind'];
  readonly startedAt: number;
}

const GUTTER = '  │ ';
const CLEAR_LINE = '\r\x1b[2K';
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** How many steps the summary of a run names as not run before it only counts the rest. */
const NOT_RUN_SHOWN = 10;

/**
 * Tells the operator what a run does, from engine events: the run id first, each attempt's start and end,
 * command output live behind a gutter, and a summary that says what failed and how to resume.
 */
export class Renderer {
  private readonly now: () => number;
  private plan: readonly string[] = [];
  /** Position of each node in the plan, from 1 (a map: a runbook may have 100,000 nodes). */
  private positions = new Map<string, number>();
  /** Nodes kept from an earlier session or with an attempt finished in this one: the others did not run. */
  private readonly ran = new Set<string>();
  private current: CurrentNode | undefined;
  /** Whether the last output chunk left its line open, and from which stream. */
  private openLine: OutputEvent['stream'] | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;
  private clockShown = false;
  /** While an automatic retry waits: the clock line counts down to it instead. */
  private countdown: { readonly name: string; readonly until: number } | undefined;
  private frame = 0;
  /** With `parallel`: every step running now, by id. */
  private readonly running = new Map<string, CurrentNode>();
  private readonly lines = new NodeLines();
  /** With `parallel`, while a question waits: what would have been printed over it. */
  private held: HeldText | undefined;

  constructor(private readonly options: RendererOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Handles one engine event; pass it as `onEvent`. */
  readonly handle = (raw: EngineEvent): void => {
    // What an event says comes from the runbook file or the history (titles, names, reasons quoting them): made
    // visible at the door, field by field, so no line below can pass a control character on. Live output is the
    // operator's own command on the operator's own terminal: it stays raw (SPEC §11).
    const event = raw.type === 'output' ? raw : visibleStrings(raw);
    switch (event.type) {
      case 'stale-run-recovered':
        this.settle();
        // Plain, as `show` and `info` write it: the colours given here are stdout's.
        this.options.notes.write(`${staleRunNote(event)}\n`);
        return;
      case 'run-started':
        this.runStarted(event);
        return;
      case 'node-started':
        this.nodeStarted(event);
        return;
      case 'output':
        this.outputChunk(event);
        return;
      case 'node-finished':
        this.nodeFinished(event);
        return;
      case 'node-blocked':
        this.settle();
        this.write(
          `${statusSymbol('stopped', this.options.colors)} ${nodeLabel(event.name, event.nodeId, this.options.colors)} ` +
            `${this.options.colors.dim(`blocked: depends on ${event.blockedBy}, which ended nok`)}\n`,
        );
        return;
      case 'prompt':
        // A question comes next: it must start on a clean line with no clock drawn over it, and no step running
        // beside it may print over it until it is answered.
        this.settle();
        this.holdOutput();
        return;
      case 'run-finished':
        this.runFinished(event);
        return;
      case 'heartbeat':
        // A terminal has the live clock; a log gets a line now and then, so CI shows life (SPEC §9.5).
        if (this.options.heartbeat === true) {
          this.settle();
          this.write(`still running: ${event.name} (${formatElapsed(event.elapsedMs)})\n`);
        }
        return;
      case 'retry-wait':
        this.retryWait(event);
        return;
      case 'run-aborting': {
        this.settle();
        const how =
          event.cause === 'interrupted'
            ? 'press Ctrl-C again to skip them'
            : 'press Ctrl-C, or answer abort again, to skip them';
        this.write(
          `${this.options.colors.yellow('!')} Aborting: the rollback and cleanup steps whose dependencies have ended ` +
            `still run (${event.steps.map((id) => this.label(id)).join(', ')}); ${how}\n`,
        );
        return;
      }
      case 'overdue':
        this.settle();
        this.write(
          `${this.options.colors.yellow('!')} ${nodeLabel(event.name, event.nodeId, this.options.colors)} ` +
            `is overdue: expected ${formatDuration(event.expectedSeconds * 1000)}, running ${formatDuration(event.elapsedMs)}\n`,
        );
        return;
      case 'waiting':
        this.settle();
        this.write(
          `${statusSymbol('pending', this.options.colors)} ${nodeLabel(event.name, event.nodeId, this.options.colors)} waits for an approval\n`,
        );
        return;
      case 'error':
        // Drawing failed once (the engine reports only the first): the run is recorded as usual.
        this.settle();
        this.options.notes.write(`warning: showing the run failed at ${event.eventType}: ${event.message}\n`);
        return;
    }
  };

  /** Ends an open output line and removes the clock; call before writing anything else to the terminal. */
  settle(): void {
    this.stopClock();
    if (this.openLine !== null) {
      this.options.output.write('\n');
      this.openLine = null;
    }
  }

  private runStarted(event: RunStartedEvent): void {
    const { colors } = this.options;
    this.plan = event.plan;
    this.positions = new Map(event.plan.map((id, index) => [id, index + 1]));
    for (const node of event.kept) this.ran.add(node.nodeId);
    const verb = event.trigger === 'resume' ? 'resumed' : 'started';
    const steps = `${event.plan.length} step${event.plan.length === 1 ? '' : 's'}`;
    const kept = event.kept.length > 0 ? `, ${event.kept.length} kept` : '';
    this.write(
      `${colors.bold(`Run ${event.runId}`)} of "${event.workflow}" ${verb} ${colors.dim(`· ${steps}${kept}`)}\n`,
    );
    for (const node of event.kept) {
      const mark: Mark = node.status === 'ok' || node.status === 'skipped' ? node.status : 'pending';
      this.write(
        `${statusSymbol(mark, colors)} ${this.label(node.nodeId)} ${colors.dim(`kept (${node.status})`)}\n`,
      );
    }
    if (event.changes !== undefined) {
      // Which steps changed is known when the history kept the runbook the run started with.
      this.write(runbookChangesText(event.changes, (id) => this.label(id), colors));
    }
  }

  private nodeStarted(event: NodeStartedEvent): void {
    const { colors } = this.options;
    this.settle();
    this.current = { id: event.nodeId, name: event.name, kind: event.kind, startedAt: this.now() };
    if (this.options.parallel === true) this.running.set(event.nodeId, this.current);
    const detail = `${event.kind}${event.attempt > 1 ? ` · attempt ${event.attempt}` : ''}`;
    const position = this.positions.get(event.nodeId);
    const where = position === undefined ? '' : `${colors.dim(`[${position}/${this.plan.length}]`)} `;
    this.write(
      `${colors.cyan('›')} ${where}${nodeLabel(event.name, event.nodeId, colors)} ${colors.dim(detail)}\n`,
    );
    // SPEC §2.3: a node's description is shown before it runs, whatever its kind.
    for (const line of event.description?.trim().split(/\r?\n/) ?? []) {
      this.write(`  ${colors.dim(line)}\n`);
    }
    if (event.kind !== 'Manual') {
      this.startClock();
    }
    this.resumeClock();
  }

  /** An automatic retry is coming: one line, and on a terminal a countdown until it starts. */
  private retryWait(event: RetryWaitEvent): void {
    const { colors } = this.options;
    this.settle();
    const wait = event.delayMs > 0 ? ` in ${formatDuration(event.delayMs)}` : '';
    this.write(
      `${colors.yellow('↻')} ${nodeLabel(event.name, event.nodeId, colors)} ` +
        `${colors.dim(`retrying automatically${wait} (try ${event.nextTry} of ${event.tries})`)}\n`,
    );
    if (event.delayMs > 0) {
      this.startClock();
      this.countdown = { name: event.name, until: this.now() + event.delayMs };
    }
  }

  private outputChunk(event: OutputEvent): void {
    const { output, colors } = this.options;
    if (this.options.parallel === true) {
      this.parallelOutput(event);
      return;
    }
    this.stopClockDrawing();
    if (event.chunk === '') {
      return;
    }
    const gutter = event.stream === 'stderr' ? colors.red(GUTTER) : colors.dim(GUTTER);
    // A function's logger sends whole lines; a command's chunks may split lines anywhere.
    const chunk =
      this.current?.kind === 'Function' && !event.chunk.endsWith('\n') ? `${event.chunk}\n` : event.chunk;
    let text = '';
    if (this.openLine !== null && this.openLine !== event.stream) {
      text += '\n';
      this.openLine = null;
    }
    const lines = chunk.split('\n');
    const last = lines.pop() ?? '';
    for (const line of lines) {
      text += this.openLine === null ? `${gutter}${line}\n` : `${line}\n`;
      this.openLine = null;
    }
    if (last !== '') {
      text += this.openLine === null ? `${gutter}${last}` : last;
      this.openLine = event.stream;
    }
    output.write(text);
  }

  /** Steps running together: each whole line of output with the step's name before it. */
  private parallelOutput(event: OutputEvent): void {
    if (event.chunk === '') return;
    const kind = this.running.get(event.nodeId)?.kind;
    const lines = this.lines.write(event.nodeId, event.stream, event.chunk, kind === 'Function');
    if (lines.length > 0) this.write(this.prefixed(event.nodeId, event.stream, lines));
  }

  private prefixed(nodeId: string, stream: OutputEvent['stream'], lines: readonly string[]): string {
    const { colors } = this.options;
    const name = this.running.get(nodeId)?.name ?? this.options.nodeNames?.get(nodeId) ?? nodeId;
    const gutter = stream === 'stderr' ? colors.red(' │ ') : colors.dim(' │ ');
    const prefix = `  ${colors.dim(visibleLine(name))}${gutter}`;
    let text = '';
    for (const line of lines) text += `${prefix}${line}\n`;
    return text;
  }

  /** A question is asked: until `answered`, nothing is printed (with `parallel`; otherwise nothing runs). */
  holdOutput(): void {
    if (this.options.parallel === true) this.held ??= new HeldText();
  }

  /** The question is answered: what was held back is shown now. */
  answered(): void {
    const held = this.held;
    if (held === undefined) return;
    this.held = undefined;
    const text = held.take();
    if (text !== '') this.write(text);
    this.resumeClock();
  }

  private nodeFinished(event: NodeFinishedEvent): void {
    const { colors } = this.options;
    if (this.options.parallel === true) {
      // What the step printed last without a line feed ends its lines now.
      for (const { stream, line } of this.lines.flush(event.nodeId)) {
        this.write(this.prefixed(event.nodeId, stream, [line]));
      }
      this.running.delete(event.nodeId);
    }
    this.settle();
    this.current = undefined;
    this.ran.add(event.nodeId);
    const interrupted = event.operatorDecision === 'interrupted';
    const mark: Mark = interrupted ? 'stopped' : event.status;
    const word = interrupted ? 'interrupted' : event.status;
    const colored =
      mark === 'ok'
        ? colors.green(word)
        : mark === 'nok'
          ? colors.red(word)
          : mark === 'skipped'
            ? colors.yellow(word)
            : colors.magenta(word);
    const facts = [`attempt ${event.attempt}`, formatDuration(event.durationMs)];
    const saysStatus =
      event.operatorDecision === event.status ||
      (event.operatorDecision === 'skip' && event.status === 'skipped');
    if (event.operatorDecision !== null && !interrupted && !saysStatus) {
      facts.push(`decision: ${event.operatorDecision}`);
    }
    let line = `${statusSymbol(mark, colors)} ${nodeLabel(event.name, event.nodeId, colors)} ${colored} ${colors.dim(`· ${facts.join(' · ')}`)}`;
    if (event.status === 'nok' && event.reason !== null && !interrupted) {
      line += `\n  ${colors.red(event.reason)}`;
    }
    this.write(`${line}\n`);
    this.resumeClock();
  }

  /** With `parallel`: the clock goes on while any command or function still runs. */
  private resumeClock(): void {
    if (this.options.parallel !== true || this.timer !== undefined || this.held !== undefined) return;
    for (const node of this.running.values()) {
      if (node.kind !== 'Manual') {
        this.startClock();
        return;
      }
    }
  }

  private runFinished(event: RunFinishedEvent): void {
    const { colors } = this.options;
    this.answered();
    this.settle();
    const { ok, nok, skipped } = event.counts;
    const notRun = Math.max(0, this.plan.length - ok - nok - skipped);
    const counts = [
      `${ok} ok`,
      `${nok} nok`,
      `${skipped} skipped`,
      ...(notRun > 0 ? [`${notRun} not run`] : []),
    ];
    const mark: Mark =
      event.status === 'aborted' ? 'stopped' : event.status === 'waiting' ? 'pending' : event.status;
    const status =
      event.status === 'ok'
        ? colors.green('ok')
        : event.status === 'nok'
          ? colors.red('nok')
          : event.status === 'waiting'
            ? colors.yellow('waiting for an approval')
            : colors.magenta('aborted');
    this.write(
      `\n${statusSymbol(mark, colors)} ${colors.bold(`Run ${event.runId}`)} of "${event.workflow}" ended ${status} ` +
        `after ${formatDuration(event.durationMs)} ${colors.dim('·')} ${counts.join(', ')}\n`,
    );
    if (event.stopped.length > 1) {
      // Steps running together, all stopped (SPEC §9.1): each is named, in the runbook's order.
      const labels = event.stopped.map((step) => nodeLabel(step.name, step.nodeId, colors));
      const reasons = new Set(event.stopped.map((step) => step.reason));
      const text =
        reasons.size === 1
          ? `${wordList(labels)} — ${event.stopped[0]?.reason}`
          : wordList(event.stopped.map((step, i) => `${labels[i]} (${step.reason})`));
      this.write(`  Stopped at: ${text}\n`);
    } else if (event.failed !== null) {
      const label = event.status === 'aborted' ? 'Stopped at' : 'Failed';
      this.write(
        `  ${label}: ${nodeLabel(event.failed.name, event.failed.nodeId, colors)} — ${event.failed.reason}\n`,
      );
    }
    if (event.status !== 'ok' && event.status !== 'waiting') {
      const notRun = this.plan.filter((id) => !this.ran.has(id));
      if (notRun.length > 0) {
        const shown = notRun.slice(0, NOT_RUN_SHOWN).map((id) => this.label(id));
        const more = notRun.length - shown.length;
        this.write(`  Not run: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}\n`);
      }
      this.write(`  Resume with: ${colors.cyan(this.options.resumeCommand(event.runId))}\n`);
    }
  }

  /** A node as the run view names it: its name (shown, never acted on), then its id when they differ. */
  private label(nodeId: string): string {
    const name = this.options.nodeNames?.get(nodeId);
    return nodeLabel(name === undefined ? nodeId : visibleLine(name), nodeId, this.options.colors);
  }

  /**
   * The names of the steps running now, in the runbook's order (shown, never acted on): what an interrupt is
   * about to stop.
   */
  runningNames(): string[] {
    if (this.options.parallel !== true) return this.current === undefined ? [] : [this.current.name];
    if (this.running.size === 0) return [];
    const names: string[] = [];
    for (const id of this.options.nodeNames?.keys() ?? this.running.keys()) {
      const node = this.running.get(id);
      if (node !== undefined) names.push(node.name);
    }
    return names;
  }

  /** Stops every timer and ends an open line; call when the run is over, however it ended. */
  dispose(): void {
    this.answered();
    this.settle();
  }

  private write(text: string): void {
    if (this.held !== undefined) {
      this.held.add(text);
      return;
    }
    this.stopClockDrawing();
    this.options.output.write(text);
  }

  private startClock(): void {
    this.stopClock();
    if (this.options.clock === null) {
      return;
    }
    const timer = setInterval(() => this.tick(), 100);
    timer.unref();
    this.timer = timer;
  }

  private tick(): void {
    const clock = this.options.clock;
    if (clock !== null && this.countdown !== undefined && this.openLine === null) {
      const left = Math.max(0, Math.ceil((this.countdown.until - this.now()) / 1000));
      clock.write(
        `${CLEAR_LINE}${this.options.colors.dim(`↻ ${this.countdown.name}: retrying in ${left}s`)}`,
      );
      this.clockShown = true;
      return;
    }
    if (clock !== null && this.options.parallel === true) {
      this.tickAll(clock);
      return;
    }
    const current = this.current;
    if (clock === null || current === undefined || this.openLine !== null) {
      return;
    }
    const elapsed = this.now() - current.startedAt;
    if (elapsed < (this.options.clockDelayMs ?? 1000)) {
      return;
    }
    this.frame = (this.frame + 1) % SPINNER.length;
    const spinner = SPINNER[this.frame] ?? '';
    const seconds = `${Math.floor(elapsed / 1000)}s`;
    // One row at most: a clock that wrapped would leave its first row behind at every redraw.
    const columns = (clock as { readonly columns?: number }).columns;
    const room =
      columns === undefined ? Number.POSITIVE_INFINITY : columns - 1 - displayWidth(`${spinner}  ${seconds}`);
    const text = `${spinner} ${truncateToWidth(current.name, Math.max(1, room))} ${seconds}`;
    clock.write(`${CLEAR_LINE}${this.options.colors.dim(text)}`);
    this.clockShown = true;
  }

  /** With `parallel`: one clock line naming every running command or function with its time. */
  private tickAll(clock: Writable): void {
    if (this.held !== undefined) return;
    const now = this.now();
    const delay = this.options.clockDelayMs ?? 1000;
    const parts: string[] = [];
    for (const node of this.running.values()) {
      const elapsed = now - node.startedAt;
      if (node.kind === 'Manual' || elapsed < delay) continue;
      parts.push(`${node.name} ${Math.floor(elapsed / 1000)}s`);
    }
    if (parts.length === 0) {
      this.stopClockDrawing();
      return;
    }
    this.frame = (this.frame + 1) % SPINNER.length;
    const spinner = SPINNER[this.frame] ?? '';
    const columns = (clock as { readonly columns?: number }).columns;
    const room = columns === undefined ? Number.POSITIVE_INFINITY : columns - 1 - displayWidth(`${spinner} `);
    const text = `${spinner} ${truncateToWidth(parts.join(' · '), Math.max(1, room))}`;
    clock.write(`${CLEAR_LINE}${this.options.colors.dim(text)}`);
    this.clockShown = true;
  }

  /** Erases the clock line without stopping the clock (output may be followed by more waiting). */
  private stopClockDrawing(): void {
    if (this.clockShown) {
      this.options.clock?.write(CLEAR_LINE);
      this.clockShown = false;
    }
  }

  private stopClock(): void {
    this.countdown = undefined;
    if (this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.stopClockDrawing();
  }
}
