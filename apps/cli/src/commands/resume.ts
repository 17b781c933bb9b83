import type { InputValue, Runbook } from '@playbook/domain';
// The engine by name, statically: a dynamic `import()` of @playbook/engine keeps every export of its entry, and
// esbuild then puts them in the chunks of every command that imports any (docs/performance.md). This module is
// itself loaded only for its command.
import { type Engine, findResumeRun, type RunOutcome } from '@playbook/engine';
import { Command, Option, UsageError } from '../clipanion.js';
import { CliError, ExitCode } from '../errors.js';
import { parseRunId } from '../run-id.js';
import type { RunStore } from '../state-store.js';
import { storedRunbook } from '../stored-runbook.js';
import { RunBaseCommand, type SessionOptions } from './run-base-command.js';

/** `playbook resume <file> [run_id]`: continues a run in place, keeping the steps that already succeeded. */
export class ResumeCommand extends RunBaseCommand {
  static override paths = [['resume']];

  static override usage = Command.Usage({
    description: 'Continue an aborted, failed or crashed run',
    details: `
      Continues a run in place: same run id, attempt numbers go on. Without a run id, the newest run of the
      runbook that can be resumed is taken (aborted, nok, waiting at an approval gate, or running with its owner
      process gone), with the inputs stored with it. Steps whose latest status is ok or skipped are kept; every
      other step runs. A repeatable step that already ended ok is offered again (never without an operator).

      When the process that drove the run died (kill -9, a power cut), resume first stops the command it left
      running, records that attempt as interrupted, then goes on. A run that ended ok, or that another live
      process is driving, is refused.

      \`--node <id>\` runs that step and every step after it in the plan again, whatever their status. With
      \`--only\`, just that step runs again; with \`--downstream\`, that step and every step that depends on it,
      directly or not; the other steps keep their status. Both also work on a run that ended ok ("redo this step"
      after the fact): that needs the run id and \`--reason <text>\`, which is recorded; the run is running again,
      then ends with its new status. The other options are those of \`playbook run\`.
    `,
    examples: [
      ['Resume the newest resumable run', '$0 resume deploy.playbook.toml'],
      ['Resume run 3', '$0 resume deploy.playbook.toml 3'],
      ['Run again from the "cdn_warm" step', '$0 resume deploy.playbook.toml 3 --node cdn_warm'],
      [
        'Redo one step of run 2, which ended ok, saying why',
        '$0 resume deploy.playbook.toml 2 --node smoke_test --only --reason "smoke tests ran against the old pool"',
      ],
    ],
  });

  runId = Option.String({ name: 'run_id', required: false });

  node = Option.String('--node', {
    description: 'Run this step and every step after it again, whatever their status',
  });

  only = Option.Boolean('--only', false, {
    description: 'With --node: run just that step again (also on a run that ended ok, with --reason)',
  });

  downstream = Option.Boolean('--downstream', false, {
    description:
      'With --node: run that step and every step that depends on it again (also on a run that ended ok, with --reason)',
  });

  reason = Option.String('--reason', {
    description:
      'Why steps are run again (--only / --downstream); required on a run that ended ok, and recorded',
  });

  override async execute(): Promise<number> {
    // Checked before anything is loaded, like every other usage error.
    this.parsedRunId();
    this.rerun();
    return this.session();
  }

  protected override async start(
    engine: Engine,
    runbook: Runbook,
    options: SessionOptions,
    history: RunStore,
  ): Promise<RunOutcome> {
    const runId = this.parsedRunId();
    const rerun = this.rerun();
    try {
      return await engine.resume(runbook, {
        ...options,
        ...(runId === undefined ? {} : { runId }),
        ...(this.node === undefined ? {} : { fromNode: this.node }),
        ...(rerun === undefined ? {} : { rerun }),
        ...(this.reason === undefined ? {} : { reason: this.reason }),
        previousRunbook: (hash) => storedRunbook(history, hash),
      });
    } catch (error) {
      // A step that is not in the file, or a re-run asked the wrong way, is a mistake on the command line.
      if (
        error instanceof Error &&
        ['NODE_NOT_FOUND', 'RERUN_REFUSED'].includes(String((error as { code?: unknown }).code))
      ) {
        throw new CliError(error.message, ExitCode.usage, { cause: error });
      }
      throw error;
    }
  }

  /** `--only` or `--downstream`, checked against `--node` and each other. */
  private rerun(): 'only' | 'downstream' | undefined {
    if (this.only && this.downstream) throw new UsageError('give --only or --downstream, not both');
    const rerun = this.only ? 'only' : this.downstream ? 'downstream' : undefined;
    if (rerun !== undefined && this.node === undefined) {
      throw new UsageError(`--${rerun} needs --node <id>: the step to run again`);
    }
    if (this.reason !== undefined && rerun === undefined) {
      throw new UsageError('--reason goes with --node <id> --only or --downstream');
    }
    if (this.reason?.trim() === '') throw new UsageError('--reason is empty: say why the steps run again');
    return rerun;
  }

  /** The inputs stored with the run this resume will take (the same choice the engine makes). */
  protected override async storedInputs(
    runbook: Runbook,
  ): Promise<Readonly<Record<string, InputValue | null>> | undefined> {
    if ((runbook.inputs ?? []).length === 0) return undefined;
    const workflowName = runbook.meta.title;
    return this.withRepository(async (repository) => {
      // The engine's own choice of run (a waiting one included); none: the engine says so when it resumes.
      const state = await findResumeRun(repository, workflowName, this.parsedRunId()).catch(() => undefined);
      return state?.inputs;
    });
  }

  protected override sessionFlags(): string[] {
    const flags = super.sessionFlags();
    if (this.node !== undefined) flags.push('--node', this.node);
    return flags;
  }

  private parsedRunId(): number | undefined {
    return this.runId === undefined ? undefined : parseRunId(this.runId, 'run_id');
  }
}
