import { DUTIES } from '../duties/index.js';
import { lambdaHandler } from './wire.js';

/** Lambda entry point: service scaling on CloudWatch alarms and schedules (docs/service-scaling.md). */
export const handler = lambdaHandler(DUTIES.scaling);
