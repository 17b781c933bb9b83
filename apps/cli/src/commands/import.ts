import { mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { BaseCommand } from '../base-command.js';
import { Command, Option, UsageError } from '../clipanion.js';
import { CliError, ExitCode } from '../errors.js';

// The parser's RUNBOOK_EXTENSION; the parser is loaded only once the options are known to be good.
const RUNBOOK_EXTENSION = '.playbook.toml';

/** `playbook import <file>`: converts a runbook of the Python prototype into this format. */
export class ImportCommand extends BaseCommand {
  static override paths = [['import']];

  static override usage = Command.Usage({
    description: 'Convert a runbook of the Python prototype into this format',
    details: `
      Reads a runbook written for the original Python tool (its v0.1 to v1.x formats: \`[variables]\`, Jinja
      \`{{ VAR }}\`, \`prompt_after\`, \`node:success\` / \`node:failure\` dependencies, \`when\` conditions, plugin
      Function nodes) and writes an equivalent runbook. Every change and every warning is printed with its line
      in the original file; what has no equivalent is kept as a comment and named in a warning, never dropped.

      The result goes to \`<name>.imported.playbook.toml\` next to the original unless \`--output\` is given
      (\`--output -\` prints it). An existing file is only replaced with \`--force\`. A file that cannot be
      converted (not TOML, a cycle, a condition naming a missing node, a variable name that cannot be an input
      name) is reported one problem per line, exit 1, and nothing is written. \`--strict\` treats warnings the
      same way.
    `,
    examples: [
      ['Convert a runbook', '$0 import python-prototype.playbook.toml'],
      ['Choose the output file', '$0 import python-prototype.playbook.toml --output deploy-v2.playbook.toml'],
      ['Print the result instead', '$0 import python-prototype.playbook.toml --output -'],
    ],
  });

  file = Option.String({ name: 'file' });

  output = Option.String('-o,--output', {
    description: 'File to write (default: <name>.imported.playbook.toml next to the original; - for stdout)',
  });

  force = Option.Boolean('-f,--force', false, { description: 'Replace an existing output file' });

  strict = Option.Boolean('--strict', false, {
    description: 'Treat warnings (no exact equivalent) as errors: write nothing',
  });

  override async execute(): Promise<number> {
    if (this.output !== undefined && this.output !== '-' && !this.output.endsWith(RUNBOOK_EXTENSION)) {
      throw new UsageError(
        `--output must end in ${RUNBOOK_EXTENSION} (or be - for stdout), got "${this.output}"`,
      );
    }
    const { formatProblem } = await import('@playbook/parser');
    const { formatImportNote, importPrototypeFile } = await import('@playbook/parser/prototype');
    const source = this.resolvePath(this.file);
    const result = await importPrototypeFile(source);
    for (const note of result.notes) {
      const line = formatImportNote(note, this.file);
      this.context.stderr.write(
        `${note.severity === 'warning' ? line.replace(': warning: ', `: ${this.styleError('yellow', 'warning:')} `) : line}\n`,
      );
    }
    if (!result.ok) {
      for (const problem of result.problems)
        this.context.stderr.write(`${formatProblem({ ...problem, file: this.file })}\n`);
      this.context.stderr.write(`Nothing was written: ${this.file} was not converted.\n`);
      return ExitCode.failure;
    }
    const warnings = result.notes.filter((note) => note.severity === 'warning').length;
    if (this.strict && warnings > 0) {
      this.context.stderr.write(
        `Nothing was written: --strict, and ${warnings} warning${warnings === 1 ? '' : 's'} above.\n`,
      );
      return ExitCode.failure;
    }

    if (this.output === '-') {
      this.context.stdout.write(result.text);
      return ExitCode.ok;
    }
    const shown = this.output ?? join(dirname(this.file), defaultOutputName(this.file));
    const target = this.resolvePath(shown);
    const exists = await stat(target).then(
      (info) => info,
      () => undefined,
    );
    if (exists?.isDirectory() === true) throw new CliError(`${shown} is a directory`);
    if (exists !== undefined && !this.force)
      throw new CliError(`${shown} already exists; not overwriting it (use --force to replace it)`);
    if (resolve(target) === resolve(source) && !this.force)
      throw new CliError(`--output is the file being converted; use --force to replace it`);
    await mkdir(dirname(target), { recursive: true });
    // 'wx' unless replacing was asked for: a file that appeared meanwhile is still not clobbered.
    await writeFile(target, result.text, { flag: exists === undefined ? 'wx' : 'w' }).catch(
      (error: NodeJS.ErrnoException) => {
        throw new CliError(`cannot write ${shown}: ${error.code ?? error.message}`, ExitCode.failure, {
          cause: error,
        });
      },
    );
    const changes = result.notes.length - warnings;
    this.print(
      `${this.style('green', 'Wrote')} ${shown} (${changes} change${changes === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'})\n`,
    );
    this.print(`Next: \`playbook validate ${shown}\`, then \`playbook run ${shown}\`.\n`);
    return ExitCode.ok;
  }
}

/** `deploy.playbook.toml` → `deploy.imported.playbook.toml`. */
export function defaultOutputName(file: string): string {
  const name = basename(file);
  const stem = name.endsWith(RUNBOOK_EXTENSION) ? name.slice(0, -RUNBOOK_EXTENSION.length) : name;
  return `${stem}.imported${RUNBOOK_EXTENSION}`;
}
