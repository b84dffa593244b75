/** Capacity: all waiting demand planned at once, the groups raised in one step (docs/capacity.md). */
import { DescribeTasksCommand } from '@aws-sdk/client-ecs';
import { findCluster } from '../config/load.js';
import type { Duty } from '../controller.js';
import { withDisplacedDemand } from '../core/capacity/displaced.js';
import { plan } from '../core/capacity/index.js';
import { scaleOutActions } from '../core/capacity/scale-out.js';
import { readClusterSnapshot } from '../aws/snapshot-reader.js';
import { runTaskDemand } from '../aws/service-deficits.js';
import { modesOf } from '../core/capacity/modes.js';
import { because } from './decision.js';
import type { StateStore } from '../state/store.js';
import type { DomainEvent } from '../events/index.js';

const FARGATE = ['FARGATE', 'FARGATE_SPOT'];

export const capacityDuty: Duty<'task-state-change' | 'service-action' | 'run-task-failure'> = {
  name: 'capacity',
  dependsOn: ['scalingPolicies'],
  kinds: ['task-state-change', 'service-action', 'run-task-failure'],
  async observe(event, ctx) {
    const cluster = findCluster(ctx.config, event.cluster);
    if (!cluster) return `cluster ${event.cluster} is not configured`;
    const read = { clients: ctx.clients, cluster, now: ctx.now, state: ctx.state };
    if (event.kind === 'run-task-failure') {
      // A RunTask (third party, through CloudTrail) that found no room: its tasks join the whole-cluster demand.
      if (event.eventName !== 'RunTask') return `CloudTrail ${event.eventName} needs no capacity`;
      if (event.failedTasks === 0) return 'RunTask listed no RESOURCE:* failure';
      if (event.launchType === 'FARGATE' || FARGATE.includes(event.capacityProvider ?? '')) return 'RunTask on Fargate';
      if (event.startedBy?.startsWith('ecs-pilot:')) return 'a job attempt of ecs-pilot: the batch duty sizes its own';
      // The failed calls of the same SQS batch (a burst is many calls) are planned together with all
      // the cluster's waiting demand: an absolute plan, so a duplicate delivery raises nothing more.
      const calls = [event, ...(ctx.batch ?? []).filter((e): e is typeof event => e.kind === 'run-task-failure' && e.id !== event.id && findCluster(ctx.config, e.cluster) === cluster)];
      const snapshot = await readClusterSnapshot(read);
      const failed = [];
      for (const call of calls) if (call.failedTasks > 0 && !call.startedBy?.startsWith('ecs-pilot:')) failed.push(...(await runTaskDemand(ctx.clients, call)));
      if (failed.length === 0) return `task definition ${event.taskDefinition} not found`;
      return [{ cluster, snapshot: { ...snapshot, pending: [...snapshot.pending, ...failed] } }];
    }
    if (event.kind === 'service-action') {
      if (event.eventName !== 'SERVICE_TASK_PLACEMENT_FAILURE') return `service action ${event.eventName} needs no capacity`;
      if (event.capacityProviderArns.some((a) => FARGATE.some((f) => a === f || a.endsWith(`/${f}`)))) return 'placement failure on Fargate';
      return [{ cluster, snapshot: await readClusterSnapshot(read) }];
    }
    if (event.lastStatus !== 'PROVISIONING' || event.desiredStatus !== 'RUNNING') return `task is ${event.lastStatus} (desired ${event.desiredStatus}): nothing for capacity`;
    // Events come out of order: act only if the task is still where this event says it is — as the
    // store has it (this event written first: both writers are versioned, so either order is right), or ECS.
    const task = ctx.state ? await storedTask(ctx.state.store, cluster.name, event, ctx.now) : (await ctx.clients.ecs.send(new DescribeTasksCommand({ cluster: cluster.name, tasks: [event.taskArn] }))).tasks?.[0];
    if (!task) return `task ${event.taskArn} no longer exists`;
    if ((task.version ?? 0) > event.version || task.lastStatus !== 'PROVISIONING') return `stale event: the task is at version ${task.version} (${task.lastStatus}), this event is version ${event.version}`;
    return [{ cluster, snapshot: await readClusterSnapshot(read) }];
  },
  decide: (_event, { snapshot }) => {
    const demand = withDisplacedDemand(snapshot);
    const displaced = demand.pending.length - snapshot.pending.length;
    const result = plan(demand);
    const mode = modesOf(snapshot.groups);
    const actions = scaleOutActions(result, `${demand.pending.length} task(s) waiting for capacity (${displaced} on draining instances)${mode ? `; ${mode}` : ''}`);
    return because(actions, waitingReason(demand.pending.length, result.unplaceable));
  },
};

/**
 * The task as the store has it after this event: one versioned write (usually a duplicate: the queue's
 * batch wrote it first). Applied or a duplicate, the store holds this very version; only a stale verdict
 * means a newer one is stored, which is then read for the record.
 */
async function storedTask(store: StateStore, cluster: string, event: Extract<DomainEvent, { kind: 'task-state-change' }>, now: Date) {
  const { verdict } = await store.applyTask(cluster, event.record, now);
  return verdict === 'stale' ? store.task(cluster, event.taskArn) : event.record;
}

/** Why a plan raised nothing: no demand, demand that cannot be placed, or demand the capacity already holds. */
export function waitingReason(waiting: number, unplaceable: ReadonlyArray<{ reason: string }>): string {
  if (waiting === 0) return 'no task is waiting for capacity';
  const first = unplaceable[0];
  if (first) return `${unplaceable.length} of ${waiting} waiting task(s) cannot be placed: ${first.reason}`;
  return `${waiting} waiting task(s) fit the registered and launching capacity`;
}
