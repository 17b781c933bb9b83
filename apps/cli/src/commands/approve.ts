import type { InputValue, Runbook, RunState } from '@playbook/domain';
// The engine by name, statically: a dynamic `import()` of @playbook/engine keeps every export of its entry, and
// esbuild then puts them in the chunks of every command that imports any (docs/performance.md). This module is
// itself loaded only for its command.
import { planRun } from '@playbook/engine';
import type { GateDecided } from '@playbook/engine/approvals';
import { redactUrl } from '@playbook/postgres/redact';
import { stateFlagsText } from '../approval-hint.js';
import { BaseCommand } from '../base-command.js';
import { Command, Option, UsageError } from '../clipanion.js';
import { CliError, ExitCode } from '../errors.js';
import { parseRunId } from '../run-id.js';
import type { RunStore } from '../state-store.js';
import { createColors } from '../terminal/colors.js';
import { visibleLine } from '../terminal/visible.js';
import { unknownWorkflowError } from '../unknown-workflow.js';
import { shellQuote } from './run-options.js';

/** What `approve` and `reject` share: finding the run and its gate, checking who decides, recording it. */
abstract class GateDecisionCommand extends BaseCommand {
  workflow = Option.String({ name: 'workflow' });

  runId = Option.String({ name: 'run_id' });

  node = Option.String({ name: 'node', required: false });

  note = Option.String('--note', { description: 'Why: kept with the decision and shown by show and report' });

  resumeFile = Option.String('--resume', {
    description: 'The runbook file: checked against the run, and once the gate opens the run is resumed',
  });

  protected abstract readonly decision: 'approve' | 'reject';

  override async execute(): Promise<number> {
    const runId = parseRunId(this.runId, 'run_id');
    const note = this.note?.trim() === '' ? undefined : this.note?.trim();
    if (this.decision === 'reject' && note === undefined) {
      throw new UsageError('reject needs --note <text>: why the gate is rejected');
    }
    const file = this.resumeFile === undefined ? undefined : await this.loadFile(this.resumeFile);
    if (file === null) return ExitCode.failure;
    if (!(await this.stateFileExists())) {
      throw new CliError(`no run history yet: ${this.stateLocation()} does not exist`);
    }
    const config = this.resolveConfig();
    const [{ decideGate }, { createNodePorts }] = await Promise.all([
      import('@playbook/engine/approvals'),
      import('@playbook/engine/node'),
    ]);
    const { identity } = createNodePorts({ clock: this.context.clock, operator: config.operator ?? null });
    const decided = await this.withRepository(async (repository) => {
      const state = await this.loadState(repository, runId);
      const runbook = file ?? (await this.storedRunbook(repository, state));
      return decideGate(
        { repository, clock: this.context.clock },
        {
          runbook,
          state,
          ...(this.node === undefined ? {} : { nodeId: this.node }),
          decision: this.decision,
          note: note ?? null,
          by: identity,
          flags: [
            ...(this.node === undefined ? [] : [this.node]),
            ...(note === undefined ? [] : ['--note']),
            ...(this.resumeFile === undefined ? [] : ['--resume', this.resumeFile]),
          ],
          beforeRecord: (gate) =>
            this.decision === 'approve' ? this.printRemaining(runbook, state, gate.id) : undefined,
        },
      );
    });
    this.printDecided(decided, runId);
    if (this.resumeFile !== undefined && decided.outcome.gate === 'approved') return this.resume(runId);
    return ExitCode.ok;
  }

  /** The runbook file given with `--resume`, checked; null when invalid (its problems printed). */
  private async loadFile(path: string): Promise<Runbook | null> {
    const { loadRunbook } = await import('@playbook/parser');
    const result = await loadRunbook(this.resolvePath(path));
    if (!result.ok) {
      await this.writeProblems(result.problems, path, 'stderr');
      return null;
    }
    if (result.runbook.meta.title !== this.workflow) {
      throw new CliError(
        `${path} is the runbook of "${result.runbook.meta.title}", not of "${this.workflow}"`,
      );
    }
    return result.runbook;
  }

  private async loadState(repository: RunStore, runId: number): Promise<RunState> {
    const state = await repository.loadRun({ workflowName: this.workflow, runId });
    if (state !== undefined) return state;
    const runs = await repository.listRuns(this.workflow);
    if (runs.length === 0) {
      throw await unknownWorkflowError(this.workflow, repository.listWorkflows(), this.stateLocation());
    }
    throw new CliError(`workflow "${this.workflow}" has no run ${runId}`);
  }

  /** The runbook the run waits with, as stored with it (by its hash). */
  private async storedRunbook(repository: RunStore, state: RunState): Promise<Runbook> {
    const hash = state.run.runbookHash;
    const text = hash === null ? undefined : await repository.runbookText(hash);
    if (hash === null || text === undefined) {
      throw new CliError(
        `the runbook of run ${state.run.runId} of "${this.workflow}" is not in the history: give its file with --resume <file>`,
      );
    }
    const { parseRunbook } = await import('@playbook/parser');
    const parsed = parseRunbook(text, `${this.workflow} (stored runbook ${hash.slice(0, 12)})`);
    if (!parsed.ok) {
      throw new CliError(
        `the stored runbook of run ${state.run.runId} cannot be read: give its file with --resume`,
      );
    }
    return { ...parsed.runbook, source: { ...parsed.runbook.source, hash, text } } as Runbook;
  }

  /** What remains of the run once the gate opens, rendered (SPEC §10.2): what the approver agrees to. */
  private async printRemaining(runbook: Runbook, state: RunState, gate: string): Promise<void> {
    const inputs: Record<string, InputValue> = {};
    for (const [name, value] of Object.entries(state.inputs ?? {})) if (value !== null) inputs[name] = value;
    const { planText } = await import('../format/plan-text.js');
    const plan = await planRun(runbook, {
      inputs,
      resume: { state, runId: state.run.runId, opening: gate },
    });
    this.print(`What remains of run ${state.run.runId} once the gate opens:\n`);
    this.print(planText(plan, createColors(this.context.color.stdout)));
  }

  private printDecided(decided: GateDecided, runId: number): void {
    const { gate, who, outcome } = decided;
    const name = `"${visibleLine(gate.name)}"`;
    const verb = this.decision === 'approve' ? 'Approval' : 'Rejection';
    const min = gate.approval.min;
    const lines: string[] = [];
    switch (outcome.gate) {
      case 'waiting':
        lines.push(
          `${verb} by ${visibleLine(who)} recorded for ${name}: ${outcome.approvers.length} of ${min} approvals; the run keeps waiting.`,
        );
        break;
      case 'approved':
        lines.push(
          `${this.style('green', 'Approved')}: ${name} is open (${visibleLine(outcome.approvers.join(', '))}).`,
        );
        if (this.resumeFile === undefined) {
          lines.push(`Continue the run with: playbook resume <runbook file> ${runId}${this.stateFlags()}`);
        }
        break;
      case 'rejected':
        lines.push(
          `${this.style('red', 'Rejected')}: ${name} by ${visibleLine(who)}; run ${runId} is now nok. Resuming it asks for approval again.`,
        );
        break;
      case 'decided-before':
        lines.push(
          `${verb} by ${visibleLine(who)} recorded; ${name} had been decided at the same moment, so it changes nothing.`,
        );
        break;
    }
    this.print(`${lines.join('\n')}\n`);
  }

  private stateFlags(): string {
    return stateFlagsText({
      statePath: this.statePath,
      stateUrl: this.stateUrl === undefined ? undefined : redactUrl(this.stateUrl),
      configFile: this.configFile,
    });
  }

  /** `playbook resume <file> <run_id>` with the same history flags, in this process. */
  private async resume(runId: number): Promise<number> {
    const [{ newCli }, { ResumeCommand }] = await Promise.all([
      import('../playbook-cli.js'),
      import('./resume.js'),
    ]);
    const cli = newCli({});
    cli.register(ResumeCommand);
    const args = ['resume', this.resumeFile as string, String(runId)];
    if (this.statePath !== undefined) args.push('--state-path', this.statePath);
    if (this.stateUrl !== undefined) args.push('--state-url', this.stateUrl);
    if (this.configFile !== undefined) args.push('--config', this.configFile);
    this.print(`\n$ playbook resume ${shellQuote(this.resumeFile as string)} ${runId}\n`);
    return cli.run(args, this.context);
  }
}

/** `playbook approve <workflow> <run_id> [node]`: approves a gate the run waits at (SPEC §10.2). */
export class ApproveCommand extends GateDecisionCommand {
  static override paths = [['approve']];

  static override usage = Command.Usage({
    description: 'Approve an approval gate a run is waiting at',
    details: `
      Prints what remains of the run once the gate opens (its plan, rendered), then records the approval of
      the operator (\`PLAYBOOK_OPERATOR\`, config \`operator\`, else the OS user), bound to the run's runbook
      (its content hash) and inputs. The node may be left out when the run waits at one gate only.

      Refused with exit 1 and the reason: a run or node that is not waiting, an operator who is not one of the
      gate's approvers, whoever started or resumed the run when the gate says \`not_starter\`, a second
      decision by the same person, or a \`--resume\` file that is not the runbook the run waits with.

      The gate opens at its \`min\`-th approval; then \`playbook resume\` continues the run — or this command
      does, given \`--resume <file>\`. See docs/approvals.md.
    `,
    examples: [
      ['Approve the gate run 3 of "Deploy" waits at', '$0 approve Deploy 3 prod_gate --note "change CHG-42"'],
      ['Approve and continue the run', '$0 approve Deploy 3 prod_gate --resume deploy.playbook.toml'],
    ],
  });

  protected readonly decision = 'approve' as const;
}

/** `playbook reject <workflow> <run_id> [node] --note <why>`: rejects a gate; the run ends nok. */
export class RejectCommand extends GateDecisionCommand {
  static override paths = [['reject']];

  static override usage = Command.Usage({
    description: 'Reject an approval gate a run is waiting at',
    details: `
      Records the rejection (with its required note) by the operator; the gate ends nok (decision
      \`rejected\`) and so does the run. \`playbook resume\` of that run asks for approval again: the gate waits
      for a new round of decisions. Refused like \`approve\` (see its help and docs/approvals.md).
    `,
    examples: [['Reject the gate of run 3', '$0 reject Deploy 3 prod_gate --note "freeze until Monday"']],
  });

  protected readonly decision = 'reject' as const;
}
