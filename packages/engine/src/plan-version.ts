/** Version of the plan document (`planRun`, `playbook plan --json`); raised only for a change a reader must know about. */
export const PLAN_SCHEMA_VERSION = 1;
