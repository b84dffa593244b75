/** The controller config as JSON Schema, for editors (yaml-language-server) and docs. */
import { z } from 'zod';
import { ControllerConfigSchema } from './schema.js';

export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ControllerConfigSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://ecs-pilot.dev/schema/ecs-pilot.schema.json',
    title: 'ecs-pilot controller config',
  };
}
