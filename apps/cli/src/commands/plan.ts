import type { InputValue, Runbook, RunState } from '@playbook/domain';
// The engine by name, statically: a dynamic `import()` of @playbook/engine keeps every export of its entry, and
// esbuild then puts them in the chunks of every command that imports any (docs/performance.md). This module is
// itself loaded only for its command.
import { findResumeRun, type PlanResumeOptions, planRun } from '@playbook/engine';
import { BaseCommand } from '../base-command.js';
import { Command, Option, UsageError } from '../clipanion.js';
import { CliError, ExitCode } from '../errors.js';
import { parseRunId } from '../run-id.js';
import { storedRunbook } from '../stored-runbook.js';
import { createColors } from '../terminal/colors.js';

/** `playbook plan <file>`: what a run, or a resume, would do — without doing any of it. */
export class PlanCommand extends BaseCommand {
  static override paths = [['plan']];

  static override usage = Command.Usage({
    description: 'Show what a run or a resume would do, without running anything',
    details: `
      Lists the steps in the order a run takes them (one at a time), numbered \`[3/8]\`: each step's kind, its
      command, prompt or function call with the inputs rendered (what is known only at run time — a step's
      output, the run id, an input without a value — is left as its template), its condition (\`runs\`,
      \`skipped: <expr>\`, or \`decided at run time\`), and whether it is critical or skippable, its timeout,
      retry policy and run_if. Inputs come from \`--var\`, \`--vars-file\`, \`PLAYBOOK_VAR_<name>\` and the
      defaults, as for \`playbook run\`; nothing is asked, and a secret input is shown as \`***\`.

      With \`--resume [run_id]\`, the plan is that of \`playbook resume\` with the same options: which steps are
      kept and which run again (\`--node <id>\`, with \`--only\` or \`--downstream\`), read from the run history.

      Nothing is run, no Function module is imported, and nothing is written: no run is created, and a missing
      run history is not created either. \`--json\` prints the plan as one JSON document (docs/plan.md).
    `,
    examples: [
      ['What a run of a runbook would do', '$0 plan deploy.playbook.toml'],
      ['With an input given', '$0 plan release.playbook.toml --var version=1.4.0'],
      ['What resuming run 3 would do', '$0 plan deploy.playbook.toml --resume 3'],
      ['The plan as JSON', '$0 plan deploy.playbook.toml --json'],
    ],
  });

  file = Option.String({ name: 'file' });

  runId = Option.String({ name: 'run_id', required: false });

  vars = Option.Array('--var', [], {
    description: 'Give an input of the runbook its value: <name>=<value> (repeatable)',
  });

  varsFile = Option.String('--vars-file', {
    description:
      'Read input values from a TOML or JSON file (names the runbook does not declare are ignored)',
  });

  resume = Option.Boolean('--resume', false, {
    description: 'Plan a resume of run [run_id] (default: the newest resumable run) instead of a new run',
  });

  node = Option.String('--node', {
    description: 'With --resume: run this step and every step after it again, whatever their status',
  });

  only = Option.Boolean('--only', false, {
    description: 'With --node: run just that step again',
  });

  downstream = Option.Boolean('--downstream', false, {
    description: 'With --node: run that step and every step that depends on it again',
  });

  json = Option.Boolean('--json', false, {
    description: 'Print the plan as JSON (schema/plan.schema.json)',
  });

  override async execute(): Promise<number> {
    // Usage errors first, before any file is read.
    const runId = this.runId === undefined ? undefined : parseRunId(this.runId, 'run_id');
    const rerun = this.rerun();
    if (!this.resume && (runId !== undefined || this.node !== undefined)) {
      throw new UsageError(
        `${runId !== undefined ? 'a run id' : '--node'} goes with --resume: plan --resume [run_id] --node <id>`,
      );
    }

    const runbook = await this.loadRunbook();
    if (runbook === undefined) return ExitCode.failure;
    const config = this.resolveConfig();
    const resumed = this.resume ? await this.resumedRun(runbook, runId) : undefined;
    const state = resumed?.state;
    const { commandInputs } = await import('../inputs/command-inputs.js');
    const inputs: Readonly<Record<string, InputValue>> = await commandInputs({
      runbook,
      vars: this.vars,
      varsFile: this.varsFile,
      resolvePath: (path) => this.resolvePath(path),
      env: this.context.env,
      stored: state?.inputs,
      askAgain: false,
      // Never asked: a plan shows an input without a value as known only when the run starts.
      leaveMissing: true,
      report: (kind, line) =>
        this.context.stderr.write(
          `${this.styleError(kind === 'warning' ? 'yellow' : 'red', `${kind}:`)} ${line}\n`,
        ),
    });

    const resume: PlanResumeOptions | undefined =
      state === undefined
        ? undefined
        : {
            state,
            ...(runId === undefined ? {} : { runId }),
            ...(this.node === undefined ? {} : { fromNode: this.node }),
            ...(rerun === undefined ? {} : { rerun }),
            previousRunbook: async () => resumed?.previous,
          };
    let plan: Awaited<ReturnType<typeof planRun>>;
    try {
      plan = await planRun(runbook, {
        inputs,
        // As `run` takes it: the operator is known before anything runs.
        operator: config.operator ?? '',
        defaultTimeoutSeconds: config.defaultTimeoutSeconds,
        ...(resume === undefined ? {} : { resume }),
      });
    } catch (error) {
      throw asUsageMistake(error);
    }
    if (this.json) this.printJson(plan);
    else {
      const { planText } = await import('../format/plan-text.js');
      this.print(planText(plan, createColors(this.context.color.stdout)));
    }
    return ExitCode.ok;
  }

  /** `--only` or `--downstream`, checked against `--node` and each other (as `resume` checks them). */
  private rerun(): 'only' | 'downstream' | undefined {
    if (this.only && this.downstream) throw new UsageError('give --only or --downstream, not both');
    const rerun = this.only ? 'only' : this.downstream ? 'downstream' : undefined;
    if (rerun !== undefined && this.node === undefined) {
      throw new UsageError(`--${rerun} needs --node <id>: the step to run again`);
    }
    return rerun;
  }

  /**
   * Parses and checks the runbook, printing every problem on stderr; undefined when it is invalid. Function
   * modules are not loaded: a plan imports nothing a runbook names (`validate` and `run` check them).
   */
  private async loadRunbook(): Promise<Runbook | undefined> {
    const { loadRunbook } = await import('@playbook/parser');
    const result = await loadRunbook(this.resolvePath(this.file));
    if (!result.ok) {
      await this.writeProblems(result.problems, this.file, 'stderr');
      const errors = result.problems.filter((problem) => problem.severity === 'error').length;
      this.context.stderr.write(
        `${this.styleError('red', '✖')} ${this.file} is invalid (${errors} error${errors === 1 ? '' : 's'}); nothing was planned.\n`,
      );
      return undefined;
    }
    await this.writeProblems(result.warnings, this.file, 'stderr');
    return result.runbook;
  }

  /**
   * The run `playbook resume` would take, read from the history opened read-only: a plan never creates a
   * history that does not exist, nor records a stale run as aborted (resume would do that, a plan only says so).
   */
  private async resumedRun(
    runbook: Runbook,
    runId: number | undefined,
  ): Promise<{ state: RunState; previous: Runbook | undefined }> {
    if (!(await this.stateFileExists())) {
      throw new CliError(
        `no run history yet: ${this.stateLocation()} does not exist, so there is no run to resume`,
      );
    }
    return this.withRepository(
      async (repository) => {
        const state = await findResumeRun(repository, runbook.meta.title, runId);
        // The runbook the run started with, when the file changed since: the plan names the changed steps.
        const hash = state.run.runbookHash;
        const changed = hash !== null && hash !== runbook.source?.hash;
        const previous = changed ? await storedRunbook(repository, hash) : undefined;
        return { state, previous };
      },
      { readonly: true },
    );
  }
}

/** A step that is not in the file, or a re-run asked the wrong way, is a mistake on the command line (exit 2). */
function asUsageMistake(error: unknown): unknown {
  const code = String((error as { code?: unknown } | null)?.code);
  if (error instanceof Error && ['NODE_NOT_FOUND', 'RERUN_REFUSED'].includes(code)) {
    return new CliError(error.message, ExitCode.usage, { cause: error });
  }
  return error;
}
