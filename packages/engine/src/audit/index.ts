// `@playbook/engine/audit`: the audit log of SPEC §10.3 — what adapters append with each change to a run, and
// how a run is checked against it — without loading the engine's main entry.
export type {
  AuditActor,
  AuditBody,
  AuditEntry,
  AuditHead,
  AuditKind,
  AuditLog,
} from './audit-entry.js';
export {
  AUDIT_FORMAT_VERSION,
  answerEntry,
  approvalColumns,
  approvalEntry,
  attemptEndedEntry,
  attemptStartedEntry,
  chainEntry,
  decisionEntry,
  digest,
  rerunEntry,
  runClaimedEntry,
  runCreatedEntry,
  runFinishedEntry,
  sessionEntry,
  sha256Hex,
  snapshotEntry,
} from './audit-entry.js';
export { canonicalJson, type JsonValue } from './canonical-json.js';
export { type RunVerdict, verifyRun } from './verify-run.js';
