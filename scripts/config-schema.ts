/** Writes docs/ecs-pilot.schema.json, the controller config's JSON Schema for editors (npm run config:schema). */
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../src/config/json-schema.js';

writeFileSync('docs/ecs-pilot.schema.json', `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log('wrote docs/ecs-pilot.schema.json');
