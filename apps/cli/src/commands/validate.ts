import { dirname } from 'node:path';
import type { Runbook } from '@playbook/domain';
import type { Problem } from '@playbook/parser';
import { BaseCommand } from '../base-command.js';
import { Command, Option } from '../clipanion.js';
import { ExitCode } from '../errors.js';
import { renderFields } from '../format/table.js';
import { functionProblems } from './function-problems.js';

/** What `validate` reports about a valid file (also under `summary` in `--json`). */
export interface RunbookSummary {
  readonly title: string;
  readonly description: string;
  readonly version: string;
  readonly author: string;
  readonly createdAt: string;
  readonly nodeCount: number;
  readonly nodesByType: { readonly Manual: number; readonly Function: number; readonly Command: number };
}

/** `playbook validate <file>`: every problem of a runbook at once, or its summary. */
export class ValidateCommand extends BaseCommand {
  static override paths = [['validate']];

  static override usage = Command.Usage({
    description: 'Check a runbook file and summarise it',
    details: `
      Reports every problem of the file at once, one per line as \`file:line:column: severity: [node.field] message\`:
      TOML syntax, the \`[runbook]\` table, node types and fields, \`depends_on\` references, cycles, and
      Function nodes whose module or export cannot be loaded. A valid file gets a summary instead.

      Exits 0 when the file is valid, 1 when it is not. Warnings (such as unknown keys) do not make a file
      invalid unless \`--strict\` is given.
    `,
    examples: [
      ['Validate a runbook', '$0 validate deploy.playbook.toml'],
      ['Treat warnings as errors', '$0 validate --strict deploy.playbook.toml'],
      ['Machine-readable result', '$0 validate --json deploy.playbook.toml'],
    ],
  });

  file = Option.String({ name: 'file' });

  strict = Option.Boolean('--strict', false, { description: 'Treat warnings as errors' });

  json = Option.Boolean('--json', false, { description: 'Print the result as JSON' });

  override async execute(): Promise<number> {
    const { loadRunbook } = await import('@playbook/parser');
    const result = await loadRunbook(this.resolvePath(this.file));

    let problems: Problem[];
    let runbook: Runbook | undefined;
    if (result.ok) {
      runbook = result.runbook;
      const directory = result.runbook.source?.directory ?? this.context.cwd;
      problems = [...result.warnings, ...(await functionProblems(result.functions, directory, this.file))];
    } else {
      // All problems at once (SPEC §1.3): a Function node whose module is missing is reported along with the
      // file's other errors, not only after they are fixed.
      const path = this.resolvePath(this.file);
      problems = [
        ...result.problems,
        ...(await functionProblems(result.functions ?? [], dirname(path), this.file)),
      ].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    }
    // Problems name the file as the user typed it, not as we resolved it.
    problems = problems.map((p) => ({
      ...p,
      file: this.file,
      ...(this.strict && p.severity === 'warning' ? { severity: 'error' as const } : {}),
    }));
    const errors = problems.filter((p) => p.severity === 'error').length;
    const warnings = problems.length - errors;
    const valid = runbook !== undefined && errors === 0;
    const summary = runbook === undefined ? undefined : summarise(runbook);

    if (this.json) {
      this.printJson({ valid, file: this.file, ...(summary === undefined ? {} : { summary }), problems });
      return valid ? ExitCode.ok : ExitCode.failure;
    }

    if (valid && summary !== undefined) {
      this.print(`${this.style('green', '✓')} ${this.file} is valid\n`);
      this.print(
        renderFields(
          [
            ['Title', summary.title],
            ['Description', summary.description],
            ['Version', summary.version],
            ['Author', summary.author],
            ['Created', summary.createdAt],
            ['Nodes', describeCounts(summary)],
          ],
          (label) => this.style('bold', label),
        ),
      );
    }
    await this.writeProblems(problems, this.file, 'stdout');
    if (!valid) {
      this.print(
        `${this.style('red', '✗')} ${this.file} is invalid: ${count(errors, 'error')}, ${count(warnings, 'warning')}\n`,
      );
    } else if (warnings > 0) {
      this.print(`${count(warnings, 'warning')}\n`);
    }
    return valid ? ExitCode.ok : ExitCode.failure;
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function summarise(runbook: Runbook): RunbookSummary {
  const byType = { Manual: 0, Function: 0, Command: 0 };
  for (const node of runbook.nodes) byType[node.type] += 1;
  return {
    title: runbook.meta.title,
    description: runbook.meta.description,
    version: runbook.meta.version,
    author: runbook.meta.author,
    createdAt: runbook.meta.createdAt,
    nodeCount: runbook.nodes.length,
    nodesByType: byType,
  };
}

function describeCounts(summary: RunbookSummary): string {
  const parts = Object.entries(summary.nodesByType)
    .filter(([, n]) => n > 0)
    .map(([type, n]) => `${n} ${type}`);
  return parts.length === 0 ? String(summary.nodeCount) : `${summary.nodeCount} (${parts.join(', ')})`;
}
