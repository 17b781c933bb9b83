import { createHash } from 'node:crypto';
import type { Runbook } from '@playbook/domain';
import type { RunHistory } from '@playbook/engine';
import { REPORT_CSS, REPORT_FORMATS, type ReportFormat, renderRunReport } from '@playbook/report';

const REPORT = /^\/workflows\/([^/]+)\/runs\/([1-9]\d{0,15})\/report$/;

/**
 * The report page's own policy: the report is one self-contained page whose only inline part is its style
 * sheet, allowed by its hash — no script at all, nothing from anywhere.
 */
export const REPORT_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(REPORT_CSS).digest('base64')}'`,
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Readonly<Record<ReportFormat, string>> = {
  html: 'text/html; charset=utf-8',
  // Shown as text in the browser rather than downloaded.
  md: 'text/plain; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/** An answer of the report route. */
export interface ReportAnswer {
  readonly status: 200 | 400 | 404;
  readonly type: string;
  readonly body: string;
}

/**
 * The run report of `playbook report` (SPEC §10.3) for a path `/workflows/<name>/runs/<id>/report`, in the
 * `format` of the query (html by default, md, json); undefined for any other path.
 */
export async function reportAnswer(
  history: RunHistory,
  runbooks: ReadonlyMap<string, Runbook>,
  url: URL,
  now: () => Date,
): Promise<ReportAnswer | undefined> {
  const match = REPORT.exec(url.pathname);
  if (match === null) return undefined;
  const text = { type: 'text/plain; charset=utf-8' };
  let workflowName: string;
  try {
    workflowName = decodeURIComponent(match[1]!);
  } catch {
    return undefined;
  }
  const format = (url.searchParams.get('format') ?? 'html') as ReportFormat;
  if (!REPORT_FORMATS.includes(format))
    return { status: 400, ...text, body: `format must be one of ${REPORT_FORMATS.join(', ')}\n` };
  const state = await history.loadRun({ workflowName, runId: Number(match[2]) });
  if (state === undefined) return { status: 404, ...text, body: 'No such run\n' };
  const runbook = runbooks.get(workflowName);
  // The audit chain's head pins the report to the history (SPEC §10.3), as `playbook verify` prints it.
  const head = await history.auditHead(state.run);
  const body = await renderRunReport(
    { state, ...(runbook === undefined ? {} : { runbook }), auditHeadHash: head?.hash ?? null },
    format,
    { generatedAt: now().toISOString() },
  );
  return { status: 200, type: TYPES[format], body };
}
