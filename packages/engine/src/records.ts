// `@playbook/engine/records`: what adapters share with the engine, without loading the engine's main entry
// (the planner and the domain's schemas).
export { describeAttempt, describeRun, newAttemptRecord } from './attempt-record.js';
export { type GateVerdict, gateVerdict } from './gate-verdict.js';
export { compareCodePoints } from './name-order.js';
export type { RunRepositoryErrorCode } from './ports/run-repository-error.js';
export {
  attemptNotFound,
  attemptNotRunning,
  RunRepositoryError,
  runNotFound,
} from './ports/run-repository-error.js';
