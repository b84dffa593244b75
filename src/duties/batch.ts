/** Batch jobs: a schedule starts a run, a stopped attempt is retried by the job's rules (docs/batch-jobs.md). */
import type { JobConfig } from '../config/schema.js';
import type { ClusterObservation, Duty } from '../controller.js';
import type { Action } from '../core/actions.js';
import { capacityForJobStarts } from '../core/batch/capacity.js';
import { decideSchedule, decideStopped, parseStartedBy, runIdFor, type JobTask } from '../core/batch/jobs.js';
import type { Task } from '../core/model.js';
import type { TaskStateChange } from '../events/index.js';
import { jobTaskShape, listJobTasks } from '../aws/job-reader.js';
import { readClusterSnapshot } from '../aws/snapshot-reader.js';

/** A job and its running and recently stopped tasks. */
export interface JobTasks {
  job: JobConfig;
  tasks: JobTask[];
}

export interface BatchObservation extends ClusterObservation, JobTasks {
  /** What one attempt needs (from its task definition), for the capacity request. */
  shape: Task | undefined;
}

/** A job attempt that stopped: the batch function's rule (`startedBy` prefix `ecs-pilot:`, STOPPED). */
export function isJobAttemptStop(event: TaskStateChange): boolean {
  return event.lastStatus === 'STOPPED' && parseStartedBy(event.startedBy) !== undefined;
}

export const batchDuty: Duty<'job-schedule' | 'task-state-change', BatchObservation> = {
  name: 'batch',
  kinds: ['job-schedule', 'task-state-change'],
  async observe(event, ctx) {
    const name = event.kind === 'job-schedule' ? event.job : parseStartedBy(event.startedBy)?.job;
    if (event.kind === 'task-state-change' && !isJobAttemptStop(event)) return `task ${event.lastStatus}, not a stopped job attempt`;
    const job = ctx.config.jobs.find((j) => j.name === name);
    if (!job) return `job ${name} is not configured`;
    const cluster = ctx.config.clusters.find((c) => c.name === job.cluster);
    if (!cluster) return `cluster ${job.cluster} of job ${job.name} is not configured`;
    const tasks = await listJobTasks(ctx.clients, job);
    const shape = await jobTaskShape(ctx.clients, job);
    const snapshot = await readClusterSnapshot({ clients: ctx.clients, cluster, now: ctx.now });
    return [{ cluster, snapshot, job, tasks, shape }];
  },
  decide(event, { snapshot, job, tasks, shape }, now) {
    let actions: Action[];
    if (event.kind === 'job-schedule') {
      // A scheduled run is identified by its scheduled time; a manual one by its event id.
      const trigger = { runId: runIdFor(job.name, event.manual ? event.id : event.time), scheduledTime: new Date(event.time), manual: event.manual };
      actions = decideSchedule(job, trigger, tasks.filter((t) => t.lastStatus !== 'STOPPED'), now);
    } else {
      const stopped = tasks.find((t) => t.arn === event.taskArn);
      if (!stopped) return { actions: [], reason: `task ${event.taskArn} is not among job ${job.name}'s tasks` };
      const successor = tasks.some((t) => t.runId === stopped.runId && t.attempt > stopped.attempt);
      actions = decideStopped(job, stopped, successor, now);
      if (actions.length === 0 && successor) return { actions, reason: `attempt ${stopped.attempt} of run ${stopped.runId} already has a successor` };
    }
    return { actions: [...capacityForJobStarts(actions, snapshot, shape), ...actions] };
  },
};
