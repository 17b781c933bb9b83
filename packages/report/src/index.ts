export { buildRunReport, clip, IDENTITY_NOTE, nodeDefinition, outputTail } from './build-run-report.js';
export { controlSymbol, escapeHtml, showControls } from './escape-html.js';
export { inlineSvg, renderDagSvg } from './render-dag-svg.js';
export {
  REPORT_CSS,
  renderAttemptHtml,
  renderReportHtml,
  renderSummaryHtml,
  renderTimelineHtml,
} from './render-html.js';
export { codeBlock, escapeMarkdown, renderReportMarkdown } from './render-markdown.js';
export { REPORT_FORMATS, type ReportFormat, renderRunReport } from './render-run-report.js';
export {
  type OutputLine,
  OutputLineSchema,
  type OutputTail,
  OutputTailSchema,
  type ReportApproval,
  ReportApprovalSchema,
  type ReportAttempt,
  ReportAttemptSchema,
  type ReportInput,
  ReportInputSchema,
  type ReportNode,
  ReportNodeSchema,
  RUN_REPORT_SCHEMA_ID,
  type RunReport,
  RunReportSchema,
  runReportErrors,
} from './report-schema.js';
export {
  DEFAULT_REPORT_LIMITS,
  type ReportLimits,
  type ReportOptions,
  type ReportSource,
  type SourceAttemptDetail,
  type SourceInput,
} from './report-source.js';
export { attemptFacts, secondsText } from './report-text.js';
