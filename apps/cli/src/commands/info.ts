import type { NodeStatusCount, WorkflowSummary } from '@playbook/engine';
import { BaseCommand } from '../base-command.js';
import { Command, Option } from '../clipanion.js';
import { ExitCode } from '../errors.js';
import { formatBytes, renderFields, renderTable } from '../format/table.js';
import { recoverStaleRunsForHistory } from '../stale-runs.js';
import { storeSchemaDdl } from '../state-store.js';
import { visibleLine } from '../terminal/visible.js';
import { unknownWorkflowError } from '../unknown-workflow.js';

/** `playbook info`: what the run history holds. */
export class InfoCommand extends BaseCommand {
  static override paths = [['info']];

  static override usage = Command.Usage({
    description: 'Summarise the run history database',
    details: `
      Shows the state file's path, size and schema version; per workflow the number of runs by status and the
      latest run; and per node of each workflow how many runs ended in each status (a node's status in a run
      is its latest attempt's). \`--workflow <name>\` shows that workflow alone; one the history has no runs
      of is an error that names those it has.

      Runs left \`running\` by a process that is gone (killed, a power cut) are first recorded as \`aborted\`.

      A state file that does not exist yet is not created: \`info\` says there is no history and exits 0.
      \`--ddl\` prints the database schema instead and needs no database.
    `,
    examples: [
      ['Summarise the history', '$0 info'],
      ['The same as JSON', '$0 info --json'],
      ['One workflow only', '$0 info --workflow Deploy'],
      ['Print the schema', '$0 info --ddl'],
      ['Look at another state file', '$0 --state-path ./ci-runs.db info'],
    ],
  });

  json = Option.Boolean('--json', false, { description: 'Print the result as JSON' });

  workflow = Option.String('--workflow', {
    description: "Only this workflow (its runbook's title): its runs by status and its nodes",
  });

  ddl = Option.Boolean('--ddl', false, { description: 'Print the SQL schema (CREATE statements) instead' });

  override async execute(): Promise<number> {
    if (this.ddl) {
      const ddl = await storeSchemaDdl(this.resolveConfig());
      if (this.json) this.printJson({ ddl });
      else this.print(ddl.endsWith('\n') ? ddl : `${ddl}\n`);
      return ExitCode.ok;
    }

    const { statePath } = this.resolveConfig();
    if (!(await this.stateFileExists())) {
      if (this.json) this.printJson({ database: { path: statePath, exists: false }, workflows: [] });
      else
        this.print(
          `No run history yet: ${statePath} does not exist (the first \`playbook run\` creates it).\n`,
        );
      return ExitCode.ok;
    }

    const report = await this.withRepository(
      async (repository) => {
        await recoverStaleRunsForHistory({
          repository,
          openWritable: () => this.openRepository(),
          ...(this.workflow === undefined ? {} : { workflowName: this.workflow }),
          note: (line) => this.context.stderr.write(`${line}\n`),
          clock: this.context.clock,
        });
        const database = await repository.databaseInfo();
        const all = await repository.listWorkflows();
        const workflows =
          this.workflow === undefined ? all : all.filter((w) => w.workflowName === this.workflow);
        if (this.workflow !== undefined && workflows.length === 0) {
          throw await unknownWorkflowError(this.workflow, Promise.resolve(all), this.stateLocation());
        }
        const nodes = new Map<string, NodeStatusCount[]>();
        for (const workflow of workflows) {
          nodes.set(workflow.workflowName, await repository.nodeStatusCounts(workflow.workflowName));
        }
        return { database, workflows, nodes };
      },
      { readonly: true },
    );

    if (this.json) {
      this.printJson({
        database: { ...report.database, exists: true },
        workflows: report.workflows.map((workflow) => ({
          ...workflow,
          nodes: report.nodes.get(workflow.workflowName) ?? [],
        })),
      });
      return ExitCode.ok;
    }

    const bold = (text: string): string => this.style('bold', text);
    this.print(
      renderFields(
        [
          ['Database', report.database.path],
          ['Size', formatBytes(report.database.sizeBytes)],
          ['Schema', `version ${report.database.schemaVersion}`],
          ['Workflows', String(report.workflows.length)],
        ],
        bold,
        '',
      ),
    );
    if (report.workflows.length === 0) {
      this.print('\nNo runs recorded yet.\n');
      return ExitCode.ok;
    }
    this.print(`\n${renderTable(report.workflows, workflowColumns, bold)}`);
    for (const workflow of report.workflows) {
      const counts = report.nodes.get(workflow.workflowName) ?? [];
      this.print(`\n${bold(`Nodes of ${visibleLine(workflow.workflowName)}`)}\n`);
      this.print(counts.length === 0 ? '(no attempts recorded)\n' : renderTable(counts, nodeColumns, bold));
    }
    return ExitCode.ok;
  }
}

const workflowColumns = [
  { header: 'WORKFLOW', value: (w: WorkflowSummary) => w.workflowName },
  { header: 'RUNS', value: (w: WorkflowSummary) => String(w.runCount), right: true },
  { header: 'OK', value: (w: WorkflowSummary) => String(w.runsByStatus.ok), right: true },
  { header: 'NOK', value: (w: WorkflowSummary) => String(w.runsByStatus.nok), right: true },
  { header: 'ABORTED', value: (w: WorkflowSummary) => String(w.runsByStatus.aborted), right: true },
  { header: 'RUNNING', value: (w: WorkflowSummary) => String(w.runsByStatus.running), right: true },
  // Runs stopped at an approval gate (SPEC §10.2): without this column the counts would not add up to RUNS.
  { header: 'WAITING', value: (w: WorkflowSummary) => String(w.runsByStatus.waiting), right: true },
  {
    header: 'LATEST RUN',
    value: (w: WorkflowSummary) => `#${w.latestRun.runId} ${w.latestRun.status} ${w.latestRun.startTime}`,
  },
] as const;

const nodeColumns = [
  { header: 'NODE', value: (n: NodeStatusCount) => n.nodeId },
  { header: 'RUNS', value: (n: NodeStatusCount) => String(n.runs), right: true },
  { header: 'ATTEMPTS', value: (n: NodeStatusCount) => String(n.attempts), right: true },
  { header: 'OK', value: (n: NodeStatusCount) => String(n.runsByStatus.ok), right: true },
  { header: 'NOK', value: (n: NodeStatusCount) => String(n.runsByStatus.nok), right: true },
  { header: 'SKIPPED', value: (n: NodeStatusCount) => String(n.runsByStatus.skipped), right: true },
  { header: 'RUNNING', value: (n: NodeStatusCount) => String(n.runsByStatus.running), right: true },
] as const;
