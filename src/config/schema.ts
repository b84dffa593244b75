/**
 * The controller config's schema and types. The zod schema lives in the leaf `core/config-schema.ts`
 * (it imports nothing else from src), so the core reads the config's types without importing config.
 */
export * from '../core/config-schema.js';
