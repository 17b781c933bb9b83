import Type, { type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';

// The JSON report's schema: the contract of `playbook report --format json` and of `buildRunReport`. Other
// tools read it, so fields are only ever added; `schema` names the version.

/** The value of `schema` in every report this version writes. */
export const RUN_REPORT_SCHEMA_ID = 'playbook-run-report/1';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** The end of a captured stream: at most a fixed number of lines and characters. */
export const OutputTailSchema = Type.Object(
  {
    text: Type.String({
      description: 'The last lines of the captured text, as stored (secrets already ***).',
    }),
    omittedChars: Type.Integer({
      minimum: 0,
      description: 'Characters of the captured text before `text` that the report leaves out (0: all shown).',
    }),
  },
  { description: 'The tail of one captured stream.' },
);

/** One captured line with its stream and time, when the history recorded lines in order (SPEC §10.1). */
export const OutputLineSchema = Type.Object({
  stream: Type.Union([Type.Literal('stdout'), Type.Literal('stderr')]),
  time: Nullable(Type.String({ description: 'UTC ISO-8601 time the line arrived.' })),
  text: Type.String(),
});

export const ReportAttemptSchema = Type.Object(
  {
    nodeId: Type.String(),
    nodeName: Type.String({ description: "The node's name in the runbook; its id when unknown." }),
    attempt: Type.Integer({ minimum: 1 }),
    status: Type.Union([
      Type.Literal('running'),
      Type.Literal('ok'),
      Type.Literal('nok'),
      Type.Literal('skipped'),
    ]),
    operator: Nullable(Type.String({ description: 'Who ran or decided it, as claimed.' })),
    decision: Nullable(Type.String({ description: 'operator_decision: ok, nok, skip, retry, abort, …' })),
    note: Nullable(Type.String({ description: "result_text: a Manual node's note or a function's result." })),
    exception: Nullable(Type.String()),
    startTime: Type.String(),
    endTime: Nullable(Type.String()),
    durationMs: Nullable(Type.Integer({ minimum: 0 })),
    exitCode: Nullable(Type.Integer()),
    ran: Nullable(
      Type.String({ description: 'What ran: the command, the function and its params, or the prompt.' }),
    ),
    stdout: OutputTailSchema,
    stderr: OutputTailSchema,
    lines: Type.Array(OutputLineSchema, {
      description: 'The last captured lines of both streams in arrival order; empty when not recorded.',
    }),
  },
  { description: 'One attempt of one node, in the order attempts started.' },
);

export const ReportNodeSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Nullable(Type.Union([Type.Literal('Manual'), Type.Literal('Function'), Type.Literal('Command')])),
  dependsOn: Type.Array(Type.String()),
  critical: Type.Boolean(),
  status: Type.Union([
    Type.Literal('running'),
    Type.Literal('ok'),
    Type.Literal('nok'),
    Type.Literal('skipped'),
    Type.Literal('pending'),
  ]),
  attempts: Type.Integer({ minimum: 0 }),
  durationMs: Nullable(Type.Integer({ minimum: 0 })),
});

export const ReportInputSchema = Type.Object({
  name: Type.String(),
  value: Type.String({ description: 'The value as text; `***` for a secret.' }),
  secret: Type.Boolean(),
});

export const ReportApprovalSchema = Type.Object({
  nodeId: Type.String(),
  operator: Type.String(),
  decision: Type.Union([Type.Literal('approved'), Type.Literal('rejected')]),
  note: Nullable(Type.String()),
  time: Nullable(Type.String()),
});

/** The whole report (`playbook report --format json`). */
export const RunReportSchema = Type.Object(
  {
    schema: Type.Literal(RUN_REPORT_SCHEMA_ID),
    generatedAt: Nullable(Type.String({ description: 'When the report was made, if the caller said.' })),
    workflow: Type.String({ description: "The runbook's title: the workflow's name in the history." }),
    runId: Type.Integer({ minimum: 1 }),
    runbook: Type.Object({
      title: Type.String(),
      version: Nullable(Type.String({ description: 'null when the runbook was not at hand.' })),
      description: Nullable(Type.String()),
      contentHash: Nullable(
        Type.String({ description: 'Hex SHA-256 of the runbook file the run started with.' }),
      ),
    }),
    run: Type.Object({
      status: Type.String({ description: 'running, ok, nok, aborted or waiting.' }),
      trigger: Type.String({ description: 'run or resume.' }),
      startedBy: Nullable(Type.String({ description: 'Who started the run, as claimed.' })),
      startTime: Type.String(),
      endTime: Nullable(Type.String()),
      nodesOk: Type.Integer({ minimum: 0 }),
      nodesNok: Type.Integer({ minimum: 0 }),
      nodesSkipped: Type.Integer({ minimum: 0 }),
    }),
    identityNote: Type.String({ description: 'How far the names of operators can be trusted.' }),
    inputs: Type.Array(ReportInputSchema),
    nodes: Type.Array(ReportNodeSchema, { description: 'Every node, in plan order, with its status.' }),
    timeline: Type.Array(ReportAttemptSchema),
    approvals: Type.Array(ReportApprovalSchema),
    auditHeadHash: Nullable(
      Type.String({ description: "The audit chain's head hash, as `playbook verify` prints it." }),
    ),
    omittedAttempts: Type.Integer({
      minimum: 0,
      description:
        'Attempts left out of the middle of `timeline` to keep the report bounded (the first and last are kept).',
    }),
  },
  { title: 'Playbook run report' },
);

export type OutputTail = Static<typeof OutputTailSchema>;
export type OutputLine = Static<typeof OutputLineSchema>;
export type ReportAttempt = Static<typeof ReportAttemptSchema>;
export type ReportNode = Static<typeof ReportNodeSchema>;
export type ReportInput = Static<typeof ReportInputSchema>;
export type ReportApproval = Static<typeof ReportApprovalSchema>;
/** A run report: what every format shows. */
export type RunReport = Static<typeof RunReportSchema>;

/** Where `value` departs from `RunReportSchema`, one message each (`/timeline/0/status: …`); empty when valid. */
export function runReportErrors(value: unknown): string[] {
  return [...Value.Errors(RunReportSchema, value)].map((error) => `${error.instancePath}: ${error.message}`);
}
