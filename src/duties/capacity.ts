/** Capacity: all waiting demand planned at once, the groups raised in one step (docs/capacity.md). */
import { DescribeTasksCommand } from '@aws-sdk/client-ecs';
import { findCluster } from '../config/load.js';
import type { Duty } from '../controller.js';
import { withDisplacedDemand } from '../core/capacity/displaced.js';
import { plan } from '../core/capacity/index.js';
import { scaleOutActions } from '../core/capacity/scale-out.js';
import { readClusterSnapshot } from '../aws/snapshot-reader.js';
import { because } from './decision.js';

const FARGATE = ['FARGATE', 'FARGATE_SPOT'];

export const capacityDuty: Duty<'task-state-change' | 'service-action'> = {
  name: 'capacity',
  kinds: ['task-state-change', 'service-action'],
  async observe(event, ctx) {
    const cluster = findCluster(ctx.config, event.cluster);
    if (!cluster) return `cluster ${event.cluster} is not configured`;
    const read = { clients: ctx.clients, cluster, now: ctx.now };
    if (event.kind === 'service-action') {
      if (event.eventName !== 'SERVICE_TASK_PLACEMENT_FAILURE') return `service action ${event.eventName} needs no capacity`;
      if (event.capacityProviderArns.some((a) => FARGATE.some((f) => a === f || a.endsWith(`/${f}`)))) return 'placement failure on Fargate';
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
    const displaced = demand.pending.length - snapshot.pending.length;
    const result = plan(demand);
    const actions = scaleOutActions(result, `${demand.pending.length} task(s) waiting for capacity (${displaced} on draining instances)`);
    return because(actions, waitingReason(demand.pending.length, result.unplaceable));
  },
};

/** Why a plan raised nothing: no demand, demand that cannot be placed, or demand the capacity already holds. */
export function waitingReason(waiting: number, unplaceable: ReadonlyArray<{ reason: string }>): string {
  if (waiting === 0) return 'no task is waiting for capacity';
  const first = unplaceable[0];
  if (first) return `${unplaceable.length} of ${waiting} waiting task(s) cannot be placed: ${first.reason}`;
  return `${waiting} waiting task(s) fit the registered and launching capacity`;
}
