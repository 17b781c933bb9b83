import { INPUT_TYPES } from '@playbook/expressions';
import { type JsonSchema, Type } from './json-schema-builders.js';
import { ASK_PLACEHOLDER, ASK_SECRET_PLACEHOLDER } from './runbook.js';
import { OUTPUT_KEY_PATTERN } from './step-outputs.js';

// The FILE format (snake_case, as written in `*.playbook.toml`). The camelCase domain model lives in
// runbook.ts; validate-runbook.ts maps one to the other. These schemas are the single source for both the
// validator's field checks and the editor-facing JSON Schema (json-schema.ts).

/** Node ids: letters, digits, `_` and `-`. */
export const NODE_ID_PATTERN = '^[A-Za-z0-9_-]+$';

/** The table that holds the metadata; it can never be a node id. */
export const RUNBOOK_TABLE = 'runbook';

/** The values of a node's `type` field. */
export const NODE_TYPES = ['Manual', 'Function', 'Command'] as const;

/** The values of a node's `run_if` field (SPEC §8.4); `success` is the default. */
export const RUN_IF_VALUES = ['success', 'failure', 'always'] as const;

/** One field of a table: its schema, whether it is required, and what a wrong value is told it must be. */
export interface FieldSpec {
  readonly schema: JsonSchema;
  readonly required: boolean;
  /** Completes "`field` must be …" in a message. */
  readonly expected: string;
}

const field = (schema: JsonSchema, required: boolean, expected: string): FieldSpec => ({
  schema,
  required,
  expected,
});

/** Fields of the `[runbook]` table. `created_at` is checked by created-at.ts (TOML datetime or ISO string). */
export const RUNBOOK_FIELDS = {
  title: field(
    Type.String({ minLength: 1, description: "The workflow's name in the run history (workflow_name)." }),
    true,
    'a non-empty string',
  ),
  description: field(Type.String({ description: 'What the runbook is for.' }), true, 'a string'),
  version: field(Type.String({ description: 'Version of the runbook, e.g. "0.1.0".' }), true, 'a string'),
  author: field(Type.String({ description: 'Who maintains the runbook.' }), true, 'a string'),
  created_at: field(
    Type.String({ description: 'A TOML datetime (2025-05-03T12:08:00Z) or an ISO-8601 string.' }),
    true,
    'a TOML datetime or an ISO-8601 date-time string',
  ),
  concurrency: field(
    Type.Integer({
      minimum: 1,
      description:
        'How many ready steps run at once (default 1: one at a time, in plan order); --concurrency overrides it.',
    }),
    false,
    'a positive integer',
  ),
} as const satisfies Record<string, FieldSpec>;

/** Input names: letters, digits and `_` (they are CEL field names: `inputs.<name>`). */
export const INPUT_NAME_PATTERN = '^[A-Za-z0-9_]+$';

/** Environment variable names of a Command node's `env`. */
export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

const INPUT_VALUE = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);

/** Fields of one `[runbook.inputs.<name>]` table (SPEC §8.1). */
export const INPUT_FIELDS = {
  type: field(
    Type.Union(
      INPUT_TYPES.map((t) => Type.Literal(t)),
      { default: 'string', description: 'string, integer, number or boolean.' },
    ),
    false,
    'one of "string", "integer", "number", "boolean"',
  ),
  choices: field(
    Type.Array(INPUT_VALUE, { description: 'The value must be one of these (at least one).' }),
    false,
    'a non-empty list of values',
  ),
  default: field(
    Type.Union([Type.String(), Type.Number(), Type.Boolean()], {
      description: 'The value when none is given; without it the input is required.',
    }),
    false,
    'a string, number or boolean',
  ),
  pattern: field(
    Type.String({ description: 'A JavaScript regular expression a string value must match.' }),
    false,
    'a regular expression (a string)',
  ),
  min: field(
    Type.Number({ description: 'Smallest allowed value (integer and number inputs).' }),
    false,
    'a number',
  ),
  max: field(
    Type.Number({ description: 'Largest allowed value (integer and number inputs).' }),
    false,
    'a number',
  ),
  description: field(Type.String({ description: 'Shown when the value is asked.' }), false, 'a string'),
  secret: field(
    Type.Boolean({
      default: false,
      description: 'Never stored, never shown, masked in all output; a string of at least 4 characters.',
    }),
    false,
    'true or false',
  ),
} as const satisfies Record<string, FieldSpec>;

/** Fields every node may have, whatever its type. */
export const COMMON_NODE_FIELDS = {
  type: field(
    Type.Union(
      NODE_TYPES.map((t) => Type.Literal(t)),
      { description: 'Manual, Function or Command.' },
    ),
    true,
    'one of "Manual", "Function", "Command"',
  ),
  depends_on: field(
    Type.Union(
      [
        Type.String({ pattern: NODE_ID_PATTERN }),
        Type.Array(Type.String({ pattern: NODE_ID_PATTERN }), { uniqueItems: true }),
      ],
      { default: [], description: 'Ids of nodes that must end ok or skipped first (a string or a list).' },
    ),
    false,
    'a node id or a list of node ids',
  ),
  repeatable: field(
    Type.Boolean({
      default: false,
      description: 'On resume, an ok node may be run again (the operator is asked).',
    }),
    false,
    'true or false',
  ),
  skippable: field(
    Type.Boolean({ default: false, description: 'The operator may skip it. Not with critical.' }),
    false,
    'true or false',
  ),
  critical: field(
    Type.Boolean({ default: false, description: 'Must end ok: never skipped; its failure fails the run.' }),
    false,
    'true or false',
  ),
  name: field(
    Type.String({ minLength: 1, description: 'Human label; defaults to the id.' }),
    false,
    'a non-empty string',
  ),
  description: field(Type.String({ description: 'Longer text shown before the step.' }), false, 'a string'),
  timeout: field(
    Type.Number({
      exclusiveMinimum: 0,
      description: 'Seconds per attempt (default: config default_timeout_seconds).',
    }),
    false,
    'a positive number of seconds',
  ),
  outputs: field(
    Type.Array(Type.String({ pattern: OUTPUT_KEY_PATTERN }), {
      uniqueItems: true,
      description:
        'Outputs the step must produce (letters, digits, _): an attempt that ends ok without one of them is nok.',
    }),
    false,
    'a list of output keys',
  ),
  secret_outputs: field(
    Type.Array(Type.String({ pattern: OUTPUT_KEY_PATTERN }), {
      uniqueItems: true,
      description:
        'Outputs the step must produce that are secret: masked as *** in all output and never stored.',
    }),
    false,
    'a list of output keys',
  ),
  when: field(
    Type.String({
      minLength: 1,
      description:
        'A CEL expression (no ${{ }}), evaluated when the step is ready: false records it skipped (decision "condition") and its dependents still run.',
    }),
    false,
    'a CEL expression (a non-empty string)',
  ),
  run_if: field(
    Type.Union(
      RUN_IF_VALUES.map((value) => Type.Literal(value)),
      {
        default: 'success',
        description:
          'success: runs when every dependency ended ok or skipped; failure: once they have all ended and one ended nok (rollback, alert); always: once they have all ended, whatever their status (cleanup).',
      },
    ),
    false,
    'one of "success", "failure", "always"',
  ),
  expected_duration: field(
    Type.Number({
      exclusiveMinimum: 0,
      description: 'Seconds; past it the step is shown as overdue, once (terminal and events).',
    }),
    false,
    'a positive number of seconds',
  ),
} as const satisfies Record<string, FieldSpec>;

/** A Command or Function node's `retry` table (SPEC §8.4); checked key by key by validate-retry.ts. */
const RETRY_FIELD = field(
  Type.Object(
    {
      attempts: Type.Integer({
        minimum: 0,
        description: 'Tries in all, the first included (3 = the first and two retries); replaces --retries.',
      }),
      delay: Type.Optional(
        Type.Number({ minimum: 0, default: 0, description: 'Seconds to wait before the next try.' }),
      ),
      backoff: Type.Optional(
        Type.Number({
          minimum: 1,
          default: 1,
          description: 'The delay is multiplied by this after each try.',
        }),
      ),
      exit_codes: Type.Optional(
        Type.Array(Type.Integer({ minimum: 1, maximum: 255 }), {
          description:
            'Command only: retry only for these exit codes (a timeout, 124, only when listed). Default: any failure.',
        }),
      ),
    },
    {
      additionalProperties: false,
      description: 'Automatic retries before the operator is asked (or before the step fails without one).',
    },
  ),
  false,
  'a table { attempts = 3, delay = 5, backoff = 2.0, exit_codes = [75] }',
);

/** A Manual node's `approval` table (SPEC §10.2); checked key by key by validate-approval.ts. */
const APPROVAL_FIELD = field(
  Type.Object(
    {
      approvers: Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        description: 'Operators who may approve or reject: "alice" matches alice at any host.',
      }),
      min: Type.Optional(
        Type.Integer({
          minimum: 1,
          default: 1,
          description: 'Distinct approvals that open the gate (at most the number of approvers).',
        }),
      ),
      not_starter: Type.Optional(
        Type.Boolean({
          default: false,
          description: 'Four eyes: whoever started or resumed the run may not decide.',
        }),
      ),
    },
    {
      additionalProperties: false,
      description:
        'Makes the step an approval gate: the run waits (exit 3) until `playbook approve` / `playbook reject`.',
    },
  ),
  false,
  'a table { approvers = ["alice", "bob"], min = 1, not_starter = true }',
);

/** Fields specific to each node type. */
export const TYPE_FIELDS = {
  Manual: {
    prompt: field(
      Type.String({ minLength: 1, description: 'What the operator is asked to do and confirm.' }),
      true,
      'a non-empty string',
    ),
    approval: APPROVAL_FIELD,
  },
  Function: {
    function_name: field(
      Type.String({
        minLength: 1,
        description: '"<module>#<export>", e.g. "./ops.mjs#notify" or "playbook:notify".',
      }),
      true,
      'a non-empty string "<module>#<export>"',
    ),
    function_params: field(
      Type.Record({
        default: {},
        description: `Arguments of the function; a value "${ASK_PLACEHOLDER}" is asked from the operator, a value "${ASK_SECRET_PLACEHOLDER}" too but hidden, never stored and masked in output.`,
      }),
      false,
      'a table',
    ),
    retry: RETRY_FIELD,
  },
  Command: {
    command_name: field(
      Type.String({
        minLength: 1,
        description:
          'One shell command line, run with /bin/sh -c. A template ${{ expr }} is inserted shell-quoted (one word).',
      }),
      true,
      'a non-empty shell command line',
    ),
    env: field(
      Type.RecordOf(ENV_NAME_PATTERN, Type.String(), {
        description:
          'Extra environment variables of the command; values may hold templates ${{ expr }} (the way to pass a secret).',
      }),
      false,
      'a table of strings',
    ),
    cwd: field(
      Type.String({
        minLength: 1,
        description:
          "Working directory of the command, relative to the runbook's directory (templates ${{ expr }} allowed).",
      }),
      false,
      'a non-empty directory path',
    ),
    retry: RETRY_FIELD,
  },
} as const satisfies Record<(typeof NODE_TYPES)[number], Record<string, FieldSpec>>;

/** Every key a node table may hold, of any type (for unknown-key detection and suggestions). */
export const ALL_NODE_KEYS: readonly string[] = [
  ...Object.keys(COMMON_NODE_FIELDS),
  ...Object.values(TYPE_FIELDS).flatMap((fields) => Object.keys(fields)),
];

const toProperties = (fields: Record<string, FieldSpec>): Record<string, JsonSchema> =>
  Object.fromEntries(
    Object.entries(fields).map(([key, spec]) => [
      key,
      spec.required ? spec.schema : Type.Optional(spec.schema),
    ]),
  );

const nodeSchema = (type: (typeof NODE_TYPES)[number], description: string) =>
  Type.Object(
    {
      ...toProperties(COMMON_NODE_FIELDS),
      type: Type.Literal(type, { description: 'Manual, Function or Command.' }),
      ...toProperties(TYPE_FIELDS[type]),
    },
    { additionalProperties: false, title: `${type} node`, description },
  );

/** A `type = "Manual"` node table. */
export const ManualNodeTableSchema = nodeSchema('Manual', 'A step a person does and confirms ok / nok.');
/** A `type = "Function"` node table. */
export const FunctionNodeTableSchema = nodeSchema('Function', 'Calls a JS/TS function "<module>#<export>".');
/** A `type = "Command"` node table. */
export const CommandNodeTableSchema = nodeSchema(
  'Command',
  'Runs one shell command line; exit code 0 is ok.',
);

/** Any node table (the table key is the node id). */
export const NodeTableSchema = Type.Union(
  [ManualNodeTableSchema, FunctionNodeTableSchema, CommandNodeTableSchema],
  {
    title: 'Node',
  },
);

/** One `[runbook.inputs.<name>]` table. */
export const InputTableSchema = Type.Object(toProperties(INPUT_FIELDS), {
  additionalProperties: false,
  title: 'Input',
  description: 'A parameter of the runbook, read in expressions as inputs.<name>.',
});

/** The `[runbook]` metadata table. */
export const RunbookTableSchema = Type.Object(
  {
    ...toProperties(RUNBOOK_FIELDS),
    inputs: Type.Optional(
      Type.RecordOf(INPUT_NAME_PATTERN, InputTableSchema, {
        description: 'Parameters of the runbook, [runbook.inputs.<name>].',
      }),
    ),
  },
  {
    additionalProperties: false,
    title: 'Runbook metadata',
  },
);

/** A whole `*.playbook.toml` file: `[runbook]` plus one table per node, keyed by node id. */
export const RunbookFileSchema = Type.Object(
  { [RUNBOOK_TABLE]: RunbookTableSchema },
  {
    additionalProperties: NodeTableSchema,
    propertyNames: Type.String({ pattern: NODE_ID_PATTERN }),
    title: 'Playbook runbook',
  },
);
