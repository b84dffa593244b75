import { DUTIES } from '../duties/index.js';
import { lambdaHandler } from './wire.js';

/** Lambda entry point: batch jobs — schedules and stopped attempts (docs/batch-jobs.md). */
export const handler = lambdaHandler(DUTIES.batch);
