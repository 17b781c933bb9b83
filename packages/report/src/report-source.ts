import type { Runbook } from '@playbook/domain';
import type { RunState } from '@playbook/engine';
import type { OutputLine, ReportApproval } from './report-schema.js';

/** One input value of the run; a secret one is shown as `***` whatever `value` holds. */
export interface SourceInput {
  readonly name: string;
  readonly value: unknown;
  readonly secret: boolean;
}

/** What the history knows of one attempt beyond its `executions` row. */
export interface SourceAttemptDetail {
  readonly nodeId: string;
  readonly attempt: number;
  /** Who ran or decided it, as claimed. */
  readonly operator?: string | null;
  /** What actually ran, as recorded (the rendered command, the function and params). */
  readonly ran?: string | null;
  /** Captured lines of both streams in arrival order, each with its time; default: the attempt's `outputLog`. */
  readonly lines?: readonly OutputLine[];
}

/**
 * A run's history record: what a report is made from. `state` is what `RunHistory.loadRun` returns; the rest is
 * optional, shown when the caller has it.
 */
export interface ReportSource {
  readonly state: RunState;
  /** The runbook the run was started with: its version, the DAG's edges, node names and what each node runs. */
  readonly runbook?: Runbook;
  readonly inputs?: readonly SourceInput[];
  readonly startedBy?: string | null;
  readonly attemptDetails?: readonly SourceAttemptDetail[];
  readonly approvals?: readonly ReportApproval[];
  /** The audit chain's head hash (`playbook verify`). */
  readonly auditHeadHash?: string | null;
}

/** How much of a big run a report shows: each part is cut to these sizes, so the report stays bounded. */
export interface ReportLimits {
  /** Lines of each captured stream's tail. */
  readonly tailLines: number;
  /** Characters of each captured stream's tail. */
  readonly tailChars: number;
  /** Characters of a note, exception, input value or command. */
  readonly textChars: number;
  /** Attempts in the timeline: past it, the first and last halves are kept. */
  readonly attempts: number;
}

export const DEFAULT_REPORT_LIMITS: ReportLimits = {
  tailLines: 40,
  tailChars: 4000,
  textChars: 4000,
  attempts: 1000,
};

/** Options of `buildRunReport` and the renderers. */
export interface ReportOptions {
  /** When the report is made (UTC ISO-8601); left out, the report carries no time of its own. */
  readonly generatedAt?: string;
  readonly limits?: Partial<ReportLimits>;
}
