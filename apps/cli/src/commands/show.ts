import type { AttemptRecord, RunRecord } from '@playbook/engine';
import { BaseCommand } from '../base-command.js';
import { Command, Option } from '../clipanion.js';
import { CliError, ExitCode } from '../errors.js';
import { renderFields, renderTable } from '../format/table.js';
import { parseRunId } from '../run-id.js';
import { recoverStaleRunsForHistory } from '../stale-runs.js';
import { formatDuration } from '../terminal/format.js';
import { visibleLine } from '../terminal/visible.js';
import { unknownWorkflowError } from '../unknown-workflow.js';

/** `playbook show <workflow>`: its runs, or one run and its attempts. */
export class ShowCommand extends BaseCommand {
  static override paths = [['show']];

  static override usage = Command.Usage({
    description: "Show a workflow's runs, or one run's attempts",
    details: `
      Without \`--run-id\`: every run of the workflow (its runbook's title), newest first, with its start,
      end, status, node counts and trigger.

      With \`--run-id\`: that run and each attempt of each node in order: node, attempt, status, operator
      decision, duration, start and exit code. \`--json\` also includes the captured stdout and stderr, the
      result text and the exception of each attempt.

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
        const state = await repository.loadRun({ workflowName: this.workflow, runId });
        if (state === undefined) {
          const runs = await repository.listRuns(this.workflow);
          if (runs.length === 0)
            throw await unknownWorkflowError(this.workflow, repository.listWorkflows(), this.stateLocation());
          const ids = runs.map((run) => run.runId).sort((a, b) => a - b);
          throw new CliError(
            `workflow "${this.workflow}" has no run ${runId} (its runs: ${describeIds(ids)})`,
          );
        }
        if (this.json)
          this.printJson({ workflowName: this.workflow, run: state.run, executions: state.attempts });
        else this.printRun(state.run, state.attempts);
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

  private printRun(run: RunRecord, attempts: readonly AttemptRecord[]): void {
    const bold = (text: string): string => this.style('bold', text);
    this.print(
      renderFields(
        [
          ['Workflow', run.workflowName],
          ['Run', String(run.runId)],
          ['Status', run.status],
          ['Trigger', run.trigger],
          ['Started', run.startTime],
          ['Ended', run.endTime ?? '-'],
          ['Nodes', `${run.nodesOk} ok, ${run.nodesNok} nok, ${run.nodesSkipped} skipped`],
        ],
        bold,
        '',
      ),
    );
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
  }
}

function describeIds(ids: readonly number[]): string {
  if (ids.length <= 10) return ids.join(', ');
  return `${ids.slice(0, 5).join(', ')}, …, ${ids.slice(-3).join(', ')}`;
}
