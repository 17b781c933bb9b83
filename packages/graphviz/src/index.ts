export { GraphvizError, type GraphvizErrorCode } from './graphviz-error.js';
export { CRITICAL_BORDER, STATUS_LOOKS, type StatusLook, TYPE_LOOKS, type TypeLook } from './looks.js';
export { NODE_STATUS_NAMES, type NodeRunStatus } from './node-run-status.js';
export { type AttemptSummary, nodeRunStatuses } from './node-run-statuses.js';
export { defaultDotPath, defaultOutputPath, type OutputFormat } from './output-path.js';
export { type RenderFormat, type RenderOptions, renderDot } from './render-dot.js';
export { statusLine, type ToDotOptions, toDot } from './to-dot.js';
