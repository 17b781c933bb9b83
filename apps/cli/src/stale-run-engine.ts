// What `show` and `info` need of the engine to end a run whose owner died, imported by name and loaded only when
// a run is still `running`: a dynamic import of @playbook/engine itself would keep every export of its entry in
// the chunks of every command that imports any (docs/performance.md).
export { ownerLiveness, recoverStaleRuns } from '@playbook/engine';
export { NodeProcessTable } from '@playbook/engine/node';
