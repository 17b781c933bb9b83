import { BaseCommand } from '../base-command.js';
import { Option } from '../clipanion.js';
import { ExitCode } from '../errors.js';

/** Statuses of a run `resume` may continue (a `running` one only when its owner is gone). */
const RESUMABLE = new Set(['aborted', 'nok', 'running']);

/**
 * `playbook __complete workflows | runs | nodes`: candidates for the shell completion scripts, one per line.
 * Hidden (no usage, so neither `--help` nor the reference lists it). Fast and silent: it opens the history
 * read-only, never recovers or writes anything, and prints nothing at all when something is missing or wrong —
 * a Tab must never fill the terminal with an error.
 */
export class CompleteCommand extends BaseCommand {
  static override paths = [['__complete']];

  what = Option.String({ name: 'what' });

  workflow = Option.String('--workflow');

  file = Option.String('--file');

  resumable = Option.Boolean('--resumable', false);

  override async execute(): Promise<number> {
    try {
      const lines = await this.candidates();
      // A name with a line break or another control character cannot be one completion line: leave it out.
      const printable = lines.filter((line) => line !== '' && !/\p{Cc}/u.test(line));
      if (printable.length > 0) this.print(`${printable.join('\n')}\n`);
    } catch {
      // Nothing to offer.
    }
    return ExitCode.ok;
  }

  private async candidates(): Promise<string[]> {
    if (this.what === 'nodes') return (await this.runbook())?.nodes.map((node) => node.id) ?? [];
    if (this.what !== 'workflows' && this.what !== 'runs') return [];
    if (!(await this.stateFileExists())) return [];
    const workflow = this.what === 'runs' ? (this.workflow ?? (await this.runbook())?.meta.title) : undefined;
    if (this.what === 'runs' && workflow === undefined) return [];
    return this.withRepository(
      async (repository) => {
        if (workflow === undefined) {
          return (await repository.listWorkflows()).map((summary) => summary.workflowName);
        }
        const runs = await repository.listRuns(workflow);
        return runs
          .filter((run) => !this.resumable || RESUMABLE.has(run.status))
          .map((run) => String(run.runId));
      },
      { readonly: true },
    );
  }

  private async runbook() {
    if (this.file === undefined || this.file === '') return undefined;
    const { loadRunbook } = await import('@playbook/parser');
    const result = await loadRunbook(this.resolvePath(this.file));
    return result.ok ? result.runbook : undefined;
  }
}
