import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import { FakeFunctionLoader } from './testing/fake-function-loader.js';
import { buildRunbook, functionNode } from './testing/runbook-builder.js';
import { createTestPorts } from './testing/test-ports.js';

const STEPS = 200;

/** A chain of Function steps that return at once: nothing in a step waits for I/O or a timer. */
const chain = buildRunbook(
  Array.from({ length: STEPS }, (_, i) =>
    functionNode(`n${i}`, 'quick', {}, i === 0 ? {} : { dependsOn: [`n${i - 1}`] }),
  ),
);

describe('the event loop turns between steps', () => {
  // Signal handlers (Ctrl-C), timers and I/O callbacks run only when the event loop turns. A run whose steps
  // settle through promises alone never let it turn: the CLI ignored Ctrl-C during 20,000 `playbook:notify`
  // steps until the run had ended ok.
  it('an interrupt fired from a timer stops a run of steps that never wait', async () => {
    const ports = createTestPorts({ functionLoader: new FakeFunctionLoader({ quick: () => 'done' }) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 0);
    const outcome = await createEngine(ports).run(chain, { interactive: false, signal: controller.signal });
    expect(outcome).toMatchObject({ status: 'aborted', interrupted: true });
    const state = await ports.repository.loadRun({ workflowName: 'Test runbook', runId: outcome.runId });
    expect(state?.attempts.length).toBeLessThan(STEPS);
  });
});
