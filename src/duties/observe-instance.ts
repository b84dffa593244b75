/** Observation of the one instance an EC2 event names, in whichever configured cluster owns it. */
import { findGroupByAsg } from '../config/load.js';
import type { ClusterConfig, GroupConfig } from '../config/schema.js';
import type { ClusterObservation, DutyContext } from '../controller.js';
import { parseSnapshot, type Instance, type Snapshot } from '../core/model.js';
import { LIFECYCLE_STATES } from '../core/names.js';
import { composeDemand } from '../core/capacity/demand.js';
import { describeConfiguredGroups, describeContainerInstances, describeTasks, findContainerInstances, listTasks } from '../aws/api-reads.js';
import { readClusterSnapshot, readInstanceSnapshot } from '../aws/snapshot-reader.js';
import { asgContaining, toInstance, toTask, type InstanceInput } from '../aws/to-model.js';
import { storeCanAnswer } from '../aws/cluster-state.js';

/**
 * With `onlyInLifecycleState`, an instance the ASG does not hold in that state is answered from the
 * ASG read alone: no ECS read is spent on it (issue 14: a draining instance sends an event per task stop).
 */
export async function observeInstance(ec2InstanceId: string, ctx: DutyContext, includeStopping = false, onlyInLifecycleState?: string): Promise<ClusterObservation[] | string> {
  const allGroups = ctx.config.clusters.flatMap((c) => c.groups.map((g) => g.asg));
  const asgs = await describeConfiguredGroups(ctx.clients, allGroups);
  const asg = asgContaining(asgs, ec2InstanceId);
  if (!asg) return `${ec2InstanceId} is in none of the configured Auto Scaling groups`;
  const owner = findGroupByAsg(ctx.config, asg);
  if (!owner) return `${ec2InstanceId} is in ${asg}, which is not a configured group`;
  if (onlyInLifecycleState !== undefined) {
    const state = asgs.get(asg)?.Instances?.find((i) => i.InstanceId === ec2InstanceId)?.LifecycleState;
    if (state !== onlyInLifecycleState) return `${ec2InstanceId} is not waiting on a terminate lifecycle hook (${state ?? 'no lifecycle state'})`;
  }
  const snapshot = await readInstanceSnapshot({ clients: ctx.clients, cluster: owner.cluster, now: ctx.now }, ec2InstanceId, asgs, { includeStopping });
  if (!snapshot) return `${ec2InstanceId}: group ${asg} not found`;
  if (!snapshot.instances.some((i) => i.ec2InstanceId === ec2InstanceId)) return `${ec2InstanceId} is not registered in cluster ${owner.cluster.name}`;
  return [{ cluster: owner.cluster, snapshot }];
}

/**
 * Up to this many capacity units in the cluster's groups, a whole-cluster read of the APIs is a few
 * pages (about a second) and a spot warning may make it; above, only the state store answers it.
 */
export const WHOLE_READ_MAX_UNITS = 100;

/** An instance's observation; `partial` says what could not be read and what the decision does without it. */
export interface InstanceObservation extends ClusterObservation {
  partial?: string;
}

/**
 * The instance read fresh, in the whole cluster when it is in a spot group that keeps spare room
 * (`spotSpareInstances`), so a spot warning launches only what that room cannot take. The rest of the
 * cluster comes from the state store when it answers without a full read, or from the APIs when the
 * cluster is small; otherwise the one instance as read (its warning then launches its own replacement:
 * the drain never waits on a full read). The rest of the cluster is optional: when its read fails, the
 * decision is made on the one instance (its own replacement), and `partial` says why.
 */
export async function observeInstanceWithSpotGroup(ec2InstanceId: string, ctx: DutyContext, options: { drainedFirst?: boolean } = {}): Promise<InstanceObservation[] | string> {
  // After a drain sent first (a spot warning), with the tasks told to stop: ECS is stopping some of them
  // already, and they still need their replacement.
  const observed = await observeInstance(ec2InstanceId, ctx, options.drainedFirst === true);
  if (typeof observed === 'string') return observed;
  const [one] = observed;
  const fresh = one?.snapshot.instances.find((i) => i.ec2InstanceId === ec2InstanceId);
  if (!one || !fresh || one.cluster.spotSpareInstances <= 0 || one.snapshot.groups.find((g) => g.name === fresh.group)?.lifecycle !== 'spot') return observed;
  try {
    const whole = await wholeClusterIfQuick(one, fresh, ctx);
    return whole ? [whole] : observed;
  } catch (e) {
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return [{ ...one, partial: `the rest of cluster ${one.cluster.name} could not be read (${error}): the instance's own replacement, without the group's spare room` }];
  }
}

/**
 * The whole cluster with `fresh` (just read) in it, when that costs no full read of the APIs: the store
 * answers, or the cluster's groups hold at most WHOLE_READ_MAX_UNITS. Undefined otherwise.
 */
export async function wholeClusterIfQuick(one: ClusterObservation, fresh: Instance, ctx: DutyContext): Promise<ClusterObservation | undefined> {
  const read = { clients: ctx.clients, cluster: one.cluster, now: ctx.now, state: ctx.state };
  const units = one.snapshot.groups.reduce((a, g) => a + Math.max(g.desired, g.inServiceUnits ?? 0), 0);
  if (!(await storeCanAnswer(read)) && units > WHOLE_READ_MAX_UNITS) return undefined;
  const whole = await readClusterSnapshot(read);
  // What waits (ECS's waiting tasks, the services' missing ones) claims the group's room first.
  const waiting = composeDemand(whole, { draining: false }).snapshot;
  const others = waiting.instances.filter((i) => i.ec2InstanceId !== fresh.ec2InstanceId);
  return { cluster: one.cluster, snapshot: { ...waiting, instances: [...others, fresh] } };
}

/**
 * What a terminate lifecycle hook needs, and no more: the instance waiting on it (the event names its
 * group) with its status, marks and the tasks that still hold it — running, and told to stop but not
 * stopped yet. No Auto Scaling or instance-type read, no task definition: ListContainerInstances,
 * DescribeContainerInstances, ListTasks ×2 and DescribeTasks when tasks remain. Fewer calls that can
 * fail between the hook and its completion (issue 21, F3); an instance not registered in the cluster
 * comes back without instances (its hook is completed).
 */
export async function readHookInstance(ctx: DutyContext, cluster: ClusterConfig, group: GroupConfig, ec2InstanceId: string): Promise<Snapshot> {
  const scope = { clients: ctx.clients, cluster: { name: cluster.name } };
  const cis = await describeContainerInstances(scope, await findContainerInstances(scope, ec2InstanceId));
  const daemonServices = new Set(cluster.daemonServices);
  const instances: InstanceInput[] = [];
  for (const ci of cis) {
    const arn = ci.containerInstanceArn ?? '';
    const running = await listTasks(scope, { containerInstance: arn, desiredStatus: 'RUNNING' });
    const stopping = await listTasks(scope, { containerInstance: arn, desiredStatus: 'STOPPED' });
    const tasks = (await describeTasks(scope, [...running, ...stopping])).filter((t) => t.lastStatus !== 'STOPPED').map((t) => toTask(t, undefined, daemonServices));
    // The hook's event says where the instance is: waiting on the terminate hook (its protection is moot then).
    instances.push(toInstance(ci, group.name, { InstanceId: ec2InstanceId, LifecycleState: LIFECYCLE_STATES.terminatingWait, AvailabilityZone: undefined, HealthStatus: undefined, ProtectedFromScaleIn: undefined }, tasks));
  }
  // The hook's decision sizes nothing and reads no group figure: the types are named without their
  // resources, the group without its capacity (zero, and partial: the instance is all it lists).
  const types = [...new Set(['unknown', ...instances.map((i) => i.type)])];
  const instanceTypes = Object.fromEntries(types.map((t) => [t, { cpu: 0, memoryMiB: 0, enis: 0, gpus: 0 }]));
  const groups = [{ name: group.name, asg: group.asg, min: 0, max: 0, desired: 0, inServiceUnits: 0, instanceTypes: types.map((type) => ({ type, weight: 1 })) }];
  // No waiting tasks: a hook decides nothing about capacity.
  return parseSnapshot({ version: 1, cluster: cluster.name, takenAt: ctx.now.toISOString(), instanceTypes, groups, instances });
}
