import type { RunState } from '@playbook/engine';
import { BaseCommand } from './base-command.js';
import { CliError } from './errors.js';
import { readRun } from './read-run.js';
import { recoverStaleRunsForHistory } from './stale-runs.js';
import type { RunStore } from './state-store.js';

/** A command that reads one run of the history (`logs`, `report`): never creates the state file. */
export abstract class RunReadingCommand extends BaseCommand {
  /**
   * Opens the history read-only, records runs whose owner is gone as `aborted` first (as `show` does), and hands
   * `action` run `runId` of `workflow` (the newest without one).
   */
  protected async withRun<T>(
    workflow: string,
    runId: number | undefined,
    action: (state: RunState, history: RunStore) => Promise<T>,
  ): Promise<T> {
    const { statePath } = this.resolveConfig();
    if (!(await this.stateFileExists()))
      throw new CliError(`no run history yet: ${statePath} does not exist`);
    return this.withRepository(
      async (history) => {
        await recoverStaleRunsForHistory({
          repository: history,
          openWritable: () => this.openRepository(),
          workflowName: workflow,
          note: (line) => this.context.stderr.write(`${line}\n`),
          clock: this.context.clock,
        });
        return action(await readRun(history, workflow, runId, this.stateLocation()), history);
      },
      { readonly: true },
    );
  }
}
