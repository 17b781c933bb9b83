// What `run` and `resume` need of @playbook/engine, imported by name. Their commands load it with `import()`,
// and a dynamic import of the package itself keeps every export of its entry in the bundle's chunks that the
// command loads (esbuild cannot tell which ones are used): the in-memory repository, the plan and the audit
// verification, ~35 kB that a run never runs (docs/performance.md).
export { checkGivenValues, createEngine, eventLine } from '@playbook/engine';
