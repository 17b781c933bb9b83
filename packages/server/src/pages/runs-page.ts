import type { RunHistory, RunRecord } from '@playbook/engine';
import { type Html, html } from '../html.js';
import { durationText, type PageContent, runPath, statusBadge, timeText, workflowPath } from './layout.js';
import { notFoundPage } from './not-found.js';
import { statusesOf } from './run-statuses.js';

/** Runs per page: a workflow run every few minutes for a year has 100,000; a page shows the newest of them. */
export const RUNS_PER_PAGE = 100;

/** What the runs page was asked for: a status to keep (all when undefined) and a page number from 1. */
export interface RunsQuery {
  readonly status?: string | undefined;
  readonly page?: number | undefined;
}

/** A workflow's runs, newest first, filtered by status, a page at a time. */
export async function runsPage(
  history: RunHistory,
  workflowName: string,
  query: RunsQuery,
): Promise<PageContent> {
  const runs = await history.listRuns(workflowName);
  if (runs.length === 0) return notFoundPage(`There is no workflow named “${workflowName}” in this history.`);

  const counts: Record<string, number> = {};
  for (const run of runs) counts[run.status] = (counts[run.status] ?? 0) + 1;
  const kept = query.status === undefined ? runs : runs.filter((run) => run.status === query.status);
  const pages = Math.max(1, Math.ceil(kept.length / RUNS_PER_PAGE));
  const page = Math.min(Math.max(1, query.page ?? 1), pages);
  const shown = kept.slice((page - 1) * RUNS_PER_PAGE, page * RUNS_PER_PAGE);
  const base = workflowPath(workflowName);

  const filters = [
    html`<a href="${base}" class="${query.status === undefined ? 'filter current' : 'filter'}">all <span class="count">${runs.length}</span></a>`,
    ...statusesOf(counts).map(
      (status) =>
        html`<a href="${base}?status=${status}" class="${query.status === status ? 'filter current' : 'filter'}">${statusBadge(status)} <span class="count">${counts[status] ?? 0}</span></a>`,
    ),
  ];
  const table =
    shown.length === 0
      ? html`<p class="empty">No run of this workflow has status ${query.status ?? ''}.</p>`
      : html`<table class="list runs">
<thead><tr><th class="num">Run</th><th>Status</th><th>Started</th><th>Ended</th><th class="num">Duration</th><th class="num">ok</th><th class="num">nok</th><th class="num">skipped</th><th>Trigger</th></tr></thead>
<tbody>
${shown.map((run) => runRow(workflowName, run))}
</tbody>
</table>`;

  return {
    title: workflowName,
    trail: [{ label: workflowName }],
    main: html`<h1>${workflowName}</h1>
<nav class="filters" aria-label="Filter by status">${filters}</nav>
${table}
${pager(base, query.status, page, pages)}`,
  };
}

function runRow(workflowName: string, run: RunRecord): Html {
  const durationMs = run.endTime === null ? null : Date.parse(run.endTime) - Date.parse(run.startTime);
  return html`<tr data-run="${run.runId}">
<td class="num"><a href="${runPath(workflowName, run.runId)}">${run.runId}</a></td>
<td>${statusBadge(run.status)}</td><td>${timeText(run.startTime)}</td><td>${timeText(run.endTime)}</td>
<td class="num">${durationText(Number.isNaN(durationMs) ? null : durationMs)}</td>
<td class="num">${run.nodesOk}</td><td class="num">${run.nodesNok}</td><td class="num">${run.nodesSkipped}</td>
<td>${run.trigger}</td>
</tr>`;
}

function pager(base: string, status: string | undefined, page: number, pages: number): Html {
  if (pages === 1) return html``;
  const href = (to: number) => {
    const params = new URLSearchParams();
    if (status !== undefined) params.set('status', status);
    params.set('page', String(to));
    return `${base}?${params}`;
  };
  return html`<nav class="pager">${page > 1 ? html`<a href="${href(page - 1)}" rel="prev">newer</a>` : ''} page ${page} of ${pages} ${page < pages ? html`<a href="${href(page + 1)}" rel="next">older</a>` : ''}</nav>`;
}
