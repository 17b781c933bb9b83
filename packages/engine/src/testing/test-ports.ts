import type { EnginePorts } from '../engine-types.js';
import { FakeFunctionLoader } from './fake-function-loader.js';
import { FakeProcessRunner } from './fake-process-runner.js';
import { FakeProcessTable } from './fake-process-table.js';
import { FixedClock } from './fixed-clock.js';
import { InMemoryRunRepository } from './memory-run-repository.js';
import type { ScriptedAnswer } from './scripted-prompter.js';
import { ScriptedPrompter } from './scripted-prompter.js';

/** Engine ports made of fakes, typed concretely so a test can script them and look inside. */
export interface TestPorts extends EnginePorts {
  readonly repository: InMemoryRunRepository;
  readonly prompter: ScriptedPrompter;
  readonly clock: FixedClock;
  readonly processRunner: FakeProcessRunner;
  readonly functionLoader: FakeFunctionLoader;
  readonly processTable: FakeProcessTable;
}

/**
 * Every port as a fake: an in-memory repository, a prompter answering `answers`, a clock moving 1 s per
 * reading, no commands and no functions scripted. Pass your own to replace any of them.
 */
export function createTestPorts(
  overrides: Partial<TestPorts> & { answers?: readonly ScriptedAnswer[] } = {},
): TestPorts {
  const { answers, ...ports } = overrides;
  return {
    repository: new InMemoryRunRepository(),
    prompter: new ScriptedPrompter(answers ?? []),
    clock: new FixedClock(new Date('2025-01-01T00:00:00.000Z'), 1000),
    processRunner: new FakeProcessRunner(),
    functionLoader: new FakeFunctionLoader(),
    processTable: new FakeProcessTable(),
    ...ports,
  };
}
