// Writes schema/plan.schema.json (what `playbook plan --json` prints) from the TypeBox schema. Needs a build
// first (it imports dist):   pnpm --filter @playbook/engine generate:schema
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PLAN_SCHEMA_PATH, renderPlanJsonSchema } from '../dist/plan-schema.js';

const target = fileURLToPath(new URL(`../../../${PLAN_SCHEMA_PATH}`, import.meta.url));
writeFileSync(target, renderPlanJsonSchema());
process.stdout.write(`wrote ${PLAN_SCHEMA_PATH}\n`);
