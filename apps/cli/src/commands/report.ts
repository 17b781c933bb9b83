import { stat, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import type { Runbook } from '@playbook/domain';
import type { ReportFormat } from '@playbook/report';
import { Command, Option, UsageError } from '../clipanion.js';
import { CliError, ExitCode } from '../errors.js';
import { RunReadingCommand } from '../history-command.js';
import { parseRunId } from '../run-id.js';
import { storedRunbook } from '../stored-runbook.js';
import { visibleLine } from '../terminal/visible.js';

const FORMATS: readonly ReportFormat[] = ['md', 'html', 'json'];

/** `playbook report <workflow>`: one run as a Markdown, HTML or JSON report for a ticket. */
export class ReportCommand extends RunReadingCommand {
  static override paths = [['report']];

  static override usage = Command.Usage({
    description: 'Write a report of a run for an incident or change ticket',
    details: `
      The report of one run (the newest without \`--run-id\`): the runbook's title, version and content hash,
      who started the run and when, its inputs (secrets as \`***\`), a timeline of every attempt with its
      operator, decision, note, duration, exit code, what ran and the tail of its output, approvals and the
      audit chain's head hash when the history has them.

      \`--format html\` is one self-contained page (inline style, the graph as inline SVG coloured by status,
      no script, nothing fetched from the network); \`md\` is Markdown for pasting into a ticket; \`json\`
      follows the schema \`RunReportSchema\` of @playbook/report. Output of any size stays bounded: each
      stream shows its last 40 lines.

      The graph's edges and the runbook's version come from the runbook the run started with, as the history
      keeps it; \`--runbook <file>\` uses that file instead (a run recorded before the history kept runbooks
      shows its nodes without their dependencies otherwise).

      Writes to stdout unless \`--output\` names a file; a folder that does not exist is an error and nothing
      is written.
    `,
    examples: [
      ['The newest run of "Deploy" as an HTML page', '$0 report Deploy --format html --output deploy.html'],
      [
        'Run 3 as Markdown, with the graph from the runbook',
        '$0 report Deploy --run-id 3 --format md --runbook deploy.playbook.toml',
      ],
      ['Run 3 as JSON on stdout', '$0 report Deploy --run-id 3 --format json'],
    ],
  });

  workflow = Option.String({ name: 'workflow' });

  runId = Option.String('--run-id', { description: 'Report this run (default: the newest)' });

  format = Option.String('--format', { required: true, description: 'md, html or json' });

  output = Option.String('-o,--output', { description: 'File to write (default: stdout)' });

  runbookFile = Option.String('--runbook', {
    description:
      'The runbook file, for the graph and version (default: the runbook the run started with, from the history)',
  });

  override async execute(): Promise<number> {
    const format = this.format.toLowerCase() as ReportFormat;
    if (!FORMATS.includes(format)) {
      throw new UsageError(
        `--format must be one of ${FORMATS.join(', ')}, got "${visibleLine(this.format)}"`,
      );
    }
    const runId = this.runId === undefined ? undefined : parseRunId(this.runId);
    const path = this.output === undefined ? undefined : this.resolvePath(this.output);
    // Checked before anything is read: a report that cannot be written should not cost a history query.
    if (path !== undefined) await checkFolder(path, this.output!);
    const runbook = this.runbookFile === undefined ? undefined : await this.loadRunbookFile(this.runbookFile);

    const { renderRunReport } = await import('@playbook/report');
    const text = await this.withRun(this.workflow, runId, async (state, history) => {
      if (
        runbook?.source !== undefined &&
        state.run.runbookHash !== null &&
        runbook.source.hash !== state.run.runbookHash
      ) {
        this.context.stderr.write(
          `${this.styleError('yellow', 'warning:')} ${visibleLine(this.runbookFile!)} is not the runbook run ${state.run.runId} started with (its content hash differs): the graph and version come from the file as it is now\n`,
        );
      }
      // Without --runbook, the runbook the run started with, as the history keeps it (SPEC §10.1): its version,
      // description and graph.
      const hash = state.run.runbookHash;
      const started = runbook ?? (hash === null ? undefined : await storedRunbook(history, hash));
      const head = await history.auditHead({ workflowName: state.run.workflowName, runId: state.run.runId });
      return renderRunReport(
        {
          state,
          ...(started === undefined ? {} : { runbook: started }),
          auditHeadHash: head?.hash ?? null,
        },
        format,
        { generatedAt: this.context.clock.now().toISOString() },
      );
    });

    if (path === undefined) {
      this.print(text);
      return ExitCode.ok;
    }
    await writeFile(path, text);
    this.context.stderr.write(`Wrote ${visibleLine(relative(this.context.cwd, path) || path)}\n`);
    return ExitCode.ok;
  }

  private async loadRunbookFile(file: string): Promise<Runbook> {
    const { loadRunbook } = await import('@playbook/parser');
    const result = await loadRunbook(this.resolvePath(file));
    if (!result.ok) {
      await this.writeProblems(result.problems, file, 'stderr');
      throw new CliError(
        `${visibleLine(file)} is not a valid runbook; see \`playbook validate ${visibleLine(file)}\``,
      );
    }
    if (result.runbook.meta.title !== this.workflow) {
      throw new CliError(
        `${visibleLine(file)} is the runbook of workflow "${visibleLine(result.runbook.meta.title)}", not "${visibleLine(this.workflow)}"`,
      );
    }
    return result.runbook;
  }
}

/** The folder of `path` must exist: a report is never written somewhere the user did not mean. */
async function checkFolder(path: string, given: string): Promise<void> {
  const folder = dirname(path);
  const info = await stat(folder).catch(() => undefined);
  if (info === undefined)
    throw new CliError(`cannot write ${visibleLine(given)}: folder ${visibleLine(folder)} does not exist`);
  if (!info.isDirectory())
    throw new CliError(`cannot write ${visibleLine(given)}: ${visibleLine(folder)} is not a folder`);
}
