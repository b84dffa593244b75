export * from './types.js';
export { parseEvent, HANDLED_EVENT_TYPES, type ParsedEvent } from './registry.js';
export { EventValidationError } from './envelope.js';
