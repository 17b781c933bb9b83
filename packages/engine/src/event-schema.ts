import Type, { type Static, type TSchema } from 'typebox';
import { EVENT_SCHEMA_VERSION, type LineEvent } from './event-line.js';

export { EVENT_SCHEMA_VERSION, eventLine, type LineEvent } from './event-line.js';

// The events as JSON lines (`playbook run --json`, SPEC §9.5): one schema, here, for the docs and any program
// that reads the stream. Each line is an engine event plus `schemaVersion` (event-line.ts writes it); its fields
// are those of the TypeScript interfaces in events.ts (a compile-time check below keeps the two together).
// A subpath of its own (`@playbook/engine/event-schema`): TypeBox is not loaded by a run, only by readers.

const stamp = {
  schemaVersion: Type.Literal(EVENT_SCHEMA_VERSION, { description: 'Version of this schema.' }),
  workflow: Type.String({ description: "The workflow: the runbook's title (workflow_name)." }),
  runId: Type.Integer({ minimum: 1, description: "The run's id within its workflow." }),
  timestamp: Type.String({ format: 'date-time', description: 'When the engine emitted it (ISO-8601, UTC).' }),
};
const nodeId = Type.String({ description: 'The node (step) id.' });
const name = Type.String({ description: "The node's name (its id when it has none)." });
const attempt = Type.Integer({ minimum: 1, description: 'Attempt number of the node within the run.' });
const nodeStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('running'),
  Type.Literal('ok'),
  Type.Literal('nok'),
  Type.Literal('skipped'),
]);
const operator = Type.Optional(
  Type.Object(
    {
      operator: Type.Union([Type.String(), Type.Null()], {
        description: 'The claimed operator (PLAYBOOK_OPERATOR or config `operator`), null when none.',
      }),
      osUser: Type.String({ description: 'The OS user and host, `<user>@<host>`.' }),
      dbUser: Type.Optional(
        Type.Union([Type.String(), Type.Null()], { description: "The database's role." }),
      ),
    },
    { description: 'Who runs it (SPEC §10.1).', additionalProperties: false },
  ),
);
const counts = Type.Object({ ok: Type.Integer(), nok: Type.Integer(), skipped: Type.Integer() });
const failed = Type.Union([Type.Object({ nodeId, name, reason: Type.String() }), Type.Null()]);

const event = <T extends string, P extends Record<string, TSchema>>(
  type: T,
  description: string,
  fields: P,
) =>
  Type.Object(
    { type: Type.Literal(type), ...stamp, ...fields },
    { description, additionalProperties: false },
  );

export const RunStartedLine = event('run-started', 'A run began, or was resumed.', {
  operator,
  trigger: Type.Union([Type.Literal('run'), Type.Literal('resume')]),
  plan: Type.Array(nodeId, { description: 'Node ids in execution order.' }),
  kept: Type.Array(Type.Object({ nodeId, status: nodeStatus }), {
    description: 'On resume: the nodes kept from earlier attempts, with their status.',
  }),
  changes: Type.Optional(
    Type.Object(
      {
        added: Type.Array(nodeId),
        removed: Type.Array(nodeId),
        changed: Type.Optional(
          Type.Array(nodeId, {
            description:
              'Node ids in both whose definition changed; absent when the runbook the run started with is not known.',
          }),
        ),
      },
      {
        description: 'On resume of a changed runbook file: node ids added and removed since the run started.',
      },
    ),
  ),
});

export const NodeStartedLine = event('node-started', 'An attempt of a node began.', {
  nodeId,
  name,
  kind: Type.Union([Type.Literal('Manual'), Type.Literal('Function'), Type.Literal('Command')]),
  attempt,
  operator,
  description: Type.Optional(Type.String()),
});

export const OutputLine = event(
  'output',
  'A chunk of live output of a command, or a line logged by a function.',
  {
    nodeId,
    attempt,
    stream: Type.Union([Type.Literal('stdout'), Type.Literal('stderr')]),
    chunk: Type.String({ description: 'The text, secrets masked; a chunk may end mid-line.' }),
  },
);

export const PromptLine = event('prompt', 'The operator is about to be asked something.', {
  nodeId,
  question: Type.Union([
    Type.Literal('manual'),
    Type.Literal('after-failure'),
    Type.Literal('mark-ok'),
    Type.Literal('ask-value'),
    Type.Literal('confirm-repeat'),
  ]),
});

export const NodeFinishedLine = event('node-finished', 'An attempt of a node ended.', {
  nodeId,
  name,
  attempt,
  status: Type.Union([Type.Literal('ok'), Type.Literal('nok'), Type.Literal('skipped')]),
  durationMs: Type.Integer({ minimum: 0 }),
  operatorDecision: Type.Union([Type.String(), Type.Null()], {
    description: 'retry, skip, abort, override, auto-retry, interrupted, …; null when none was made.',
  }),
  exitCode: Type.Union([Type.Integer(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()], { description: 'Why it failed (nok only).' }),
});

export const NodeBlockedLine = event('node-blocked', 'A node will not run: a node it depends on ended nok.', {
  nodeId,
  name,
  blockedBy: Type.String({ description: 'The failed dependency (direct or not) that blocks it.' }),
});

export const HeartbeatLine = event('heartbeat', 'An attempt is still running (every heartbeat_seconds).', {
  nodeId,
  name,
  attempt,
  elapsedMs: Type.Integer({ minimum: 0 }),
});

export const OverdueLine = event('overdue', "An attempt ran past its node's expected_duration (once).", {
  nodeId,
  name,
  attempt,
  expectedSeconds: Type.Number(),
  elapsedMs: Type.Integer({ minimum: 0 }),
});

export const RetryWaitLine = event(
  'retry-wait',
  'A failed attempt will be tried again automatically after delayMs (ended early by an interrupt).',
  {
    nodeId,
    name,
    attempt,
    nextTry: Type.Integer({ minimum: 2, description: 'Which try comes next (2 = the first retry).' }),
    tries: Type.Integer({ minimum: 2, description: 'How many tries there are in all.' }),
    delayMs: Type.Integer({ minimum: 0 }),
  },
);

export const RunAbortingLine = event(
  'run-aborting',
  'The run is aborting; its run_if = "failure" / "always" steps whose dependencies have ended still run.',
  {
    cause: Type.Union([Type.Literal('abort'), Type.Literal('interrupted'), Type.Literal('critical')]),
    steps: Type.Array(nodeId, { description: 'The rollback and cleanup steps that may still run.' }),
  },
);

export const StaleRunRecoveredLine = event(
  'stale-run-recovered',
  'An earlier run found running with its owner gone was recorded aborted (runId is that run).',
  {
    ownerHost: Type.Union([Type.String(), Type.Null()]),
    ownerPid: Type.Union([Type.Integer(), Type.Null()]),
    interrupted: Type.Array(nodeId, { description: 'Nodes whose running attempt it ended.' }),
  },
);

export const WaitingLine = event('waiting', 'The run stopped at an approval gate and waits for a decision.', {
  nodeId,
  name,
});

export const RunFinishedLine = event('run-finished', 'The run ended.', {
  status: Type.Union([
    Type.Literal('ok'),
    Type.Literal('nok'),
    Type.Literal('aborted'),
    Type.Literal('waiting'),
  ]),
  counts,
  durationMs: Type.Integer({ minimum: 0 }),
  failed,
  stopped: Type.Array(Type.Object({ nodeId, name, reason: Type.String() }), {
    description: 'Every step an interrupt or an abort stopped, in the runbook order, with why.',
  }),
});

/** One line of `playbook run --json`: any of the events above. */
export const EventLineSchema = Type.Union(
  [
    RunStartedLine,
    NodeStartedLine,
    OutputLine,
    PromptLine,
    NodeFinishedLine,
    NodeBlockedLine,
    HeartbeatLine,
    OverdueLine,
    RetryWaitLine,
    RunAbortingLine,
    StaleRunRecoveredLine,
    WaitingLine,
    RunFinishedLine,
  ],
  { description: 'One line of `playbook run --json` / `playbook resume --json`: an engine event.' },
);

/** One event line, as a program reading the stream sees it. */
export type EventLine = Static<typeof EventLineSchema>;

/** Where the committed JSON Schema of the event lines is published, relative to the repository root. */
export const EVENT_SCHEMA_PATH = 'schema/events.schema.json';

/** The event line schema as plain JSON Schema (draft-07), for programs in any language. */
export function eventLineJsonSchema(): Record<string, unknown> {
  // A JSON round trip drops TypeBox's non-enumerable bookkeeping and leaves plain JSON Schema.
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `https://github.com/playbook-dev/playbook/raw/main/${EVENT_SCHEMA_PATH}`,
    title: 'Playbook event line',
    ...(JSON.parse(JSON.stringify(EventLineSchema)) as Record<string, unknown>),
  };
}

/** The schema file's exact text (what `generate:schema` writes and the freshness test compares). */
export function renderEventLineJsonSchema(): string {
  return `${JSON.stringify(eventLineJsonSchema(), null, 2)}\n`;
}

// Compile-time: every engine event, stamped with the schema version, is a valid line — a field added to an
// event interface without its schema (or the reverse) fails the build here.
type Stamped = LineEvent extends infer E ? (E extends LineEvent ? E & { schemaVersion: 1 } : never) : never;
type Mutable<T> = T extends readonly (infer U)[]
  ? Mutable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Mutable<T[K]> }
    : T;
const _eventsFitTheSchema = (line: Mutable<Stamped>): EventLine => line;
void _eventsFitTheSchema;
