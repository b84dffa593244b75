import { DUTIES } from '../duties.js';
import { lambdaHandler } from './wire.js';

/** Lambda entry point: the capacity duty (docs/controller.md). */
export const handler = lambdaHandler(DUTIES.capacity);
