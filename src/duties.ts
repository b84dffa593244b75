/** The controller's duties: which events each takes, what it reads, and its pure decision. */
import { DescribeTasksCommand } from '@aws-sdk/client-ecs';
import { findCluster, findGroupByAsg } from './config/load.js';
import type { ControllerConfig } from './config/schema.js';
import { plan } from './core/capacity/index.js';
import { withDisplacedDemand } from './core/capacity/displaced.js';
import { scaleOutActions } from './core/capacity/scale-out.js';
import { decideTerminating } from './core/drain/lifecycle.js';
import { decideRebalanceRecommendation, decideSpotInterruption } from './core/drain/spot.js';
import type { Action } from './core/actions.js';
import { decideJobReconcile, decideSchedule, decideStopped, parseStartedBy, runIdFor } from './core/batch/jobs.js';
import { decideReconcile } from './core/reconcile/reconcile.js';
import { consolidationBlocked } from './core/rebalance/consolidate.js';
import { decideAlarmScaling, decideScheduledScaling } from './core/scaling/service-scaling.js';
import { readService } from './aws/service-reader.js';
import { jobTaskShape, listJobTasks } from './aws/job-reader.js';
import type { Duty, DutyContext, Observation } from './controller.js';
import type { DomainEvent, TaskStateChange } from './events/index.js';
import { asgContaining, describeConfiguredGroups, readClusterSnapshot, readInstanceSnapshot } from './aws/snapshot-reader.js';

/** Observation of the one instance an EC2 event names, in whichever configured cluster owns it. */
async function observeInstance(ec2InstanceId: string, ctx: DutyContext, includeStopping = false): Promise<Observation[] | string> {
  const allGroups = ctx.config.clusters.flatMap((c) => c.groups.map((g) => g.asg));
  const asgs = await describeConfiguredGroups(ctx.clients, allGroups, ctx.now);
  const asg = asgContaining(asgs, ec2InstanceId);
  if (!asg) return `${ec2InstanceId} is in none of the configured Auto Scaling groups`;
  const owner = findGroupByAsg(ctx.config, asg);
  if (!owner) return `${ec2InstanceId} is in ${asg}, which is not a configured group`;
  const snapshot = await readInstanceSnapshot({ clients: ctx.clients, cluster: owner.cluster, now: ctx.now }, ec2InstanceId, asgs, { includeStopping });
  if (!snapshot) return `${ec2InstanceId}: group ${asg} not found`;
  if (!snapshot.instances.some((i) => i.ec2InstanceId === ec2InstanceId)) return `${ec2InstanceId} is not registered in cluster ${owner.cluster.name}`;
  return [{ cluster: owner.cluster, snapshot }];
}

function clusterOf(config: ControllerConfig, clusterArn: string) {
  return findCluster(config, clusterArn);
}

export const spotDuty: Duty<'spot-interruption'> = {
  name: 'spot-interruption',
  kinds: ['spot-interruption'],
  observe: (event, ctx) => observeInstance(event.instanceId, ctx),
  decide: (event, { cluster, snapshot }, now) => decideSpotInterruption(snapshot, cluster, event.instanceId, now),
};

export const rebalanceDuty: Duty<'rebalance-recommendation'> = {
  name: 'rebalance-recommendation',
  kinds: ['rebalance-recommendation'],
  observe: (event, ctx) => observeInstance(event.instanceId, ctx),
  decide: (event, { cluster, snapshot }, now) => decideRebalanceRecommendation(snapshot, cluster, event.instanceId, now),
};

export const lifecycleDuty: Duty<'terminate-lifecycle-action' | 'container-instance-state-change'> = {
  name: 'lifecycle',
  kinds: ['terminate-lifecycle-action', 'container-instance-state-change'],
  async observe(event, ctx) {
    if (event.kind === 'terminate-lifecycle-action') {
      const owner = findGroupByAsg(ctx.config, event.asg);
      if (!owner) return `${event.asg} is not a configured group`;
      if (event.hookName !== owner.group.lifecycleHookName) return `hook ${event.hookName} is not ${owner.group.lifecycleHookName}, the one ecs-pilot completes`;
      const names = [owner.group.asg, ...owner.cluster.groups.filter((g) => g.name === owner.group.fallbackGroup).map((g) => g.asg)];
      const asgs = await describeConfiguredGroups(ctx.clients, names, ctx.now);
      const snapshot = await readInstanceSnapshot({ clients: ctx.clients, cluster: owner.cluster, now: ctx.now }, event.instanceId, asgs, { includeStopping: true });
      if (!snapshot) return `${event.instanceId} is not in ${event.asg}`;
      return [{ cluster: owner.cluster, snapshot }];
    }
    // A container instance changed (e.g. its last task stopped): move its lifecycle hook on, if it has one.
    const cluster = clusterOf(ctx.config, event.cluster);
    if (!cluster) return `cluster ${event.cluster} is not configured`;
    const observed = await observeInstance(event.ec2InstanceId, ctx, true);
    if (typeof observed === 'string') return observed;
    const inst = observed[0]?.snapshot.instances.find((i) => i.ec2InstanceId === event.ec2InstanceId);
    if (inst?.lifecycleState !== 'Terminating:Wait') return `${event.ec2InstanceId} is not waiting on a terminate lifecycle hook`;
    return observed;
  },
  decide(event, { cluster, snapshot }, now) {
    const instanceId = event.kind === 'terminate-lifecycle-action' ? event.instanceId : event.ec2InstanceId;
    const instance = snapshot.instances.find((i) => i.ec2InstanceId === instanceId);
    const group = cluster.groups.find((g) => (event.kind === 'terminate-lifecycle-action' ? g.asg === event.asg : g.name === instance?.group));
    if (!group) return [];
    const hookName = event.kind === 'terminate-lifecycle-action' ? event.hookName : group.lifecycleHookName;
    return decideTerminating(snapshot, group, { asg: group.asg, instanceId, hookName }, now);
  },
};

export const capacityDuty: Duty<'task-state-change' | 'service-action'> = {
  name: 'capacity',
  kinds: ['task-state-change', 'service-action'],
  async observe(event, ctx) {
    const cluster = clusterOf(ctx.config, event.cluster);
    if (!cluster) return `cluster ${event.cluster} is not configured`;
    const read = { clients: ctx.clients, cluster, now: ctx.now };
    if (event.kind === 'service-action') {
      if (event.eventName !== 'SERVICE_TASK_PLACEMENT_FAILURE') return `service action ${event.eventName} needs no capacity`;
      if (event.capacityProviderArns.some((a) => a.endsWith('/FARGATE') || a.endsWith('/FARGATE_SPOT') || a === 'FARGATE' || a === 'FARGATE_SPOT')) return 'placement failure on Fargate';
      return [{ cluster, snapshot: await readClusterSnapshot(read, event.service ? { service: event.service } : {}) }];
    }
    if (event.lastStatus !== 'PROVISIONING' || event.desiredStatus !== 'RUNNING') return `task is ${event.lastStatus} (desired ${event.desiredStatus}): nothing for capacity`;
    // Events come out of order: act only if the task is still where this event says it is.
    const now = await ctx.clients.ecs.send(new DescribeTasksCommand({ cluster: cluster.name, tasks: [event.taskArn] }));
    const task = now.tasks?.[0];
    if (!task) return `task ${event.taskArn} no longer exists`;
    if ((task.version ?? 0) > event.version || task.lastStatus !== 'PROVISIONING') return `stale event: the task is at version ${task.version} (${task.lastStatus}), this event is version ${event.version}`;
    return [{ cluster, snapshot: await readClusterSnapshot(read) }];
  },
  decide: (_event, { snapshot }) => {
    const demand = withDisplacedDemand(snapshot);
    return scaleOutActions(plan(demand), `${demand.pending.length} task(s) waiting for capacity (${demand.pending.length - snapshot.pending.length} on draining instances)`);
  },
};

export const reconcileDuty: Duty<'scheduled'> = {
  name: 'reconcile',
  kinds: ['scheduled'],
  async observe(_event, ctx) {
    const out: Observation[] = [];
    for (const cluster of ctx.config.clusters) {
      const snapshot = await readClusterSnapshot({ clients: ctx.clients, cluster, now: ctx.now });
      const jobs = [];
      for (const job of ctx.config.jobs.filter((j) => j.cluster === cluster.name)) jobs.push({ job, tasks: await listJobTasks(ctx.clients, job), shape: undefined });
      out.push({ cluster, snapshot, jobs });
    }
    return out;
  },
  // Instances and capacity; then each job's timeouts and retries whose backoff has passed.
  decide: (_event, { cluster, snapshot, jobs }, now) => [...decideReconcile(snapshot, cluster, now), ...(jobs ?? []).flatMap((j) => decideJobReconcile(j.job, j.tasks, now))],
  explain: (_event, { cluster, snapshot }, now) => {
    // Cheap pre-checks only: decide() already ran the consolidation plans.
    const skipped = consolidationBlocked(withDisplacedDemand(snapshot), cluster, now);
    return skipped ? `cluster ${cluster.name} converged; consolidation: ${skipped}` : undefined;
  },
};

/** A job attempt that stopped: the batch function's rule (`startedBy` prefix `ecs-pilot:`, STOPPED). */
export function isJobAttemptStop(event: TaskStateChange): boolean {
  return event.lastStatus === 'STOPPED' && parseStartedBy(event.startedBy) !== undefined;
}

/**
 * Capacity for the attempts about to start: the job's own tasks planned against the free capacity of
 * its first provider's group (other waiting tasks are the capacity duty's; if they take the room
 * first, RunTask falls back to the next provider or the invocation is retried).
 */
function capacityFor(actions: Action[], observation: Observation): Action[] {
  const shape = observation.jobs?.[0]?.shape;
  const starts = actions.filter((a): a is Extract<Action, { kind: 'runTask' }> => a.kind === 'runTask');
  if (!shape || starts.length === 0) return [];
  const demand = starts.flatMap((a) => Array.from({ length: a.count }, (_, k) => ({ ...shape, id: `${a.clientToken}-${k}`, capacityProvider: a.capacityProviders[0] })));
  return scaleOutActions(plan({ ...observation.snapshot, pending: demand }), `capacity for ${starts.map((a) => `${a.job} attempt ${a.attempt}`).join(', ')}`);
}

export const batchDuty: Duty<'job-schedule' | 'task-state-change'> = {
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
    return [{ cluster, snapshot, jobs: [{ job, tasks, shape }] }];
  },
  decide(event, observation, now) {
    const o = observation.jobs?.[0];
    if (!o) return [];
    let actions: Action[];
    if (event.kind === 'job-schedule') {
      // A scheduled run is identified by its scheduled time; a manual one by its event id.
      const trigger = { runId: runIdFor(o.job.name, event.manual ? event.id : event.time), scheduledTime: new Date(event.time), manual: event.manual };
      actions = decideSchedule(o.job, trigger, o.tasks.filter((t) => t.lastStatus !== 'STOPPED'), now);
    } else {
      const stopped = o.tasks.find((t) => t.arn === event.taskArn);
      if (!stopped) return [];
      const successor = o.tasks.some((t) => t.runId === stopped.runId && t.attempt > stopped.attempt);
      actions = decideStopped(o.job, stopped, successor, now);
    }
    return [...capacityFor(actions, observation), ...actions];
  },
};

/** The instances for a service's new tasks, raised in the same step as its desired count. */
function capacityForService(change: Action, observation: Observation): Action[] {
  const s = observation.scaling;
  if (change.kind !== 'setServiceDesiredCount' || !s?.service.shape || change.desiredCount <= change.previous) return [];
  const provider = s.service.capacityProvider;
  const demand = Array.from({ length: change.desiredCount - change.previous }, (_, k) => ({ ...s.service.shape!, id: `${change.service}-new-${k}`, ...(provider ? { capacityProvider: provider } : {}) }));
  // With what already waits for the same group (free capacity is not counted twice); only that group is raised.
  const snapshot = withDisplacedDemand(observation.snapshot);
  const sameGroup = snapshot.pending.filter((t) => provider === undefined || t.capacityProvider === undefined || t.capacityProvider === provider);
  const result = plan({ ...snapshot, pending: [...sameGroup, ...demand] });
  return scaleOutActions(
    { ...result, groups: result.groups.filter((g) => provider === undefined || g.name === provider) },
    `${demand.length} new task(s) of service ${change.service}${sameGroup.length > 0 ? ` (and ${sameGroup.length} already waiting)` : ''}`,
  );
}

export const scalingDuty: Duty<'alarm-state-change' | 'service-scaling-schedule'> = {
  name: 'service-scaling',
  kinds: ['alarm-state-change', 'service-scaling-schedule'],
  async observe(event, ctx) {
    const rule =
      event.kind === 'alarm-state-change'
        ? ctx.config.serviceScaling.find((r) => r.alarms.some((a) => a.alarm === event.alarmName))
        : ctx.config.serviceScaling.find((r) => r.cluster === event.cluster && r.service === event.service);
    if (!rule) return event.kind === 'alarm-state-change' ? `alarm ${event.alarmName} drives no configured service` : `service ${event.service} has no scaling rule`;
    if (event.kind === 'alarm-state-change' && event.state !== 'ALARM') return `alarm ${event.alarmName} is ${event.state}: nothing to do`;
    const cluster = ctx.config.clusters.find((c) => c.name === rule.cluster);
    if (!cluster) return `cluster ${rule.cluster} is not configured`;
    const service = await readService(ctx.clients, rule);
    if (!service) return `service ${rule.service} not found in cluster ${rule.cluster}`;
    const snapshot = await readClusterSnapshot({ clients: ctx.clients, cluster, now: ctx.now });
    return [{ cluster, snapshot, scaling: { rule, service } }];
  },
  decide(event, observation, now) {
    const s = observation.scaling;
    if (!s) return [];
    const changes =
      event.kind === 'alarm-state-change'
        ? (() => {
            const d = decideAlarmScaling(s.rule, { eventId: event.id, alarmName: event.alarmName, state: event.state, metricValue: event.metricValue, threshold: event.threshold, suppressed: event.suppressed }, s.service.state, now);
            return 'change' in d ? [d.change] : [];
          })()
        : decideScheduledScaling(s.rule, event.schedule, event.id, s.service.state, now);
    return [...changes.flatMap((c) => capacityForService(c, observation)), ...changes];
  },
  explain(event, observation, now) {
    const s = observation.scaling;
    if (!s) return undefined;
    if (event.kind === 'service-scaling-schedule') return `${s.rule.service} already within the schedule's bounds`;
    const d = decideAlarmScaling(s.rule, { eventId: event.id, alarmName: event.alarmName, state: event.state, metricValue: event.metricValue, threshold: event.threshold, suppressed: event.suppressed }, s.service.state, now);
    return 'skip' in d ? d.skip : undefined;
  },
};

export const DUTIES = { spot: spotDuty, rebalance: rebalanceDuty, lifecycle: lifecycleDuty, capacity: capacityDuty, reconcile: reconcileDuty, batch: batchDuty, scaling: scalingDuty } as const;

/** The Lambda function (by its name in serverless.yml) that EventBridge invokes for an event. */
export function functionFor(event: DomainEvent): keyof typeof DUTIES {
  switch (event.kind) {
    case 'spot-interruption':
      return 'spot';
    case 'rebalance-recommendation':
      return 'rebalance';
    case 'terminate-lifecycle-action':
    case 'container-instance-state-change':
      return 'lifecycle';
    case 'task-state-change':
      return isJobAttemptStop(event) ? 'batch' : 'capacity';
    case 'service-action':
      return 'capacity';
    case 'job-schedule':
      return 'batch';
    case 'alarm-state-change':
    case 'service-scaling-schedule':
      return 'scaling';
    case 'scheduled':
      return 'reconcile';
  }
}
