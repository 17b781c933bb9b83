import type { RunKey } from '@playbook/engine';
// The engine by name, statically: a dynamic `import()` of @playbook/engine/audit keeps every export of its entry, and
// esbuild then puts them in the chunks of every command that imports any (docs/performance.md). This module is
// itself loaded only for its command.
import { verifyRun } from '@playbook/engine/audit';
import { BaseCommand } from '../base-command.js';
import { Command, Option } from '../clipanion.js';
import { CliError, ExitCode } from '../errors.js';
import { parseRunId } from '../run-id.js';
import { visibleLine } from '../terminal/visible.js';
import { unknownWorkflowError } from '../unknown-workflow.js';

/** `playbook verify <workflow>`: checks runs against their audit log (SPEC §10.3). */
export class VerifyCommand extends BaseCommand {
  static override paths = [['verify']];

  static override usage = Command.Usage({
    description: "Check a workflow's runs against their tamper-evident audit log",
    details: `
      Every change to a run (run created, resumed or finished, attempt started or ended, a decision, an
      answer, a session) is appended to an audit log in the same transaction, each entry carrying the SHA-256
      of the run's previous one. \`verify\` recomputes each run's chain, replays it against the tables, and
      names the first entry or row that was changed, inserted or removed.

      It prints one line per run (oldest first) with its head hash — the hash of its newest entry, which a
      ticket can pin — and exits 0 when every run checked is intact, 1 otherwise. Runs written before the log
      existed are reported as unchained, not broken. Nothing is written: not even a stale run is recovered.
    `,
    examples: [
      ['Check every run of "Deploy"', '$0 verify Deploy'],
      ['Check run 3 only', '$0 verify Deploy --run-id 3'],
    ],
  });

  workflow = Option.String({ name: 'workflow' });

  runId = Option.String('--run-id', { description: 'Check this run only' });

  override async execute(): Promise<number> {
    const runId = this.runId === undefined ? undefined : parseRunId(this.runId);
    const { statePath } = this.resolveConfig();
    if (!(await this.stateFileExists())) {
      throw new CliError(`no run history yet: ${statePath} does not exist`);
    }
    return this.withRepository(
      async (repository) => {
        const runs = await repository.listRuns(this.workflow);
        if (runs.length === 0)
          throw await unknownWorkflowError(this.workflow, repository.listWorkflows(), this.stateLocation());
        // Run ids are given in order without gaps (1, 2, 3…): every id up to the newest is checked, so a run whose
        // rows were deleted is named, not passed over.
        const newest = runs.reduce((most, run) => Math.max(most, run.runId), 0);
        const known = new Set(runs.map((run) => run.runId));
        const ids = Array.from({ length: newest }, (_, index) => index + 1);
        if (runId !== undefined && !known.has(runId) && runId > newest) {
          // Above the newest id: only a leftover audit log says such a run existed.
          const log = await repository.auditLog({ workflowName: this.workflow, runId });
          if (log.entries.length === 0) throw new CliError(`workflow "${this.workflow}" has no run ${runId}`);
        }
        // Runs from before the audit log existed (a history it was added to, a prototype's adopted) are the oldest,
        // and their ids may have gaps nobody can vouch for: a missing id up to the newest of them is no removal.
        // The logs read to tell are kept for the check below, which would read them again.
        let unchainedUpTo = 0;
        const logsRead = new Map<number, Awaited<ReturnType<typeof repository.auditLog>>>();
        for (const id of [...known].sort((a, b) => a - b)) {
          const log = await repository.auditLog({ workflowName: this.workflow, runId: id });
          logsRead.set(id, log);
          if (!log.unchained) break;
          unchainedUpTo = id;
        }
        let intact = true;
        for (const id of runId === undefined ? ids : [runId]) {
          const key: RunKey = { workflowName: this.workflow, runId: id };
          const [state, log, reruns] = await Promise.all([
            repository.loadRun(key),
            logsRead.get(id) ?? repository.auditLog(key),
            known.has(id) ? repository.listReruns?.(key) : undefined,
          ]);
          logsRead.delete(id);
          if (state === undefined && log.entries.length === 0 && id < unchainedUpTo) {
            this.print(`run ${id}: not in the history, from before the audit log existed (not checked)\n`);
            continue;
          }
          const verdict = verifyRun(key, log, state, reruns);
          if (verdict.status === 'intact') {
            this.print(`run ${id}: intact · ${verdict.entries} entries · head ${verdict.head.hash}\n`);
          } else if (verdict.status === 'unchained') {
            this.print(`run ${id}: unchained (written before the audit log existed)\n`);
          } else {
            intact = false;
            const head = verdict.head === null ? 'no head' : `head ${verdict.head.hash} (as stored)`;
            this.print(
              `run ${id}: ${this.style('red', 'BROKEN')}: ${visibleLine(verdict.problem)} · ${head}\n`,
            );
          }
        }
        return intact ? ExitCode.ok : ExitCode.failure;
      },
      { readonly: true },
    );
  }
}
