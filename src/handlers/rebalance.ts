import { DUTIES } from '../duties.js';
import { lambdaHandler } from './wire.js';

/** Lambda entry point: the rebalance duty (docs/controller.md). */
export const handler = lambdaHandler(DUTIES.rebalance);
