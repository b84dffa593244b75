/** Batch jobs: a schedule starts a run, a stopped attempt is retried by the job's rules (docs/batch-jobs.md). */
import type { JobConfig } from '../config/schema.js';
import type { ClusterObservation, Decision, Duty } from '../controller.js';
import type { Action } from '../core/actions.js';
import { capacityForJobStarts } from '../core/batch/capacity.js';
import { decideSchedule, decideStopped, isJobAttempt, parseStartedBy, runIdFor, type JobTask } from '../core/batch/jobs.js';
import { parseSnapshot, type Snapshot, type Task } from '../core/model.js';
import type { JobSchedule, TaskStateChange } from '../events/index.js';
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

/** A job attempt that stopped: the batch function's rule (an ecs-pilot job attempt, STOPPED). */
export function isJobAttemptStop(event: TaskStateChange): boolean {
  return event.lastStatus === 'STOPPED' && isJobAttempt(event.startedBy);
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
    // The cluster and the attempt's shape matter only for the capacity of an attempt about to start:
    // a run that succeeded, failed for good or waits for its backoff reads nothing more.
    if (!jobDecision(event, job, tasks, ctx.now).actions.some((a) => a.kind === 'runTask')) {
      return [{ cluster, snapshot: notRead(cluster.name, ctx.now), job, tasks, shape: undefined }];
    }
    const shape = await jobTaskShape(ctx.clients, job);
    const snapshot = await readClusterSnapshot({ clients: ctx.clients, cluster, now: ctx.now, state: ctx.state });
    return [{ cluster, snapshot, job, tasks, shape }];
  },
  decide(event, { snapshot, job, tasks, shape }, now) {
    const decision = jobDecision(event, job, tasks, now);
    return { ...decision, actions: [...capacityForJobStarts(decision.actions, snapshot, shape), ...decision.actions] };
  },
};

/** The job's own decision (runs, retries, stops), before the capacity for what it starts. */
function jobDecision(event: JobSchedule | TaskStateChange, job: JobConfig, tasks: JobTask[], now: Date): Decision {
  if (event.kind === 'job-schedule') {
    // A scheduled run is identified by its scheduled time; a manual one by its event id.
    const trigger = { runId: runIdFor(job.name, event.manual ? event.id : event.time), scheduledTime: new Date(event.time), manual: event.manual };
    return { actions: decideSchedule(job, trigger, tasks.filter((t) => t.lastStatus !== 'STOPPED'), now) };
  }
  const stopped = tasks.find((t) => t.arn === event.taskArn);
  if (!stopped) return { actions: [], reason: `task ${event.taskArn} is not among job ${job.name}'s tasks` };
  const successor = tasks.some((t) => t.runId === stopped.runId && t.attempt > stopped.attempt);
  const actions: Action[] = decideStopped(job, stopped, successor, now);
  if (actions.length === 0 && successor) return { actions, reason: `attempt ${stopped.attempt} of run ${stopped.runId} already has a successor` };
  return { actions };
}

/** An empty snapshot: the cluster was not read because nothing will start. */
function notRead(cluster: string, now: Date): Snapshot {
  return parseSnapshot({ version: 1, cluster, takenAt: now.toISOString(), instanceTypes: {}, groups: [] });
}
