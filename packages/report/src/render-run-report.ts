import { buildRunReport } from './build-run-report.js';
import { renderDagSvg } from './render-dag-svg.js';
import { renderReportHtml } from './render-html.js';
import { renderReportMarkdown } from './render-markdown.js';
import type { ReportOptions, ReportSource } from './report-source.js';

// JSON.stringify escapes C0 controls but leaves DEL, C1 and bidi controls raw: escaped too, the file is the same
// JSON value and safe to look at with `cat`.
const JSON_RAW_CONTROLS = /[\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    JSON_RAW_CONTROLS,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The formats a report is written in. */
export type ReportFormat = 'md' | 'html' | 'json';
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'html', 'json'];

/**
 * A run's report as text: Markdown, one self-contained HTML page, or JSON following `RunReportSchema`. No I/O:
 * the caller writes the text where it wants. Async only because the HTML's DAG is laid out by Graphviz's
 * WebAssembly build, loaded on first use.
 */
export async function renderRunReport(
  source: ReportSource,
  format: ReportFormat,
  options: ReportOptions = {},
): Promise<string> {
  const report = buildRunReport(source, options);
  switch (format) {
    case 'md':
      return renderReportMarkdown(report);
    case 'json':
      return `${jsonText(report)}\n`;
    case 'html':
      return renderReportHtml(report, await renderDagSvg(report));
  }
}
