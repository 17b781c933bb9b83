import type { AttemptRecord } from '@playbook/engine';
import { Command, Option } from '../clipanion.js';
import { CliError, ExitCode } from '../errors.js';
import { RunReadingCommand } from '../history-command.js';
import { parsePositiveInteger, parseRunId } from '../run-id.js';
import { visible, visibleLine } from '../terminal/visible.js';

/** One captured line, with its stream and, when the history recorded it, its time. */
interface LogLine {
  readonly stream: 'stdout' | 'stderr';
  readonly time: string | null;
  readonly text: string;
}

/** The lines of a stored stream; a final line break ends the last line rather than starting an empty one. */
function splitLines(text: string | null): string[] {
  if (text === null || text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** An attempt's captured lines: stdout's, then stderr's (the history keeps the two streams apart). */
function attemptLines(attempt: AttemptRecord): LogLine[] {
  const lines: LogLine[] = [];
  for (const text of splitLines(attempt.stdout)) lines.push({ stream: 'stdout', time: null, text });
  for (const text of splitLines(attempt.stderr)) lines.push({ stream: 'stderr', time: null, text });
  return lines;
}

/** `playbook logs <workflow>`: the captured output of a run. */
export class LogsCommand extends RunReadingCommand {
  static override paths = [['logs']];

  static override usage = Command.Usage({
    description: "Print a run's captured output",
    details: `
      Prints the output the run captured of each step, attempt by attempt in the order they started: by
      default the newest run, every node, each node's latest attempt. \`--node\` keeps one node;
      \`--attempt\` picks that attempt (of the node, or of every node that has one). A header line
      \`== <node> · attempt <n> · <status> ==\` starts each attempt's output.

      \`--timestamps\` starts each line with its time and its stream (\`stdout\` or \`stderr\`).

      Control characters in the output are shown (ESC as \`␛\`), never acted on. Captured output is bounded
      (\`max_output_bytes\` per stream): a long output shows its head and tail around a line saying how much
      was dropped.
    `,
    examples: [
      ['The newest run of "Deploy"', '$0 logs Deploy'],
      [
        'The first attempt of node cdn_warm in run 3, with times',
        '$0 logs Deploy --run-id 3 --node cdn_warm --attempt 1 --timestamps',
      ],
    ],
  });

  workflow = Option.String({ name: 'workflow' });

  runId = Option.String('--run-id', { description: 'Print this run (default: the newest)' });

  node = Option.String('--node', { description: 'Only this node' });

  attempt = Option.String('--attempt', { description: 'This attempt (default: the latest of each node)' });

  timestamps = Option.Boolean('--timestamps', false, {
    description: 'Start each line with its time and stream',
  });

  override async execute(): Promise<number> {
    const runId = this.runId === undefined ? undefined : parseRunId(this.runId);
    const attempt =
      this.attempt === undefined
        ? undefined
        : parsePositiveInteger(this.attempt, '--attempt', 'attempt number');
    const attempts = await this.withRun(this.workflow, runId, async (state) => {
      const { nodeIds } = state.run;
      const ofNode =
        this.node === undefined ? state.attempts : state.attempts.filter((a) => a.nodeId === this.node);
      if (this.node !== undefined && ofNode.length === 0 && !nodeIds.includes(this.node)) {
        throw new CliError(
          `run ${state.run.runId} of "${this.workflow}" has no node "${this.node}" (its nodes: ${nodeIds.join(', ')})`,
        );
      }
      const chosen =
        attempt === undefined ? latestOfEachNode(ofNode) : ofNode.filter((a) => a.attempt === attempt);
      if (attempt !== undefined && chosen.length === 0) {
        const where = this.node === undefined ? 'no node' : `node "${this.node}"`;
        throw new CliError(
          `run ${state.run.runId} of "${this.workflow}": ${where} has an attempt ${attempt}`,
        );
      }
      return chosen;
    });
    for (const record of attempts) this.printAttempt(record);
    return ExitCode.ok;
  }

  private printAttempt(attempt: AttemptRecord): void {
    const header = `== ${attempt.nodeId} · attempt ${attempt.attempt} · ${attempt.status} ==`;
    this.context.stdout.write(`${this.style('bold', visibleLine(header))}\n`);
    const lines = attemptLines(attempt);
    let out = '';
    for (const line of lines) {
      const prefix = this.timestamps ? `${line.time ?? attempt.startTime} ${line.stream} ` : '';
      out += `${prefix}${visible(line.text)}\n`;
      // Written in pieces: a stored stream can be megabytes.
      if (out.length > 65_536) {
        this.context.stdout.write(out);
        out = '';
      }
    }
    this.context.stdout.write(out);
  }
}

/** Each node's latest attempt, in the order those attempts started. */
function latestOfEachNode(attempts: readonly AttemptRecord[]): AttemptRecord[] {
  const latest = new Map<string, AttemptRecord>();
  for (const attempt of attempts) {
    const seen = latest.get(attempt.nodeId);
    if (seen === undefined || attempt.attempt > seen.attempt) latest.set(attempt.nodeId, attempt);
  }
  return attempts.filter((attempt) => latest.get(attempt.nodeId) === attempt);
}
