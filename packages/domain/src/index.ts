export type {
  CommandNode,
  FunctionNode,
  ManualNode,
  NodeBase,
  NodeType,
  Runbook,
  RunbookMeta,
  RunbookNode,
  RunbookSource,
} from './runbook.js';
export { ASK_PLACEHOLDER } from './runbook.js';
