// `@playbook/engine/approvals`: deciding approval gates (SPEC §10.2) — `playbook approve` / `reject` and library
// users — without loading them into every run: a run only stops at a gate, which the main entry does.
export type { GateDecided, GateDecision, GateNode, GateState } from './approval-gate.js';
export {
  decideGate,
  gateStates,
  inputsDigest,
  isGate,
  pendingApproval,
  voidApprovals,
  whoMayApprove,
} from './approval-gate.js';
export { approverMatches, operatorName } from './approvers.js';
