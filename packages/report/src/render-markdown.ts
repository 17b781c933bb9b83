import { showControls } from './escape-html.js';
import type { OutputLine, OutputTail, ReportAttempt, RunReport } from './report-schema.js';
import { attemptFacts, tailNotice } from './report-text.js';

// Markdown renderers (GitHub, GitLab, ticket systems) pass inline HTML through: every text from a runbook or
// the history is escaped so that it shows as written and never becomes markup, a link or a table cell break.
const MARKDOWN_SPECIAL = /[\\`*_[\]<>|~&]/g;

/** `text` as literal Markdown inline text: one line, special characters escaped, control characters shown. */
export function escapeMarkdown(text: string): string {
  return showControls(text)
    .replace(MARKDOWN_SPECIAL, (char) =>
      char === '<' ? '&lt;' : char === '>' ? '&gt;' : char === '&' ? '&amp;' : `\\${char}`,
    )
    .replace(/\r?\n/g, ' ⏎ ')
    .replace(/\t/g, ' ');
}

/** A fenced code block that no line of `text` can close: the fence is longer than any backtick run in it. */
export function codeBlock(text: string): string {
  let longest = 0;
  for (const run of text.matchAll(/`+/g)) longest = Math.max(longest, run[0].length);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  const body = showControls(text).replace(/\n$/, '');
  return `${fence}text\n${body}\n${fence}`;
}

// Only for texts Playbook itself makes safe to quote (hashes, node ids): a code span is literal, but a `|` in
// it would still split a table cell.
const code = (text: string | null): string =>
  text === null ? '—' : `\`${showControls(text).replace(/[`|\r\n]/g, ' ')}\``;
const plain = (text: string | null): string => (text === null ? '—' : escapeMarkdown(text));

function tailMarkdown(label: string, tail: OutputTail): string[] {
  if (tail.text === '') return [];
  const notice = tailNotice(tail);
  return [`${label}${notice === '' ? '' : ` ${notice}`}:`, '', codeBlock(tail.text), ''];
}

function linesMarkdown(lines: readonly OutputLine[]): string[] {
  const text = lines
    .map(
      (line) =>
        `${line.time === null ? '' : `${line.time} `}${line.stream === 'stderr' ? 'E ' : '  '}${line.text}`,
    )
    .join('\n');
  return ['output (last lines, in order; E marks stderr):', '', codeBlock(text), ''];
}

function attemptMarkdown(attempt: ReportAttempt): string[] {
  const lines = [
    `### ${escapeMarkdown(attempt.nodeName)} (${code(attempt.nodeId)}) · attempt ${attempt.attempt} · **${attempt.status}**`,
    '',
    escapeMarkdown(attemptFacts(attempt).join(' · ')),
    '',
  ];
  if (attempt.ran !== null) lines.push('ran:', '', codeBlock(attempt.ran), '');
  if (attempt.note !== null && attempt.note !== '') lines.push('note:', '', codeBlock(attempt.note), '');
  if (attempt.exception !== null) lines.push('exception:', '', codeBlock(attempt.exception), '');
  const output =
    attempt.lines.length > 0
      ? linesMarkdown(attempt.lines)
      : tailMarkdown('stdout', attempt.stdout).concat(tailMarkdown('stderr', attempt.stderr));
  return lines.concat(output);
}

/** The report as Markdown, for pasting into a ticket. */
export function renderReportMarkdown(report: RunReport): string {
  const { run } = report;
  const out: string[] = [
    `# ${escapeMarkdown(report.runbook.title)} · run ${report.runId}`,
    '',
    '| | |',
    '|---|---|',
    `| Runbook | ${escapeMarkdown(report.runbook.title)} |`,
    `| Version | ${plain(report.runbook.version)} |`,
    `| Content hash | ${code(report.runbook.contentHash)} |`,
    `| Status | **${escapeMarkdown(run.status)}** (${escapeMarkdown(run.trigger)}) |`,
    `| Started by | ${plain(run.startedBy)} |`,
    `| Started | ${plain(run.startTime)} |`,
    `| Ended | ${plain(run.endTime)} |`,
    `| Nodes | ${run.nodesOk} ok, ${run.nodesNok} nok, ${run.nodesSkipped} skipped |`,
    `| Audit head hash | ${code(report.auditHeadHash)} |`,
    '',
    `_${escapeMarkdown(report.identityNote)}_`,
    '',
    '## Inputs',
    '',
  ];
  if (report.inputs.length === 0) out.push('No inputs recorded.', '');
  else {
    out.push('| input | value |', '|---|---|');
    for (const input of report.inputs)
      out.push(`| ${escapeMarkdown(input.name)} | ${escapeMarkdown(input.value)} |`);
    out.push('');
  }
  out.push('## Nodes', '', '| node | status | attempts |', '|---|---|---|');
  for (const node of report.nodes)
    out.push(`| ${escapeMarkdown(node.name)} (${code(node.id)}) | ${node.status} | ${node.attempts} |`);
  out.push('');
  if (report.approvals.length > 0) {
    out.push('## Approvals', '');
    for (const a of report.approvals) {
      const when = a.time === null ? '' : ` at ${escapeMarkdown(a.time)}`;
      const note = a.note === null ? '' : ` — ${escapeMarkdown(a.note)}`;
      out.push(
        `- ${escapeMarkdown(a.nodeId)}: **${a.decision}** by ${escapeMarkdown(a.operator)}${when}${note}`,
      );
    }
    out.push('');
  }
  out.push('## Timeline', '');
  if (report.timeline.length === 0) out.push('No attempt was recorded.', '');
  const middle = Math.ceil(report.timeline.length / 2);
  report.timeline.forEach((attempt, index) => {
    if (index === middle && report.omittedAttempts > 0)
      out.push(`_… ${report.omittedAttempts} attempts left out of this report …_`, '');
    for (const line of attemptMarkdown(attempt)) out.push(line);
  });
  if (report.generatedAt !== null) out.push(`_Generated ${escapeMarkdown(report.generatedAt)}._`, '');
  return out.join('\n');
}
