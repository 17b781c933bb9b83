import Type, { type Static, type TSchema } from 'typebox';
import { PLAN_SCHEMA_VERSION } from './plan-version.js';

export { PLAN_SCHEMA_VERSION } from './plan-version.js';

// What `planRun` returns and `playbook plan --json` prints (SPEC §9.2): one schema, here, for the docs and any
// program that reads a plan. The TypeScript type of a plan is derived from it (`Plan`), so the two cannot drift.
// A subpath of its own (`@playbook/engine/plan-schema`): TypeBox is loaded only by readers of the schema, while
// `planRun` on the main entry imports just the type.

const nodeId = Type.String({ description: 'The node (step) id.' });
const nullable = <T extends TSchema>(schema: T, description: string) =>
  Type.Union([schema, Type.Null()], { description });

export const PlanInputSchema = Type.Object(
  {
    name: Type.String(),
    type: Type.Union([
      Type.Literal('string'),
      Type.Literal('integer'),
      Type.Literal('number'),
      Type.Literal('boolean'),
    ]),
    known: Type.Boolean({
      description:
        'false: no value was given and there is no default; a run asks for it at its start (or refuses to start without an operator).',
    }),
    value: nullable(
      Type.Union([Type.String(), Type.Number(), Type.Boolean()]),
      'The value; "***" for a secret; null when not known.',
    ),
    secret: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const PlanConditionSchema = Type.Object(
  {
    decision: Type.Union(
      [
        Type.Literal('runs'),
        Type.Literal('skipped'),
        Type.Literal('decided at run time'),
        Type.Literal('blocked'),
      ],
      {
        description:
          "runs: no `when`, or it is true with the values known now; skipped: its `when` is false; decided at run time: it reads a value known only then (a step's status or output, the run id, an input without a value); blocked (a resume): a step it needs is kept without having ended ok or skipped, so it cannot run.",
      },
    ),
    expression: nullable(Type.String(), 'The `when` expression; null when the node has none.'),
    reason: nullable(
      Type.String(),
      'Why it is decided at run time (the values it waits for), or why evaluating it fails.',
    ),
  },
  { additionalProperties: false },
);

export const PlanRetrySchema = Type.Object(
  {
    attempts: Type.Integer({ minimum: 0, description: 'Tries in all, the first one included.' }),
    delaySeconds: Type.Number({ minimum: 0, description: 'Wait before the second try.' }),
    backoff: Type.Number({ minimum: 1, description: 'Each further wait is the previous one times this.' }),
    exitCodes: nullable(Type.Array(Type.Integer()), 'Retried only for these exit codes; null: any failure.'),
  },
  { additionalProperties: false },
);

export const PlanStepSchema = Type.Object(
  {
    position: Type.Integer({
      minimum: 1,
      description: 'Place in the order a run takes (concurrency 1): [position/total].',
    }),
    nodeId,
    name: Type.String({ description: "The node's name (its id when it has none)." }),
    kind: Type.Union([Type.Literal('Manual'), Type.Literal('Function'), Type.Literal('Command')]),
    dependsOn: Type.Array(nodeId),
    action: Type.Union([Type.Literal('run'), Type.Literal('keep'), Type.Literal('ask')], {
      description:
        'run: it runs (again); keep: a resume keeps its earlier status; ask: a repeatable node already ok — the operator is asked whether to run it again (never without one).',
    }),
    previousStatus: nullable(
      Type.Union([
        Type.Literal('pending'),
        Type.Literal('running'),
        Type.Literal('ok'),
        Type.Literal('nok'),
        Type.Literal('skipped'),
      ]),
      'On a resume: its status in the run so far; null for a new run.',
    ),
    description: nullable(Type.String(), 'Its description, templates rendered where the values are known.'),
    command: nullable(
      Type.String(),
      'Command: the command line, templates rendered (shell-quoted) where known.',
    ),
    prompt: nullable(Type.String(), 'Manual: the prompt, templates rendered where known.'),
    function: nullable(
      Type.Object(
        {
          name: Type.String({ description: 'function_name: the module is not imported by a plan.' }),
          params: Type.Record(Type.String(), Type.Unknown()),
        },
        { additionalProperties: false },
      ),
      'Function: what it calls and its parameters, templates rendered where known.',
    ),
    env: nullable(Type.Record(Type.String(), Type.String()), 'Command: extra environment variables.'),
    cwd: nullable(Type.String(), 'Command: its working directory, when it sets one.'),
    condition: nullable(
      PlanConditionSchema,
      'Whether it runs, as far as is known now; null for a kept node.',
    ),
    runIf: Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('always')]),
    critical: Type.Boolean(),
    skippable: Type.Boolean(),
    repeatable: Type.Boolean(),
    timeoutSeconds: nullable(
      Type.Number(),
      'Per attempt; null for a Manual step (an operator is never timed).',
    ),
    retry: nullable(PlanRetrySchema, 'Its automatic retry policy; null when it has none.'),
    expectedDurationSeconds: nullable(Type.Number(), 'Past it, a run shows the step as overdue.'),
    approval: nullable(
      Type.Object(
        {
          approvers: Type.Array(Type.String(), { description: 'Who may decide (`approval.approvers`).' }),
          min: Type.Integer({ minimum: 1, description: 'Distinct approvals that open the gate.' }),
          notStarter: Type.Boolean({
            description: 'Four eyes: whoever started or resumed the run may not decide.',
          }),
          waiting: Type.Boolean({
            description:
              'true (a resume): the run waits at this gate now, undecided — a resume exits 3 and runs nothing until it opens; false: the run will stop here and wait (exit 3) when it reaches it.',
          }),
          approvedBy: Type.Array(Type.String(), {
            description:
              'Who approved it so far, in this round and on this runbook (a resume of a waiting run).',
          }),
        },
        { additionalProperties: false },
      ),
      'An approval gate (a Manual step with `approval`) that this run or resume will wait at; null otherwise. The run stops there with exit 3 until `playbook approve` records enough approvals.',
    ),
    unresolved: Type.Array(Type.String(), {
      description:
        'Templates left as they are: they read values known only at run time (step outputs, the run id, inputs without a value).',
    }),
    problems: Type.Array(Type.String(), {
      description: 'Templates or conditions that fail with the values known now: the attempt would end nok.',
    }),
  },
  { additionalProperties: false },
);

export const PlanSchema = Type.Object(
  {
    schemaVersion: Type.Literal(PLAN_SCHEMA_VERSION, { description: 'Version of this schema.' }),
    workflow: Type.String({ description: "The runbook's title (workflow_name)." }),
    mode: Type.Union([Type.Literal('run'), Type.Literal('resume')]),
    resume: nullable(
      Type.Object(
        {
          runId: Type.Integer({ minimum: 1 }),
          status: Type.Union([
            Type.Literal('running'),
            Type.Literal('ok'),
            Type.Literal('nok'),
            Type.Literal('aborted'),
            Type.Literal('waiting'),
          ]),
          node: nullable(nodeId, '--node: the step the re-run starts from.'),
          rerun: Type.Union(
            [Type.Literal('from'), Type.Literal('only'), Type.Literal('downstream'), Type.Null()],
            {
              description: 'from: --node alone; only / downstream: --node with --only / --downstream.',
            },
          ),
          changes: nullable(
            Type.Object(
              {
                added: Type.Array(nodeId),
                removed: Type.Array(nodeId),
                changed: nullable(
                  Type.Array(nodeId),
                  'Node ids in both runbooks whose definition changed, in run order; null when the runbook the run started with is not known.',
                ),
              },
              { additionalProperties: false },
            ),
            'When the runbook file changed since the run started: node ids added, removed and changed.',
          ),
          notes: Type.Array(Type.String(), { description: 'What the resume will also do or need.' }),
        },
        { additionalProperties: false },
      ),
      'For a resume: the run it continues; null for a new run.',
    ),
    inputs: Type.Array(PlanInputSchema, { description: 'The runbook inputs in declaration order.' }),
    steps: Type.Array(PlanStepSchema, { description: 'Every node, in the order a run takes them.' }),
  },
  {
    additionalProperties: false,
    description: 'What a run (or a resume) of a runbook would do: `playbook plan --json`.',
  },
);

/** A plan, as `planRun` returns it and `playbook plan --json` prints it. */
export type Plan = Static<typeof PlanSchema>;
export type PlanStep = Static<typeof PlanStepSchema>;
export type PlanInput = Static<typeof PlanInputSchema>;
export type PlanCondition = Static<typeof PlanConditionSchema>;
export type PlanRetry = Static<typeof PlanRetrySchema>;

/** Where the committed JSON Schema of a plan is published, relative to the repository root. */
export const PLAN_SCHEMA_PATH = 'schema/plan.schema.json';

/** The plan schema as plain JSON Schema (draft-07), for programs in any language. */
export function planJsonSchema(): Record<string, unknown> {
  // A JSON round trip drops TypeBox's non-enumerable bookkeeping and leaves plain JSON Schema.
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `https://github.com/playbook-dev/playbook/raw/main/${PLAN_SCHEMA_PATH}`,
    title: 'Playbook plan',
    ...(JSON.parse(JSON.stringify(PlanSchema)) as Record<string, unknown>),
  };
}

/** The schema file's exact text (what `generate:schema` writes and the freshness test compares). */
export function renderPlanJsonSchema(): string {
  return `${JSON.stringify(planJsonSchema(), null, 2)}\n`;
}
