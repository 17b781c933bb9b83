import { RunbookFileSchema } from './file-schema.js';

/** Where the committed schema is published, relative to the repository root. */
export const JSON_SCHEMA_PATH = 'schema/playbook.schema.json';

/** The editor-facing JSON Schema of `*.playbook.toml`, generated from the TypeBox schemas. */
export function runbookJsonSchema(): Record<string, unknown> {
  // A JSON round trip drops TypeBox's non-enumerable bookkeeping and leaves plain JSON Schema.
  const body = JSON.parse(JSON.stringify(RunbookFileSchema)) as Record<string, unknown>;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/playbook-dev/playbook/raw/main/schema/playbook.schema.json',
    ...body,
    description:
      'A Playbook runbook (*.playbook.toml): a [runbook] metadata table plus one table per node, keyed by the ' +
      'node id. Unknown keys are flagged here; `playbook validate` reports them as warnings.',
  };
}

/** The schema file's exact text (what `generate-schema` writes and the freshness test compares). */
export function renderRunbookJsonSchema(): string {
  return `${JSON.stringify(runbookJsonSchema(), null, 2)}\n`;
}
