// Writes schema/events.schema.json (the lines of `playbook run --json`) from the TypeBox schema. Needs a build
// first (it imports dist):   pnpm --filter @playbook/engine generate:schema
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EVENT_SCHEMA_PATH, renderEventLineJsonSchema } from '../dist/event-schema.js';

const target = fileURLToPath(new URL(`../../../${EVENT_SCHEMA_PATH}`, import.meta.url));
writeFileSync(target, renderEventLineJsonSchema());
process.stdout.write(`wrote ${EVENT_SCHEMA_PATH}\n`);
