// `@playbook/engine/testing`: fakes of every port, for tests of code that uses the engine. Nothing here imports
// a test runner: the adapter contract suites, which need vitest, are on `@playbook/engine/testing/contract`.
export { FakeFunctionLoader } from './fake-function-loader.js';
export type { FakeCommandScript } from './fake-process-runner.js';
export { FakeProcessRunner } from './fake-process-runner.js';
export { FakeProcessTable } from './fake-process-table.js';
export { FixedClock } from './fixed-clock.js';
export { InMemoryRunRepository } from './memory-run-repository.js';
export type { NodeOptions } from './runbook-builder.js';
export { buildRunbook, commandNode, functionNode, manualNode } from './runbook-builder.js';
export type { AskedQuestion, ScriptedAnswer, ScriptMismatchErrorCode } from './scripted-prompter.js';
export { ScriptedPrompter, ScriptMismatchError } from './scripted-prompter.js';
export type { TestPorts } from './test-ports.js';
export { createTestPorts } from './test-ports.js';
