import { readFileSync } from 'node:fs';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import {
  EVENT_SCHEMA_PATH,
  EVENT_SCHEMA_VERSION,
  EventLineSchema,
  eventLine,
  renderEventLineJsonSchema,
} from './event-schema.js';
import type { EngineEvent } from './events.js';
import { FakeProcessRunner } from './testing/fake-process-runner.js';
import { buildRunbook, commandNode, manualNode } from './testing/runbook-builder.js';
import { createTestPorts } from './testing/test-ports.js';

const committed = () => readFileSync(new URL(`../../../${EVENT_SCHEMA_PATH}`, import.meta.url), 'utf8');

describe('event lines (SPEC §9.5)', () => {
  it('the committed JSON Schema is up to date (run `pnpm --filter @playbook/engine generate:schema`)', () => {
    expect(committed()).toBe(renderEventLineJsonSchema());
  });

  it('every event of a run is one valid line: schema version, workflow, run id, node id, ISO timestamp', async () => {
    const runbook = buildRunbook([
      commandNode('build', 'make'),
      commandNode('test', 'make test', { dependsOn: ['build'], skippable: true }),
      manualNode('check', { prompt: 'Looks right?', dependsOn: ['test'] }),
      manualNode('after', { dependsOn: ['check'] }),
    ]);
    const ports = createTestPorts({
      processRunner: new FakeProcessRunner({
        make: {
          stdout: 'built\n',
          // The heartbeat is a timer: long enough a step sends a few.
          whileRunning: () => new Promise((resolve) => setTimeout(resolve, 80)),
        },
        'make test': { exitCode: 2 },
      }),
      answers: [{ afterFailure: 'skip' }, { manual: 'nok' }, { afterFailure: 'abort' }],
    });
    const events: EngineEvent[] = [];
    await createEngine(ports, { heartbeatSeconds: 0.02 })
      .run(runbook, { interactive: true, onEvent: (event) => events.push(event) })
      .catch(() => undefined);
    const types = new Set(events.map((event) => event.type));
    for (const type of [
      'run-started',
      'node-started',
      'output',
      'heartbeat',
      'prompt',
      'node-finished',
      'run-finished',
    ])
      expect(types).toContain(type);
    for (const event of events) {
      const text = eventLine(event);
      if (text === undefined) continue;
      expect(text).not.toContain('\n');
      const line = JSON.parse(text) as Record<string, unknown>;
      expect(Value.Errors(EventLineSchema, line)).toEqual([]);
      expect(line).toMatchObject({ schemaVersion: EVENT_SCHEMA_VERSION, workflow: 'Test runbook', runId: 1 });
      expect(new Date(line['timestamp'] as string).toISOString()).toBe(line['timestamp']);
      if ('nodeId' in event) expect(line['nodeId']).toBe(event.nodeId);
    }
  });

  it('a line that does not follow the schema is refused by it', () => {
    const line = {
      schemaVersion: 1,
      type: 'heartbeat',
      timestamp: 'x',
      workflow: 'w',
      runId: 1,
      nodeId: 'a',
    };
    expect(Value.Check(EventLineSchema, line)).toBe(false);
  });

  it("a listener's own error is told to that listener, never written as a line", () => {
    const error = {
      type: 'error',
      runId: 1,
      workflow: 'w',
      timestamp: '2025-01-01T00:00:00.000Z',
      source: 'listener',
      eventType: 'output',
      message: 'boom',
      error: new Error('boom'),
    } as const;
    expect(eventLine(error)).toBeUndefined();
  });
});
