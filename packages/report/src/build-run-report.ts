import type { RunbookNode } from '@playbook/domain';
import { formatIdentity } from '@playbook/domain/text';
import type { AttemptRecord } from '@playbook/engine';
import { nodeRunStatuses } from '@playbook/graphviz';
import type {
  OutputLine,
  OutputTail,
  ReportApproval,
  ReportAttempt,
  ReportInput,
  ReportNode,
  RunReport,
} from './report-schema.js';
import { RUN_REPORT_SCHEMA_ID } from './report-schema.js';
import {
  DEFAULT_REPORT_LIMITS,
  type ReportLimits,
  type ReportOptions,
  type ReportSource,
  type SourceAttemptDetail,
} from './report-source.js';

/** What the report says of identities (SPEC §10.1): a name is what the operator claimed. */
export const IDENTITY_NOTE =
  'Operator names are as claimed (PLAYBOOK_OPERATOR or the config), unless each person has their own database role.';

const SECRET = '***';

/** `text` cut to its first `max` characters, saying how much was left out. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

/** The end of a captured stream: its last `tailLines` lines, at most `tailChars` characters. */
export function outputTail(text: string | null, limits: ReportLimits): OutputTail {
  if (text === null || text === '') return { text: '', omittedChars: 0 };
  let start = Math.max(0, text.length - limits.tailChars);
  // Count lines backwards without splitting the whole text: a stored stream can hold megabytes.
  let lines = 0;
  const end = text.endsWith('\n') ? text.length - 1 : text.length;
  for (let i = end - 1; i >= start; i--) {
    if (text.charCodeAt(i) === 10) {
      lines++;
      if (lines === limits.tailLines) {
        start = i + 1;
        break;
      }
    }
  }
  return { text: text.slice(start), omittedChars: start };
}

function lineTail(lines: readonly OutputLine[], limits: ReportLimits): OutputLine[] {
  const kept: OutputLine[] = [];
  let chars = 0;
  for (let i = lines.length - 1; i >= 0 && kept.length < limits.tailLines; i--) {
    const line = lines[i]!;
    chars += line.text.length;
    if (chars > limits.tailChars && kept.length > 0) break;
    kept.push({ ...line, text: clip(line.text, limits.tailChars) });
  }
  return kept.reverse();
}

/** What a node runs, as its runbook says: the command, the function and its params, or the prompt. */
export function nodeDefinition(node: RunbookNode): string {
  switch (node.type) {
    case 'Command':
      return node.commandName;
    case 'Function':
      return `${node.functionName} ${JSON.stringify(node.functionParams)}`;
    case 'Manual':
      return node.prompt;
  }
}

/** The command line, or the function and its params, as the attempt recorded them; null when it recorded none. */
function recordedRan(ran: AttemptRecord['ran']): string | null {
  if (ran == null || ran.command === null) return null;
  const what = ran.params === null ? ran.command : `${ran.command} ${ran.params}`;
  return ran.cwd === null ? what : `${what} (in ${ran.cwd})`;
}

function inputText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

function reportInputs(source: ReportSource, limits: ReportLimits): ReportInput[] {
  // Without the caller's list, the run's stored inputs: a secret one is stored as null (never its value).
  const given =
    source.inputs ??
    Object.entries(source.state.inputs ?? {}).map(([name, value]) => ({
      name,
      value,
      secret: value === null,
    }));
  const inputs: ReportInput[] = given.map((input) => ({
    name: input.name,
    value: input.secret ? SECRET : clip(inputText(input.value), limits.textChars),
    secret: input.secret,
  }));
  // Remembered `${ask}` answers are inputs the operator typed; secret ones are never stored.
  for (const [nodeId, params] of Object.entries(source.state.answers)) {
    for (const [param, value] of Object.entries(params)) {
      inputs.push({ name: `${nodeId}.${param}`, value: clip(value, limits.textChars), secret: false });
    }
  }
  return inputs;
}

function reportNodes(source: ReportSource): ReportNode[] {
  const statuses = nodeRunStatuses(source.state.attempts);
  const nodes: ReportNode[] = [];
  const seen = new Set<string>();
  const add = (id: string, node: RunbookNode | undefined): void => {
    if (seen.has(id)) return;
    seen.add(id);
    const run = statuses.get(id);
    nodes.push({
      id,
      name: node?.name ?? id,
      type: node?.type ?? null,
      dependsOn: [...(node?.dependsOn ?? [])],
      critical: node?.critical ?? false,
      status: run?.status ?? 'pending',
      attempts: run?.attempts ?? 0,
      durationMs: run?.durationMs ?? null,
    });
  };
  for (const node of source.runbook?.nodes ?? []) add(node.id, node);
  for (const id of source.state.run.nodeIds) add(id, undefined);
  for (const attempt of source.state.attempts) add(attempt.nodeId, undefined);
  return nodes;
}

function detailKey(nodeId: string, attempt: number): string {
  return `${attempt}#${nodeId}`;
}

function reportAttempt(
  attempt: AttemptRecord,
  node: RunbookNode | undefined,
  detail: SourceAttemptDetail | undefined,
  limits: ReportLimits,
): ReportAttempt {
  // What the attempt recorded it ran (SPEC §10.1: rendered, secrets masked) comes before the file's definition.
  const ran = detail?.ran ?? recordedRan(attempt.ran) ?? (node === undefined ? null : nodeDefinition(node));
  const text = (value: string | null): string | null =>
    value === null ? null : clip(value, limits.textChars);
  return {
    nodeId: attempt.nodeId,
    nodeName: node?.name ?? attempt.nodeId,
    attempt: attempt.attempt,
    status: attempt.status,
    operator: detail?.operator ?? (attempt.by == null ? null : formatIdentity(attempt.by)),
    decision: attempt.operatorDecision,
    note: text(attempt.resultText),
    exception: text(attempt.exception),
    startTime: attempt.startTime,
    endTime: attempt.endTime,
    durationMs: attempt.durationMs,
    exitCode: attempt.exitCode,
    ran: text(ran),
    stdout: outputTail(attempt.stdout, limits),
    stderr: outputTail(attempt.stderr, limits),
    lines: lineTail(detail?.lines ?? attempt.outputLog?.lines ?? [], limits),
  };
}

/**
 * The report of one run, as data: every format renders this. Pure and bounded: however much a run printed,
 * each attempt contributes at most its tails and clipped texts, and the timeline at most `limits.attempts`
 * attempts.
 */
export function buildRunReport(source: ReportSource, options: ReportOptions = {}): RunReport {
  const limits: ReportLimits = { ...DEFAULT_REPORT_LIMITS, ...options.limits };
  const { run, attempts } = source.state;
  const nodesById = new Map((source.runbook?.nodes ?? []).map((node) => [node.id, node]));
  const details = new Map(
    (source.attemptDetails ?? []).map((detail) => [detailKey(detail.nodeId, detail.attempt), detail]),
  );

  let shown: readonly AttemptRecord[] = attempts;
  let omittedAttempts = 0;
  if (attempts.length > limits.attempts) {
    const head = Math.ceil(limits.attempts / 2);
    const tail = limits.attempts - head;
    shown = [...attempts.slice(0, head), ...attempts.slice(attempts.length - tail)];
    omittedAttempts = attempts.length - shown.length;
  }

  const meta = source.runbook?.meta;
  return {
    schema: RUN_REPORT_SCHEMA_ID,
    generatedAt: options.generatedAt ?? null,
    workflow: run.workflowName,
    runId: run.runId,
    runbook: {
      title: meta?.title ?? run.workflowName,
      version: meta?.version ?? null,
      description: meta === undefined ? null : clip(meta.description, limits.textChars),
      contentHash: run.runbookHash,
    },
    run: {
      status: run.status,
      trigger: run.trigger,
      startedBy: source.startedBy ?? (run.startedBy == null ? null : formatIdentity(run.startedBy)),
      startTime: run.startTime,
      endTime: run.endTime,
      nodesOk: run.nodesOk,
      nodesNok: run.nodesNok,
      nodesSkipped: run.nodesSkipped,
    },
    identityNote: IDENTITY_NOTE,
    inputs: reportInputs(source, limits),
    nodes: reportNodes(source),
    timeline: shown.map((attempt) =>
      reportAttempt(
        attempt,
        nodesById.get(attempt.nodeId),
        details.get(detailKey(attempt.nodeId, attempt.attempt)),
        limits,
      ),
    ),
    approvals: (source.approvals ?? storedApprovals(source.state)).map((approval) => ({
      ...approval,
      note: approval.note === null ? null : clip(approval.note, limits.textChars),
    })),
    auditHeadHash: source.auditHeadHash ?? null,
    omittedAttempts,
  };
}

/** The approvals and rejections the history holds for the run (docs/approvals.md), as the report shows them. */
function storedApprovals(state: ReportSource['state']): ReportApproval[] {
  return (state.approvals ?? []).map((approval) => ({
    nodeId: approval.nodeId,
    operator: approval.who,
    decision: approval.decision === 'approve' ? 'approved' : 'rejected',
    note: approval.note,
    time: approval.at,
  }));
}
