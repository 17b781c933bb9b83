export { BUILTIN_FUNCTIONS } from './builtin-functions.js';
export { createNodePorts, type NodePorts, type NodePortsOptions } from './create-node-ports.js';
export {
  canLoadTypeScript,
  type FunctionReference,
  NodeFunctionLoader,
  parseFunctionName,
} from './node-function-loader.js';
export {
  CommandSpawnError,
  type CommandSpawnErrorCode,
  INTERRUPTED_EXIT_CODE,
  NodeProcessRunner,
  type NodeProcessRunnerOptions,
  TIMEOUT_EXIT_CODE,
} from './node-process-runner.js';
export { NodeProcessTable } from './node-process-table.js';
export { osIdentity } from './os-identity.js';
export { SystemClock } from './system-clock.js';
