import { DUTIES } from '../duties/index.js';
import { lambdaHandler } from './wire.js';

/** Lambda entry point: the rebalance duty (docs/controller.md). */
export const handler = lambdaHandler(DUTIES.rebalance);
