import type { OutputLog, Runbook } from '@playbook/domain';
import { formatIdentity } from '@playbook/domain/text';
import type { AttemptRecord, RunHistory, RunState } from '@playbook/engine';
import { type NodeRunStatus, nodeRunStatuses } from '@playbook/graphviz';
import type { DagRenderer } from '../dag-svg.js';
import { type Html, html, trusted } from '../html.js';
import { outputTail, TAIL_LINES } from '../output-tail.js';
import { durationText, type PageContent, runPath, statusBadge, timeText, workflowPath } from './layout.js';
import { notFoundPage } from './not-found.js';
import { firstAndLast, PAGE_LIMITS } from './page-limits.js';

/** What stands for a secret value wherever one would be shown (SPEC §11). */
const SECRET_SHOWN = '***';

/**
 * One run: its summary, inputs, graph coloured by status, nodes, and every attempt with outputs and log. The
 * graph's edges come from `runbook` (the workflow's runbook file, when the server was given it).
 */
export async function runPage(
  history: RunHistory,
  dags: DagRenderer,
  workflowName: string,
  runId: number,
  runbook?: Runbook,
): Promise<PageContent> {
  const state = await history.loadRun({ workflowName, runId });
  if (state === undefined) return notFoundPage(`Workflow “${workflowName}” has no run ${runId}.`);

  const statuses = nodeRunStatuses(state.attempts);
  const nodeIds = nodesInOrder(state);
  const drawable = (runbook?.nodes.length ?? nodeIds.length) <= PAGE_LIMITS.graphNodes;
  const svg = drawable ? await dags.render({ title: workflowName, runId, nodeIds, statuses, runbook }) : '';
  return {
    title: `${workflowName} · run ${runId}`,
    trail: [{ label: workflowName, href: workflowPath(workflowName) }, { label: `run ${runId}` }],
    main: html`<h1>${workflowName} <span class="run-id">run ${runId}</span> ${statusBadge(state.run.status)}</h1>
${summary(state)}
<nav class="report-links" aria-label="Report">Report of this run: <a href="${runPath(workflowName, runId)}/report" class="report">HTML</a> · <a href="${runPath(workflowName, runId)}/report?format=md">Markdown</a> · <a href="${runPath(workflowName, runId)}/report?format=json">JSON</a></nav>
${inputs(state)}
${approvals(state)}
<section class="graph" aria-label="Graph"><h2>Graph</h2>${graphNote(state, runbook)}${graph(svg, drawable, nodeIds.length, workflowName, runId)}</section>
${nodesTable(nodeIds, statuses)}
${attemptsList(state, runPath(workflowName, runId))}`,
  };
}

function graph(svg: string, drawable: boolean, nodes: number, workflowName: string, runId: number): Html {
  if (!drawable)
    return html`<p class="note">${nodes} nodes are too many to lay out in a page: draw the graph with <code>playbook export-dot &lt;file&gt; --run-id ${runId} --format svg</code> (the runbook of “${workflowName}”).</p>`;
  return svg === '' ? html`<p class="empty">No nodes.</p>` : html`<div class="dag">${trusted(svg)}</div>`;
}

/** What the graph's edges come from, when that is not plainly the run's own runbook. */
function graphNote(state: RunState, runbook: Runbook | undefined): Html {
  if (runbook === undefined)
    return html`<p class="note">Nodes in plan order; the history keeps no edges (start the server with <code>--runbook</code> to draw them).</p>`;
  const hash = runbook.source?.hash;
  if (hash !== undefined && state.run.runbookHash !== null && hash !== state.run.runbookHash)
    return html`<p class="note">Edges from the runbook file as it is now: this run started with another version of it (its content hash differs).</p>`;
  return html``;
}

/** The run's nodes in plan order, then any node that has attempts but left the plan (a runbook changed since). */
function nodesInOrder(state: RunState): string[] {
  const ids = [...state.run.nodeIds];
  const known = new Set(ids);
  for (const attempt of state.attempts) {
    if (!known.has(attempt.nodeId)) {
      known.add(attempt.nodeId);
      ids.push(attempt.nodeId);
    }
  }
  return ids;
}

function summary(state: RunState): Html {
  const { run } = state;
  const durationMs = run.endTime === null ? null : Date.parse(run.endTime) - Date.parse(run.startTime);
  const owner =
    run.owner === null ? '' : html`<dt>Driven by</dt><dd>process ${run.owner.pid} on ${run.owner.host}</dd>`;
  return html`<dl class="summary">
<dt>Status</dt><dd class="run-status">${statusBadge(run.status)}</dd>
<dt>Started</dt><dd>${timeText(run.startTime)}</dd>${run.startedBy == null ? '' : html`<dt>Started by</dt><dd>${formatIdentity(run.startedBy)}</dd>`}
<dt>Ended</dt><dd>${timeText(run.endTime)}</dd>
<dt>Duration</dt><dd>${durationText(durationMs === null || Number.isNaN(durationMs) ? null : durationMs)}</dd>
<dt>Nodes</dt><dd>${run.nodesOk} ok · ${run.nodesNok} nok · ${run.nodesSkipped} skipped</dd>
<dt>Trigger</dt><dd>${run.trigger}</dd>
${run.runbookHash === null ? '' : html`<dt>Runbook</dt><dd><code title="${run.runbookHash}">${run.runbookHash.slice(0, 12)}</code></dd>`}
${owner}
</dl>`;
}

function inputs(state: RunState): Html {
  const entries = Object.entries(state.inputs ?? {});
  if (entries.length === 0) return html``;
  // A secret input is stored as null: its value never reaches the history.
  const rows = entries.map(
    ([name, value]) =>
      html`<tr><th scope="row">${name}</th><td>${value === null ? html`<span class="secret">${SECRET_SHOWN}</span>` : html`<code>${String(value)}</code>`}</td></tr>`,
  );
  return html`<section class="inputs"><h2>Inputs</h2><table class="fields">${rows}</table></section>`;
}

/** Each approval and rejection of the run's gates (docs/approvals.md): who, when, and the note. */
function approvals(state: RunState): Html {
  const decisions = state.approvals ?? [];
  if (decisions.length === 0) return html``;
  const { head, tail, omitted } = firstAndLast(decisions, PAGE_LIMITS.listItems);
  const row = (a: (typeof decisions)[number]) =>
    html`<tr><td><a href="#node-${a.nodeId}">${a.nodeId}</a></td><td class="num">${String(a.round)}</td><td>${a.decision === 'approve' ? 'approved' : 'rejected'}</td><td>${formatIdentity(a.by)}</td><td>${timeText(a.at)}</td><td>${a.note ?? ''}</td></tr>`;
  const rows = [
    ...head.map(row),
    omitted === 0
      ? ''
      : html`<tr class="omitted"><td colspan="6" class="note">… ${omitted} decisions not shown …</td></tr>`,
    ...tail.map(row),
  ];
  return html`<section class="approvals"><h2>Approvals</h2>
<table class="list"><thead><tr><th>Gate</th><th class="num">Round</th><th>Decision</th><th>By</th><th>At</th><th>Note</th></tr></thead>
<tbody>${rows}</tbody></table></section>`;
}

function nodesTable(nodeIds: readonly string[], statuses: ReadonlyMap<string, NodeRunStatus>): Html {
  const { head, tail, omitted } = firstAndLast(nodeIds, PAGE_LIMITS.listItems);
  const row = (id: string) => {
    const status = statuses.get(id);
    return html`<tr data-node="${id}"><td><a href="#node-${id}">${id}</a></td><td class="node-status">${statusBadge(status?.status ?? 'pending')}</td><td class="num">${status?.attempts ?? 0}</td><td class="num">${durationText(status?.durationMs ?? null)}</td></tr>`;
  };
  const rows = [
    ...head.map(row),
    omitted === 0
      ? ''
      : html`<tr class="omitted"><td colspan="4" class="note">… ${omitted} nodes not shown …</td></tr>`,
    ...tail.map(row),
  ];
  return html`<section class="nodes"><h2>Nodes</h2>
<table class="list"><thead><tr><th>Node</th><th>Status</th><th class="num">Attempts</th><th class="num">Time</th></tr></thead>
<tbody>${rows}</tbody></table></section>`;
}

function attemptsList(state: RunState, base: string): Html {
  if (state.attempts.length === 0)
    return html`<section class="attempts"><h2>Attempts</h2><p class="empty">No attempt yet.</p></section>`;
  const firstOfNode = new Set<string>();
  const item = (attempt: AttemptRecord) => {
    // The first attempt of each node carries the node's anchor, the target of the nodes table's links.
    const anchor = firstOfNode.has(attempt.nodeId) ? undefined : `node-${attempt.nodeId}`;
    firstOfNode.add(attempt.nodeId);
    return attemptItem(attempt, anchor);
  };
  const { head, tail, omitted } = firstAndLast(state.attempts, PAGE_LIMITS.listItems);
  const items = [
    ...head.map(item),
    omitted === 0
      ? ''
      : html`<li class="omitted note">… ${omitted} attempts not shown: <code>playbook show --run-id</code> lists them all …</li>`,
    ...tail.map(item),
  ];
  return html`<section class="attempts" data-base="${base}"><h2>Attempts</h2><ol class="attempts">${items}</ol></section>`;
}

function attemptItem(attempt: AttemptRecord, anchor: string | undefined): Html {
  const id = `attempt-${attempt.nodeId}-${attempt.attempt}`;
  const facts: Html[] = [];
  if (attempt.by != null) facts.push(html`<dt>By</dt><dd>${formatIdentity(attempt.by)}</dd>`);
  if (attempt.operatorDecision !== null)
    facts.push(html`<dt>Decision</dt><dd>${attempt.operatorDecision}</dd>`);
  if (attempt.exitCode !== null) facts.push(html`<dt>Exit code</dt><dd>${attempt.exitCode}</dd>`);
  if (attempt.resultText !== null) facts.push(html`<dt>Result</dt><dd><pre>${attempt.resultText}</pre></dd>`);
  if (attempt.exception !== null)
    facts.push(html`<dt>Exception</dt><dd><pre class="exception">${attempt.exception}</pre></dd>`);
  const outputs = Object.entries(attempt.outputs ?? {}).map(
    ([key, value]) => html`<tr><th scope="row">${key}</th><td><pre>${value}</pre></td></tr>`,
  );
  for (const key of attempt.secretOutputs ?? [])
    outputs.push(
      html`<tr><th scope="row">${key}</th><td><span class="secret">${SECRET_SHOWN}</span></td></tr>`,
    );
  return html`<li class="attempt" id="${anchor ?? id}" data-attempt="${attempt.nodeId}#${attempt.attempt}">
<div class="attempt-head"><strong>${attempt.nodeId}</strong> <span class="attempt-no">attempt ${attempt.attempt}</span> <span class="attempt-status">${statusBadge(attempt.status)}</span> ${timeText(attempt.startTime)} <span class="duration">${durationText(attempt.durationMs)}</span></div>
${facts.length === 0 ? '' : html`<dl class="facts">${facts}</dl>`}
${outputs.length === 0 ? '' : html`<table class="fields outputs"><caption>Outputs</caption>${outputs}</table>`}
${attempt.outputLog != null && attempt.outputLog.lines.length > 0 ? orderedLog(id, attempt.outputLog) : html`${logBlock(id, 'stdout', attempt.stdout)}${logBlock(id, 'stderr', attempt.stderr)}`}
</li>`;
}

/**
 * Both streams' lines in the order they arrived, each with its time, stderr marked (SPEC §10.1): the last
 * `TAIL_LINES` of them, folded. Older attempts have no such log and show their two streams instead.
 */
function orderedLog(attemptId: string, log: OutputLog): Html {
  const shown = log.lines.slice(-TAIL_LINES);
  const left = log.lines.length - shown.length + (log.dropped?.lines ?? 0);
  const total = log.lines.length + (log.dropped?.lines ?? 0);
  const note = left === 0 ? '' : html`<p class="note">${left} earlier lines not shown</p>`;
  const lines = shown.map((line) => {
    const time = html`<span class="time" title="${line.time}">${line.time.slice(11, 23)}</span> `;
    return line.stream === 'stderr'
      ? html`${time}<span class="stderr">${line.text}</span>\n`
      : html`${time}${line.text}\n`;
  });
  return html`<details class="log" id="${attemptId}-output"><summary>output <span class="count">${total} ${total === 1 ? 'line' : 'lines'}</span></summary>${note}<pre class="output">${lines}</pre></details>`;
}

/** One captured stream, folded, its tail only when it is long (the whole is in `playbook show --json`). */
function logBlock(attemptId: string, stream: 'stdout' | 'stderr', text: string | null): Html {
  if (text === null || text === '') return html``;
  const tail = outputTail(text);
  const note =
    tail.droppedLines === 0 ? '' : html`<p class="note">${tail.droppedLines} earlier lines not shown</p>`;
  return html`<details class="log" id="${attemptId}-${stream}"><summary>${stream} <span class="count">${tail.totalLines} ${tail.totalLines === 1 ? 'line' : 'lines'}</span></summary>${note}<pre class="${stream}">${tail.text}</pre></details>`;
}
