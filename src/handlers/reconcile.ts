import { DUTIES } from '../duties/index.js';
import { lambdaHandler } from './wire.js';

/** Lambda entry point: the reconcile duty (docs/controller.md). */
export const handler = lambdaHandler(DUTIES.reconcile);
