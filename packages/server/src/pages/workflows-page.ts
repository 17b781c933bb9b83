import type { RunHistory } from '@playbook/engine';
import { html } from '../html.js';
import { type PageContent, runPath, statusBadge, timeText, workflowPath } from './layout.js';
import { statusesOf } from './run-statuses.js';

/** The home page: every workflow of the history with its runs counted by status and its newest run. */
export async function workflowsPage(history: RunHistory): Promise<PageContent> {
  const workflows = await history.listWorkflows();
  if (workflows.length === 0) {
    return {
      title: 'Workflows',
      trail: [],
      main: html`<h1>Workflows</h1><p class="empty">No runs yet in this history.</p>`,
    };
  }
  const statuses = statusesOf(workflows[0]!.runsByStatus);
  const rows = workflows.map((workflow) => {
    const latest = workflow.latestRun;
    const counts = statuses.map((status) => {
      const count = workflow.runsByStatus[status as keyof typeof workflow.runsByStatus] ?? 0;
      return count === 0
        ? html`<td class="num zero">0</td>`
        : html`<td class="num"><a href="${workflowPath(workflow.workflowName)}?status=${status}">${count}</a></td>`;
    });
    return html`<tr data-workflow="${workflow.workflowName}">
<td><a href="${workflowPath(workflow.workflowName)}">${workflow.workflowName}</a></td>
<td class="num">${workflow.runCount}</td>${counts}
<td><a href="${runPath(workflow.workflowName, latest.runId)}">run ${latest.runId}</a> ${statusBadge(latest.status)} ${timeText(latest.startTime)}</td>
</tr>`;
  });
  return {
    title: 'Workflows',
    trail: [],
    main: html`<h1>Workflows</h1>
<table class="list">
<thead><tr><th>Workflow</th><th class="num">Runs</th>${statuses.map((status) => html`<th class="num">${statusBadge(status)}</th>`)}<th>Latest run</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`,
  };
}
