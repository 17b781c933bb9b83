import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname, relative } from 'node:path';
import type { NodeRunStatus } from '@playbook/graphviz';
import { BaseCommand } from '../base-command.js';
import { Command, Option, UsageError } from '../clipanion.js';
import { CliError, ExitCode } from '../errors.js';
import { parseRunId } from '../run-id.js';

type Format = 'dot' | 'svg' | 'png';
export const FORMATS: readonly Format[] = ['dot', 'svg', 'png'];

/** `playbook export-dot <file>`: the runbook's DAG as Graphviz DOT, SVG or PNG. */
export class ExportDotCommand extends BaseCommand {
  static override paths = [['export-dot']];

  static override usage = Command.Usage({
    description: "Draw a runbook's graph as Graphviz DOT (or SVG / PNG)",
    details: `
      Writes the DAG of the runbook next to it (\`x.playbook.toml\` → \`x.playbook.dot\`) unless \`--output\`
      says where; \`--output -\` writes to stdout. Manual nodes are blue ellipses, Function nodes green boxes,
      Command nodes yellow hexagons; critical nodes have a red border.

      \`--run-id\` colours each node by its status in that run of the workflow and labels it with its attempts
      and duration. \`--format svg\` or \`png\` renders the drawing (no Graphviz installation needed); the
      format is also taken from the extension of \`--output\`.
    `,
    examples: [
      ['Write deploy.playbook.dot', '$0 export-dot deploy.playbook.toml'],
      [
        'Colour by the statuses of run 3, as SVG',
        '$0 export-dot deploy.playbook.toml --run-id 3 --format svg',
      ],
      ['Render a PNG to a chosen file', '$0 export-dot deploy.playbook.toml --output deploy.png'],
    ],
  });

  file = Option.String({ name: 'file' });

  output = Option.String('-o,--output', {
    description: 'File to write, or - for stdout (default: next to the runbook)',
  });

  runId = Option.String('--run-id', { description: 'Colour nodes by their status in this run' });

  format = Option.String('--format', { description: 'dot (default), svg or png' });

  override async execute(): Promise<number> {
    const format = this.chosenFormat();
    const runId = this.runId === undefined ? undefined : parseRunId(this.runId);

    const { loadRunbook } = await import('@playbook/parser');
    const result = await loadRunbook(this.resolvePath(this.file));
    if (!result.ok) {
      await this.writeProblems(result.problems, this.file, 'stderr');
      throw new CliError(`${this.file} is not a valid runbook; see \`playbook validate ${this.file}\``);
    }
    const runbook = result.runbook;

    let statuses: Map<string, NodeRunStatus> | undefined;
    if (runId !== undefined) {
      const { statePath } = this.resolveConfig();
      if (!(await this.stateFileExists()))
        throw new CliError(`no run history yet: ${statePath} does not exist`);
      const state = await this.withRepository(
        (repository) => repository.loadRun({ workflowName: runbook.meta.title, runId }),
        { readonly: true },
      );
      if (state === undefined) {
        throw new CliError(`workflow "${runbook.meta.title}" has no run ${runId} in ${this.stateLocation()}`);
      }
      statuses = (await import('@playbook/graphviz')).nodeRunStatuses(state.attempts);
    }

    const graphviz = await import('@playbook/graphviz');
    const dot = graphviz.toDot(runbook, {
      ...(statuses === undefined ? {} : { statuses }),
      ...(runId === undefined ? {} : { runId }),
    });
    const bytes = format === 'dot' ? new TextEncoder().encode(dot) : await graphviz.renderDot(dot, format);

    if (this.output === '-') {
      this.context.stdout.write(bytes);
      return ExitCode.ok;
    }
    const path =
      this.output === undefined
        ? graphviz.defaultOutputPath(this.resolvePath(this.file), format)
        : this.resolvePath(this.output);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
    this.print(`Wrote ${relative(this.context.cwd, path) || path}\n`);
    return ExitCode.ok;
  }

  private chosenFormat(): Format {
    const extension = this.output === undefined ? '' : extname(this.output).slice(1).toLowerCase();
    const implied = FORMATS.find((format) => format === extension);
    if (this.format !== undefined) {
      const format = this.format.toLowerCase() as Format;
      if (!FORMATS.includes(format)) {
        throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${this.format}"`);
      }
      // `--output a.png --format svg` would write SVG into a file every viewer opens as PNG.
      if (implied !== undefined && implied !== format) {
        throw new UsageError(`--format ${format} contradicts --output ${this.output} (a .${implied} file)`);
      }
      return format;
    }
    return implied ?? 'dot';
  }
}
