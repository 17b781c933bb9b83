// Writes schema/playbook.schema.json from the schemas of file-schema.ts. Needs a build first (it imports dist):
//   pnpm --filter @playbook/domain generate:schema
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { JSON_SCHEMA_PATH, renderRunbookJsonSchema } from '../dist/index.js';

const target = fileURLToPath(new URL(`../../../${JSON_SCHEMA_PATH}`, import.meta.url));
writeFileSync(target, renderRunbookJsonSchema());
process.stdout.write(`wrote ${JSON_SCHEMA_PATH}\n`);
