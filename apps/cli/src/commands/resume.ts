import type { Runbook } from '@playbook/domain';
import type { Engine, RunOutcome } from '@playbook/engine';
import { Command, Option } from '../clipanion.js';
import { parseRunId } from '../run-id.js';
import { RunBaseCommand, type SessionOptions } from './run-base-command.js';

/** `playbook resume <file> [run_id]`: continues a run in place, keeping the steps that already succeeded. */
export class ResumeCommand extends RunBaseCommand {
  static override paths = [['resume']];

  static override usage = Command.Usage({
    description: 'Continue an aborted, failed or crashed run',
    details: `
      Continues a run in place: same run id, attempt numbers go on. Without a run id, the newest run of the
      runbook that can be resumed is taken (aborted, nok, or running with its owner process gone). Steps whose
      latest status is ok or skipped are kept; every other step runs. A repeatable step that already ended ok is
      offered again (never without an operator).

      When the process that drove the run died (kill -9, a power cut), resume first stops the command it left
      running, records that attempt as interrupted, then goes on. A run that ended ok, or that another live
      process is driving, is refused.

      \`--node <id>\` runs that step and every step after it in the plan again, whatever their status.
      The other options are those of \`playbook run\`.
    `,
    examples: [
      ['Resume the newest resumable run', '$0 resume deploy.playbook.toml'],
      ['Resume run 3', '$0 resume deploy.playbook.toml 3'],
      ['Run again from the "cdn_warm" step', '$0 resume deploy.playbook.toml 3 --node cdn_warm'],
    ],
  });

  runId = Option.String({ name: 'run_id', required: false });

  node = Option.String('--node', {
    description: 'Run this step and every step after it again, whatever their status',
  });

  override async execute(): Promise<number> {
    // Checked before anything is loaded, like every other usage error.
    this.parsedRunId();
    return this.session();
  }

  protected override start(engine: Engine, runbook: Runbook, options: SessionOptions): Promise<RunOutcome> {
    const runId = this.parsedRunId();
    return engine.resume(runbook, {
      ...options,
      ...(runId === undefined ? {} : { runId }),
      ...(this.node === undefined ? {} : { fromNode: this.node }),
    });
  }

  private parsedRunId(): number | undefined {
    return this.runId === undefined ? undefined : parseRunId(this.runId, 'run_id');
  }
}
