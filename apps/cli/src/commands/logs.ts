import type { AttemptRecord, OutputLogLine } from '@playbook/engine';
import { Command, Option } from '../clipanion.js';
import { CliError, ExitCode } from '../errors.js';
import { RunReadingCommand } from '../history-command.js';
import { parsePositiveInteger, parseRunId } from '../run-id.js';
import { visible, visibleLine } from '../terminal/visible.js';

/** The lines of a stored stream; a final line break ends the last line rather than starting an empty one. */
function splitLines(text: string | null): string[] {
  if (text === null || text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * An attempt's captured lines in the order they arrived, with their times; for rows written before Playbook
 * kept that order, stdout's lines, then stderr's, timed by the attempt's start.
 */
function attemptLines(attempt: AttemptRecord): OutputLogLine[] {
  const log = attempt.outputLog;
  if (log != null) {
    const lines: OutputLogLine[] = [...log.lines];
    if (log.dropped !== null) {
      const { afterLine, lines: count, chars } = log.dropped;
      const time = log.lines[afterLine - 1]?.time ?? attempt.startTime;
      lines.splice(afterLine, 0, {
        stream: 'stdout',
        time,
        text: `…[${count} lines (${chars} characters) dropped]…`,
      });
    }
    return lines;
  }
  const lines: OutputLogLine[] = [];
  for (const text of splitLines(attempt.stdout))
    lines.push({ stream: 'stdout', time: attempt.startTime, text });
  for (const text of splitLines(attempt.stderr))
    lines.push({ stream: 'stderr', time: attempt.startTime, text });
  return lines;
}

/** `playbook logs <workflow>`: the captured output of a run. */
export class LogsCommand extends RunReadingCommand {
  static override paths = [['logs']];

  static override usage = Command.Usage({
    description: "Print a run's captured output",
    details: `
      Prints the output the run captured of each step, stdout and stderr lines in the order they arrived,
      attempt by attempt in the order the attempts started: by default the newest run, every node, each
      node's latest attempt. \`--node\` keeps one node; \`--attempt\` picks that attempt (of the node, or of
      every node that has one). A header line \`== <node> · attempt <n> · <status> ==\` starts each attempt.

      \`--timestamps\` starts each line with the time it arrived and its stream (\`stdout\` or \`stderr\`).
      Attempts recorded by a Playbook that did not keep that order show stdout's lines, then stderr's, each
      with the attempt's start time.

      Control characters in the output are shown (ESC as \`␛\`), never acted on. Captured output is bounded
      (\`max_output_bytes\` per stream): a long output shows its first and last lines around one saying how
      many were dropped.
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
    const { attempts, shownRun } = await this.withRun(this.workflow, runId, async (state) => {
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
        // The attempts there are, so the operator sees at once which number to ask for.
        const numbers = [...new Set(ofNode.map((a) => a.attempt))].sort((a, b) => a - b);
        const known = numbers.length === 0 ? 'none yet' : numbers.join(', ');
        const where =
          this.node === undefined
            ? `no step has an attempt ${attempt} (attempts: ${known})`
            : `node "${this.node}" has no attempt ${attempt} (its attempts: ${known})`;
        throw new CliError(`run ${state.run.runId} of "${this.workflow}": ${where}`);
      }
      return { attempts: chosen, shownRun: state.run.runId };
    });
    // Nothing to print is said, rather than an empty answer an operator cannot tell from a lost log.
    if (attempts.length === 0) {
      const what =
        this.node === undefined
          ? `no step of run ${shownRun} has an attempt yet`
          : `step "${visibleLine(this.node)}" has no attempt in run ${shownRun} yet`;
      this.context.stderr.write(`${what}: nothing was captured\n`);
    }
    for (const record of attempts) this.printAttempt(record);
    return ExitCode.ok;
  }

  private printAttempt(attempt: AttemptRecord): void {
    const header = `== ${attempt.nodeId} · attempt ${attempt.attempt} · ${attempt.status} ==`;
    this.context.stdout.write(`${this.style('bold', visibleLine(header))}\n`);
    const lines = attemptLines(attempt);
    let out = '';
    for (const line of lines) {
      const prefix = this.timestamps ? `${line.time} ${line.stream} ` : '';
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
