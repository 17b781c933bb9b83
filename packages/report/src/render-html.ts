import { escapeHtml } from './escape-html.js';
import type { OutputLine, OutputTail, ReportAttempt, RunReport } from './report-schema.js';
import { attemptFacts, tailNotice } from './report-text.js';

/**
 * The page's style sheet, inline: the report opens from a ticket attachment or a mail with nothing to fetch.
 * Status colours match the DAG's (`STATUS_LOOKS` of @playbook/graphviz).
 */
export const REPORT_CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 2rem auto;
  max-width: 72rem; padding: 0 1rem; color: #1b1f24; background: #fff; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; }
table.facts { border-collapse: collapse; }
table.facts th { text-align: left; padding: .15rem 1rem .15rem 0; color: #57606a; font-weight: 600;
  vertical-align: top; }
table.facts td { padding: .15rem 0; overflow-wrap: anywhere; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 4px; padding: .5rem .7rem;
  white-space: pre-wrap; overflow-wrap: anywhere; margin: .3rem 0; }
pre .stderr { color: #a40e26; }
pre .time { color: #57606a; }
.dag { overflow-x: auto; border: 1px solid #d0d7de; border-radius: 4px; padding: .5rem; }
.dag svg { max-width: 100%; height: auto; }
ol.timeline { list-style: none; padding: 0; }
ol.timeline > li { border-left: 6px solid #d0d7de; padding: .4rem .8rem; margin: .6rem 0;
  background: #fbfbfc; }
ol.timeline > li.ok { border-color: #4ac26b; }
ol.timeline > li.nok { border-color: #e5534b; }
ol.timeline > li.skipped { border-color: #afb8c1; }
ol.timeline > li.running { border-color: #d4a72c; }
.status { display: inline-block; border-radius: 3px; padding: 0 .4rem; font-weight: 600; font-size: 12px; }
.status.ok { background: #98fb98; } .status.nok { background: #fa8072; } .status.skipped { background: #d3d3d3; }
.status.running, .status.waiting { background: #ffd700; } .status.aborted { background: #fa8072; }
.status.pending { background: #fff; border: 1px dashed #888; }
.facts-line { color: #57606a; }
.notice { color: #57606a; font-style: italic; }
`;

const statusClass = (status: string): string => (/^[a-z]+$/.test(status) ? status : 'other');

function badge(status: string): string {
  return `<span class="status ${statusClass(status)}">${escapeHtml(status)}</span>`;
}

function factsTable(rows: ReadonlyArray<readonly [string, string]>): string {
  const body = rows
    .map(([name, value]) => `<tr><th>${escapeHtml(name)}</th><td>${value}</td></tr>`)
    .join('\n');
  return `<table class="facts">\n${body}\n</table>`;
}

function pre(text: string, className?: string): string {
  return `<pre${className === undefined ? '' : ` class="${className}"`}>${escapeHtml(text)}</pre>`;
}

function tailHtml(label: string, tail: OutputTail): string {
  if (tail.text === '') return '';
  const notice = tailNotice(tail);
  return `<div><strong>${label}</strong>${notice === '' ? '' : ` <span class="notice">${escapeHtml(notice)}</span>`}${pre(tail.text)}</div>`;
}

function linesHtml(lines: readonly OutputLine[]): string {
  const body = lines
    .map((line) => {
      const time = line.time === null ? '' : `<span class="time">${escapeHtml(line.time)}</span> `;
      const text = escapeHtml(line.text);
      return `${time}${line.stream === 'stderr' ? `<span class="stderr">${text}</span>` : text}`;
    })
    .join('\n');
  return `<div><strong>output (last lines, in order)</strong><pre>${body}</pre></div>`;
}

/** One attempt of the timeline as an `<li>`: its facts, what ran, its note or exception and its output tails. */
export function renderAttemptHtml(attempt: ReportAttempt): string {
  const parts = [
    `<li class="${statusClass(attempt.status)}">`,
    `<div><strong>${escapeHtml(attempt.nodeName)}</strong> <code>${escapeHtml(attempt.nodeId)}</code> · attempt ${attempt.attempt} ${badge(attempt.status)}</div>`,
    `<div class="facts-line">${escapeHtml(attemptFacts(attempt).join(' · '))}</div>`,
  ];
  if (attempt.ran !== null) parts.push(`<div><strong>ran</strong>${pre(attempt.ran)}</div>`);
  if (attempt.note !== null && attempt.note !== '')
    parts.push(`<div><strong>note</strong>${pre(attempt.note)}</div>`);
  if (attempt.exception !== null)
    parts.push(`<div><strong>exception</strong>${pre(attempt.exception)}</div>`);
  if (attempt.lines.length > 0) parts.push(linesHtml(attempt.lines));
  else parts.push(tailHtml('stdout', attempt.stdout), tailHtml('stderr', attempt.stderr));
  parts.push('</li>');
  return parts.filter((part) => part !== '').join('\n');
}

/** The timeline of every attempt as an `<ol>`, for the report page and the web view. */
export function renderTimelineHtml(report: RunReport): string {
  if (report.timeline.length === 0) return '<p class="notice">No attempt was recorded.</p>';
  const items = report.timeline.map(renderAttemptHtml);
  if (report.omittedAttempts > 0) {
    const middle = Math.ceil(report.timeline.length / 2);
    items.splice(
      middle,
      0,
      `<li class="notice">… ${report.omittedAttempts} attempts left out of this report …</li>`,
    );
  }
  return `<ol class="timeline">\n${items.join('\n')}\n</ol>`;
}

/** The run's facts (runbook, hash, starter, times, counts, audit head) as a table. */
export function renderSummaryHtml(report: RunReport): string {
  const code = (text: string | null): string => (text === null ? '—' : `<code>${escapeHtml(text)}</code>`);
  const text = (value: string | null): string => (value === null ? '—' : escapeHtml(value));
  const { run } = report;
  return factsTable([
    ['Runbook', escapeHtml(report.runbook.title)],
    ['Version', text(report.runbook.version)],
    ['Content hash', code(report.runbook.contentHash)],
    ['Run', `${report.runId} ${badge(run.status)} (${escapeHtml(run.trigger)})`],
    ['Started by', text(run.startedBy)],
    ['Started', text(run.startTime)],
    ['Ended', text(run.endTime)],
    ['Nodes', `${run.nodesOk} ok, ${run.nodesNok} nok, ${run.nodesSkipped} skipped`],
    ['Audit head hash', code(report.auditHeadHash)],
  ]);
}

function inputsHtml(report: RunReport): string {
  if (report.inputs.length === 0) return '<p class="notice">No inputs recorded.</p>';
  return factsTable(report.inputs.map((input) => [input.name, `<code>${escapeHtml(input.value)}</code>`]));
}

function approvalsHtml(report: RunReport): string {
  const rows = report.approvals.map(
    (a) =>
      `<li>${escapeHtml(a.nodeId)}: ${badge(a.decision === 'approved' ? 'ok' : 'nok')} ${escapeHtml(a.decision)} by ${escapeHtml(a.operator)}${a.time === null ? '' : ` at ${escapeHtml(a.time)}`}${a.note === null ? '' : ` — ${escapeHtml(a.note)}`}</li>`,
  );
  return `<h2>Approvals</h2>\n<ul>\n${rows.join('\n')}\n</ul>`;
}

/**
 * The whole report as one self-contained HTML page: inline CSS, the DAG as inline SVG, no script and a
 * Content-Security-Policy that lets the page fetch nothing. `dagSvg` is `renderDagSvg`'s output ('' for none).
 */
export function renderReportHtml(report: RunReport, dagSvg: string): string {
  const title = `${report.runbook.title} · run ${report.runId}`;
  const sections = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(report.runbook.title)}</h1>`,
    report.runbook.description === null || report.runbook.description === ''
      ? ''
      : `<p>${escapeHtml(report.runbook.description)}</p>`,
    renderSummaryHtml(report),
    `<p class="notice">${escapeHtml(report.identityNote)}</p>`,
    '<h2>Inputs</h2>',
    inputsHtml(report),
    '<h2>Graph</h2>',
    dagSvg === '' ? '<p class="notice">No graph.</p>' : `<div class="dag">${dagSvg}</div>`,
    report.approvals.length === 0 ? '' : approvalsHtml(report),
    '<h2>Timeline</h2>',
    renderTimelineHtml(report),
    report.generatedAt === null ? '' : `<p class="notice">Generated ${escapeHtml(report.generatedAt)}.</p>`,
    '</body>',
    '</html>',
    '',
  ];
  return sections.filter((part) => part !== '').join('\n');
}
