/**
 * Writes docs/ecs-pilot.schema.json, the controller config's JSON Schema for editors, and the key
 * reference in docs/config.md generated from it (npm run config:schema).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { configJsonSchema } from '../src/config/json-schema.js';
import { configReference, withReference } from '../src/config/reference-doc.js';

const schema = configJsonSchema();
writeFileSync('docs/ecs-pilot.schema.json', `${JSON.stringify(schema, null, 2)}\n`);
console.log('wrote docs/ecs-pilot.schema.json');
const page = readFileSync('docs/config.md', 'utf8');
writeFileSync('docs/config.md', withReference(page, configReference(schema, readFileSync('src/core/config-schema.ts', 'utf8'))));
console.log('wrote docs/config.md (its generated key reference)');
