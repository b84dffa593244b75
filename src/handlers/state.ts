import { stateHandler } from './wire.js';

/** Lambda entry point: the state store's writer (docs/state.md). */
export const handler = stateHandler();
