/**
 * A batch job's schedule firing (EventBridge Scheduler delivers the input ecs-pilot gives each
 * schedule, shaped as an EventBridge event), or a run started by hand (`manual: true`).
 *
 * Sample (events/demo/08-job-schedule.json):
 *   { "id": "<aws.scheduler.execution-id>", "source": "ecs-pilot.scheduler", "detail-type": "Batch Job Schedule",
 *     "time": "<aws.scheduler.scheduled-time>", "detail": { "job": "nightly-report" } }
 */
import { z } from 'zod';
import { eventModule } from './module.js';

export const JOB_SCHEDULE = { source: 'ecs-pilot.scheduler', detailType: 'Batch Job Schedule' } as const;

export const jobSchedule = eventModule({
  source: JOB_SCHEDULE.source,
  detailType: JOB_SCHEDULE.detailType,
  detail: z.looseObject({ job: z.string().min(1), manual: z.boolean().default(false) }),
  toDomain: (base, d) => ({ ...base, kind: 'job-schedule', job: d.job, manual: d.manual }),
});
