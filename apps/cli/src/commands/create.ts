import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { BaseCommand } from '../base-command.js';
import { Command, Option, UsageError } from '../clipanion.js';
import { stdinOf } from '../context.js';
import { type LineQuestions, lineQuestions } from '../create/line-questions.js';
import { defaultFileName, runbookTemplate } from '../create/template.js';
import { CliError, ExitCode } from '../errors.js';

const DEFAULT_DESCRIPTION = 'What this runbook is for, and when to use it.';
// The parser's RUNBOOK_EXTENSION; not imported, so that `create` does not load the parser (and its TOML library).
const RUNBOOK_EXTENSION = '.playbook.toml';

/** `playbook create`: writes a new, valid runbook with an example of each node type. */
export class CreateCommand extends BaseCommand {
  static override paths = [['create']];

  static override usage = Command.Usage({
    description: 'Write a new runbook file',
    details: `
      Writes a runbook with \`version = "0.1.0"\`, \`created_at\` set to now, one Manual step so that it
      validates as it is, and a commented-out example of each node type (Manual, Command, Function).

      On a terminal, a missing \`--title\` or \`--author\` is asked for; otherwise both are required. The file
      defaults to the title in lower case with spaces turned into \`_\`, plus \`.playbook.toml\`, in the current
      directory. An existing file is only replaced with \`--force\` or after confirming on a terminal.
    `,
    examples: [
      ['Create rollback.playbook.toml', '$0 create --title Rollback --author "Ops Team"'],
      [
        'Choose the file and a description',
        '$0 create --title "DB failover" --author ops --description "Promote the replica" --output runbooks/failover.playbook.toml',
      ],
    ],
  });

  title = Option.String('--title', {
    description: 'Title of the runbook (its workflow name in the history)',
  });

  author = Option.String('--author', { description: 'Author of the runbook' });

  description = Option.String('--description', { description: 'What the runbook is for' });

  output = Option.String('-o,--output', { description: 'File to write (default: <title>.playbook.toml)' });

  force = Option.Boolean('-f,--force', false, { description: 'Replace an existing file without asking' });

  override async execute(): Promise<number> {
    const interactive = this.context.isTTY.stdin && this.context.isTTY.stdout;
    let questions: LineQuestions | undefined;
    const ask = (question: string): Promise<string | undefined> => {
      questions ??= lineQuestions(stdinOf(this.context), this.context.stdout);
      return questions.ask(question);
    };
    // validate, run and export-dot refuse any other name: a file they cannot read is no use.
    if (this.output !== undefined && !this.output.endsWith(RUNBOOK_EXTENSION)) {
      throw new UsageError(`--output must end in ${RUNBOOK_EXTENSION}, got "${this.output}"`);
    }
    try {
      const title = await this.required(this.title, '--title', 'Title', interactive, ask);
      const author = await this.required(this.author, '--author', 'Author', interactive, ask);
      const description =
        this.description !== undefined && this.description.trim() !== ''
          ? this.description
          : DEFAULT_DESCRIPTION;
      const path = this.resolvePath(this.output ?? defaultFileName(title));
      const shown = this.output ?? relative(this.context.cwd, path);

      const exists = await stat(path).then(
        (s) => s,
        () => undefined,
      );
      if (exists?.isDirectory() === true) throw new CliError(`${shown} is a directory`);
      if (exists !== undefined && !this.force) {
        if (!interactive) {
          throw new CliError(`${shown} already exists; not overwriting it (use --force to replace it)`);
        }
        const answer = await ask(`${shown} already exists. Overwrite it? [y/N] `);
        if (!/^y(es)?$/i.test(answer?.trim() ?? '')) {
          this.context.stderr.write(`Left ${shown} unchanged.\n`);
          return ExitCode.failure;
        }
      }

      const text = runbookTemplate({
        title,
        author,
        description,
        createdAt: this.context.clock.now().toISOString(),
      });
      await mkdir(dirname(path), { recursive: true });
      // 'wx' when we did not decide to overwrite: a file that appeared meanwhile is still not clobbered.
      await writeFile(path, text, { flag: exists === undefined ? 'wx' : 'w' }).catch(
        (error: NodeJS.ErrnoException) => {
          throw new CliError(`cannot write ${shown}: ${error.code ?? error.message}`, ExitCode.failure, {
            cause: error,
          });
        },
      );
      this.print(`${this.style('green', 'Created')} ${shown}\n`);
      this.print(`Next: edit it, then \`playbook validate ${shown}\` and \`playbook run ${shown}\`.\n`);
      return ExitCode.ok;
    } finally {
      questions?.close();
    }
  }

  private async required(
    value: string | undefined,
    flag: string,
    label: string,
    interactive: boolean,
    ask: (question: string) => Promise<string | undefined>,
  ): Promise<string> {
    if (value !== undefined && value.trim() !== '') return value;
    if (value !== undefined) throw new UsageError(`${flag} must not be empty`);
    if (!interactive) throw new UsageError(`${flag} is required (there is no terminal to ask on)`);
    for (let i = 0; i < 3; i++) {
      const answer = await ask(`${label}: `);
      if (answer === undefined) break;
      if (answer.trim() !== '') return answer.trim();
    }
    throw new UsageError(`${flag} is required`);
  }
}
