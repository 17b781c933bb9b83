import { formatIdentity } from '@playbook/domain/text';
import type { AttemptRecord, RunRecord, RunState, SessionRecord } from '@playbook/engine';
import { BaseCommand } from '../base-command.js';
import { Command, Option } from '../clipanion.js';
import { CliError, ExitCode } from '../errors.js';
import { renderFields, renderTable } from '../format/table.js';
import { readRun } from '../read-run.js';
import { parseRunId } from '../run-id.js';
import { recoverStaleRunsForHistory } from '../stale-runs.js';
import { formatDuration } from '../terminal/format.js';
import { visibleLine } from '../terminal/visible.js';
import { unknownWorkflowError } from '../unknown-workflow.js';

/** What stands for a secret value wherever one would be shown. */
const SECRET_SHOWN = '***';

/** `playbook show <workflow>`: its runs, or one run and its attempts. */
export class ShowCommand extends BaseCommand {
  static override paths = [['show']];

  static override usage = Command.Usage({
    description: "Show a workflow's runs, or one run's attempts",
    details: `
      Without \`--run-id\`: every run of the workflow (its runbook's title), newest first, with its start,
      end, status, node counts and trigger.

      With \`--run-id\`: that run, who started it, and each attempt of each node in order: node, attempt,
      status, operator decision, who ran it, duration, start and exit code; then the results and the step outputs
      of each attempt (a secret output as \`***\`: its value is never stored), what each attempt ran (its command
      or params, working directory and the names of the environment variables set) and each session (run,
      resume, approve, reject) with its operator, host and flags. \`--json\` also includes the captured stdout
      and stderr, the result text, the exception and the outputs of each attempt.

      Identity is as claimed (\`PLAYBOOK_OPERATOR\` or config \`operator\`), with the OS user and host and, on
      PostgreSQL, the database role: only the role is more than a claim, and only when each person has their own.

      A run left \`running\` by a process that is gone (killed, a power cut) is first recorded as \`aborted\`,
      its running attempt as interrupted; a run driven by a live process, or from another host, is shown as is.
    `,
    examples: [
      ['List the runs of "Deploy"', '$0 show Deploy'],
      ['The attempts of run 3', '$0 show Deploy --run-id 3'],
      ['Run 3 with its captured output, as JSON', '$0 show Deploy --run-id 3 --json'],
    ],
  });

  workflow = Option.String({ name: 'workflow' });

  runId = Option.String('--run-id', { description: 'Show this run and its attempts' });

  json = Option.Boolean('--json', false, { description: 'Print the result as JSON (with captured output)' });

  override async execute(): Promise<number> {
    const runId = this.runId === undefined ? undefined : parseRunId(this.runId);
    const { statePath } = this.resolveConfig();
    if (!(await this.stateFileExists())) {
      throw new CliError(`no run history yet: ${statePath} does not exist`);
    }

    return this.withRepository(
      async (repository) => {
        await recoverStaleRunsForHistory({
          repository,
          openWritable: () => this.openRepository(),
          workflowName: this.workflow,
          note: (line) => this.context.stderr.write(`${line}\n`),
          clock: this.context.clock,
        });
        if (runId === undefined) {
          const runs = await repository.listRuns(this.workflow);
          if (runs.length === 0)
            throw await unknownWorkflowError(this.workflow, repository.listWorkflows(), this.stateLocation());
          if (this.json) this.printJson({ workflowName: this.workflow, runs });
          else this.printRuns(runs);
          return ExitCode.ok;
        }
        const state = await readRun(repository, this.workflow, runId, this.stateLocation());
        const sessions = state.sessions ?? [];
        if (this.json)
          this.printJson({
            workflowName: this.workflow,
            run: state.run,
            ...(state.inputs === undefined ? {} : { inputs: shownInputs(state.inputs) }),
            executions: state.attempts.map(withSecretsShown),
            sessions,
            approvals: state.approvals ?? [],
          });
        else {
          this.printRun(state.run, state.attempts, state.inputs, sessions);
          this.printApprovals(state.approvals ?? []);
        }
        return ExitCode.ok;
      },
      { readonly: true },
    );
  }

  private printRuns(runs: readonly RunRecord[]): void {
    const bold = (text: string): string => this.style('bold', text);
    this.print(`${bold(`Runs of ${visibleLine(this.workflow)}`)}\n`);
    this.print(
      renderTable(
        runs,
        [
          { header: 'RUN', value: (r) => String(r.runId), right: true },
          { header: 'STARTED', value: (r) => r.startTime },
          { header: 'ENDED', value: (r) => r.endTime ?? '-' },
          { header: 'STATUS', value: (r) => r.status },
          { header: 'OK', value: (r) => String(r.nodesOk), right: true },
          { header: 'NOK', value: (r) => String(r.nodesNok), right: true },
          { header: 'SKIPPED', value: (r) => String(r.nodesSkipped), right: true },
          { header: 'TRIGGER', value: (r) => r.trigger },
        ],
        bold,
      ),
    );
  }

  private printRun(
    run: RunRecord,
    attempts: readonly AttemptRecord[],
    inputs: RunState['inputs'],
    sessions: readonly SessionRecord[],
  ): void {
    const bold = (text: string): string => this.style('bold', text);
    this.print(
      renderFields(
        [
          ['Workflow', run.workflowName],
          ['Run', String(run.runId)],
          ['Status', run.status],
          ['Trigger', run.trigger],
          ['Started by', run.startedBy == null ? '-' : formatIdentity(run.startedBy)],
          ['Started', run.startTime],
          ['Ended', run.endTime ?? '-'],
          ['Nodes', `${run.nodesOk} ok, ${run.nodesNok} nok, ${run.nodesSkipped} skipped`],
        ],
        bold,
        '',
      ),
    );
    if (inputs !== undefined) {
      this.print(`\n${bold('Inputs')}\n`);
      for (const [name, value] of Object.entries(shownInputs(inputs))) {
        this.print(
          `  ${visibleLine(name)} = ${visibleLine(typeof value === 'string' ? value : String(value))}\n`,
        );
      }
    }
    this.print('\n');
    if (attempts.length === 0) {
      this.print('(no attempts recorded)\n');
      return;
    }
    this.print(
      renderTable(
        attempts,
        [
          { header: 'NODE', value: (a) => a.nodeId },
          { header: 'ATTEMPT', value: (a) => String(a.attempt), right: true },
          { header: 'STATUS', value: (a) => a.status },
          { header: 'DECISION', value: (a) => a.operatorDecision ?? '-' },
          { header: 'BY', value: (a) => (a.by == null ? '-' : formatIdentity(a.by, { short: true })) },
          {
            header: 'DURATION',
            value: (a) => (a.durationMs === null ? '-' : formatDuration(a.durationMs)),
            right: true,
          },
          { header: 'STARTED', value: (a) => a.startTime },
          { header: 'EXIT', value: (a) => (a.exitCode === null ? '-' : String(a.exitCode)), right: true },
        ],
        bold,
      ),
    );
    const notes = attempts.filter((a) => a.resultText !== null || a.exception !== null);
    if (notes.length > 0) {
      this.print(`\n${bold('Results')}\n`);
      for (const a of notes) {
        const text = a.exception ?? a.resultText ?? '';
        const first = text.split('\n')[0] ?? '';
        const what = `${a.nodeId}#${a.attempt}: ${a.exception !== null ? 'exception: ' : ''}${first}`;
        this.print(`  ${visibleLine(what)}\n`);
      }
    }
    const produced = attempts.filter((a) => a.outputs !== undefined || a.secretOutputs !== undefined);
    if (produced.length > 0) {
      this.print(`\n${bold('Outputs')}\n`);
      for (const a of produced) {
        for (const [key, value] of Object.entries(withSecretsShown(a).outputs ?? {})) {
          this.print(`  ${visibleLine(`${a.nodeId}#${a.attempt}: ${key}=${shortened(value)}`)}\n`);
        }
      }
    }
    this.printWhatRan(attempts);
    this.printSessions(sessions);
  }

  /** What each attempt ran, when recorded: its command (or function and params), directory and env names. */
  private printWhatRan(attempts: readonly AttemptRecord[]): void {
    const ran = attempts.filter((a) => a.ran != null);
    if (ran.length === 0) return;
    this.print(`\n${this.style('bold', 'What ran')}\n`);
    for (const a of ran) {
      const what = a.ran;
      if (what == null) continue;
      const parts = [
        what.command === null ? undefined : `${what.params === null ? '$ ' : ''}${what.command}`,
        what.params === null ? undefined : `params ${what.params}`,
        what.cwd === null ? undefined : `in ${what.cwd}`,
        what.envKeys.length === 0 ? undefined : `env ${what.envKeys.join(', ')}`,
      ].filter((part) => part !== undefined);
      this.print(`  ${visibleLine(`${a.nodeId}#${a.attempt}: ${parts.join('  ')}`)}\n`);
    }
  }

  /** Each approval and rejection of the run's gates (docs/approvals.md): who, when, and the note. */
  private printApprovals(approvals: NonNullable<RunState['approvals']>): void {
    if (approvals.length === 0) return;
    const bold = (text: string): string => this.style('bold', text);
    this.print(`\n${bold('Approvals')}\n`);
    this.print(
      renderTable(
        approvals,
        [
          { header: 'NODE', value: (a) => a.nodeId },
          { header: 'ROUND', value: (a) => String(a.round), right: true },
          { header: 'DECISION', value: (a) => a.decision },
          { header: 'BY', value: (a) => formatIdentity(a.by) },
          { header: 'AT', value: (a) => a.at },
          { header: 'RUNBOOK', value: (a) => (a.runbookHash === null ? '-' : a.runbookHash.slice(0, 12)) },
          { header: 'NOTE', value: (a) => (a.note === null ? '-' : shortened(a.note)) },
        ],
        bold,
      ),
    );
  }

  private printSessions(sessions: readonly SessionRecord[]): void {
    if (sessions.length === 0) return;
    const bold = (text: string): string => this.style('bold', text);
    this.print(`\n${bold('Sessions')}\n`);
    this.print(
      renderTable(
        sessions,
        [
          { header: '#', value: (s) => String(s.seq), right: true },
          { header: 'KIND', value: (s) => s.kind },
          { header: 'AT', value: (s) => s.at },
          { header: 'BY', value: (s) => formatIdentity(s.by) },
          { header: 'RUNBOOK', value: (s) => (s.runbookHash === null ? '-' : s.runbookHash.slice(0, 12)) },
          { header: 'FLAGS', value: (s) => (s.flags.length === 0 ? '-' : s.flags.join(' ')) },
        ],
        bold,
      ),
    );
  }
}

/** How long a value `show` prints on its line; `--json` has it whole. */
const SHOWN_VALUE_CHARS = 200;

function shortened(value: string): string {
  if (value.length <= SHOWN_VALUE_CHARS) return value;
  return `${value.slice(0, SHOWN_VALUE_CHARS)}… (${value.length} characters; --json shows it whole)`;
}

/**
 * An attempt with its secret outputs among its outputs as `***`, in the order produced: their values were never
 * stored, but that they were produced is part of the history. `secretOutputs` still names them.
 */
function withSecretsShown(attempt: AttemptRecord): AttemptRecord {
  if (attempt.secretOutputs === undefined) return attempt;
  const outputs = Object.entries(attempt.outputs ?? {});
  for (const key of attempt.secretOutputs) outputs.push([key, SECRET_SHOWN]);
  return { ...attempt, outputs: Object.fromEntries(outputs) };
}

/** Inputs as shown: a secret one (stored as null, its value never kept) as `***`. */
function shownInputs(inputs: NonNullable<RunState['inputs']>): Record<string, string | number | boolean> {
  const shown: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(inputs)) shown[name] = value === null ? '***' : value;
  return shown;
}
