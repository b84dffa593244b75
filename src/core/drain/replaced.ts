/**
 * No second replacement after a spot reclaim. ecs-pilot launches the replacement of a
 * spot-interrupted instance at the warning and marks the instance `ecs-pilot.replacement-requested`;
 * when EC2 reclaims it ~120 s later the ASG's health check would replace it once more, desired
 * capacity still counting it. So once such an instance is drained empty, ecs-pilot terminates it
 * itself with the desired capacity decremented — what Capacity Rebalancing does (launch the
 * replacement, then terminate the old instance); its terminate hook then runs as for any scale-in.
 *
 * In `accelerate` too, where the +1 was also ecs-pilot's raise, but never below what ECS's managed
 * scaling asks for: the tasks waiting in PROVISIONING fit on what is registered and launching (the
 * plan adds nothing to the group), and the desired capacity after the decrement still holds every instance running tasks at the provider's
 * targetCapacity — ECS's own target, ceil(M × 100 / targetCapacity), so its next datapoint is at or
 * above target and it adds nothing back. That needs the whole group: a snapshot of one instance
 * leaves it to the reconcile loop. Scale-in protection (ECS's managed termination protection) does not
 * stop TerminateInstanceInAutoScalingGroup (EC2 Auto Scaling User Guide, "Use instance scale-in protection").
 */
import type { ClusterConfig } from '../config-schema.js';
import { ATTRIBUTES, type Action } from '../actions.js';
import { holdsInstance, weightOf, type Group, type Instance, type Snapshot } from '../model.js';
import { LIFECYCLE_STATES, SELF_DRAINED } from '../names.js';
import { plan } from '../capacity/index.js';

/** Why `instance` is not to be terminated now; undefined when it is. Leaves the group's `min` to the caller. */
export function whyKept(snapshot: Snapshot, instance: Instance): string | undefined {
  const id = instance.ec2InstanceId;
  const group = snapshot.groups.find((g) => g.name === instance.group);
  if (!group) return `${id} belongs to no group of the snapshot`;
  if (instance.attributes[ATTRIBUTES.replacementRequested] === undefined) return `${id} was not replaced by ecs-pilot`;
  if (group.mode === undefined) return `${id}: group ${group.name}'s mode was not read (never assumed)`;
  if (instance.lifecycleState !== LIFECYCLE_STATES.inService) return `${id} is ${instance.lifecycleState ?? 'not InService'} in its Auto Scaling group`;
  if (instance.status !== 'DRAINING') return `${id} is ${instance.status}, not DRAINING`;
  if (SELF_DRAINED.has(instance.attributes[ATTRIBUTES.drainReason] ?? '')) return `${id} was drained by ecs-pilot (${instance.attributes[ATTRIBUTES.drainReason]}): the reconcile loop removes it`;
  const left = instance.tasks.filter(holdsInstance).length;
  if (left > 0) return `${id} still holds ${left} task(s)`;
  if (group.mode === 'accelerate') return belowEcsTarget(snapshot, group, instance);
  return undefined;
}

/** In `accelerate`: why the decrement would go below ECS's own target; undefined when it would not. */
export function belowEcsTarget(snapshot: Snapshot, group: Group, instance: Instance): string | undefined {
  const id = instance.ec2InstanceId;
  if (group.inServiceUnits !== undefined) return `${id}: group ${group.name} is in accelerate mode and this read holds one instance; the reconcile loop checks ECS's target first`;
  // Tasks waiting in PROVISIONING (often this instance's own, for its launching replacement): the
  // decrement may go only if the capacity already launching covers them, at ECS's target.
  if (snapshot.pending.length > 0) {
    const needs = plan(snapshot).groups.find((g) => g.name === group.name)?.newUnits ?? 0;
    if (needs > 0) return `${id}: group ${group.name} is in accelerate mode and the ${snapshot.pending.length} task(s) waiting in PROVISIONING need ${needs} unit(s) more than is launching: ECS is scaling out`;
  }
  const busy = snapshot.instances
    .filter((i) => i.group === group.name && i.id !== instance.id && i.tasks.some(holdsInstance))
    .reduce((a, i) => a + weightOf(group, i.type), 0);
  const ecsTarget = Math.ceil((busy * 100) / group.targetCapacityPercent - 1e-9);
  const after = group.desired - weightOf(group, instance.type);
  if (after < ecsTarget) return `${id}: group ${group.name} is in accelerate mode and desired ${after} after the decrement would be below ECS's target ${ecsTarget} (${busy} unit(s) running tasks at targetCapacity ${group.targetCapacityPercent} %)`;
  return undefined;
}

/**
 * The terminations (desired −1) of replaced instances drained empty: the one `instanceId` names, or
 * every such instance of the snapshot. Never below a group's `min`, counting the terminations
 * already in `planned` (the reconcile loop's own scale-in). Idempotent: once terminated the instance
 * is no longer InService, so a duplicate event decides nothing.
 */
export function decideRetireReplaced(snapshot: Snapshot, cluster: ClusterConfig, options: { instanceId?: string; planned?: readonly Action[] } = {}): Action[] {
  const actions: Action[] = [];
  const taken = new Map<string, number>();
  for (const a of options.planned ?? []) {
    if (a.kind !== 'terminateInstance' && a.kind !== 'terminateReplacedInstance') continue;
    const inst = snapshot.instances.find((i) => i.ec2InstanceId === a.instanceId);
    const group = snapshot.groups.find((g) => g.asg === a.asg);
    taken.set(a.asg, (taken.get(a.asg) ?? 0) + (group && inst ? weightOf(group, inst.type) : 1));
  }
  const candidates = snapshot.instances.filter((i) => options.instanceId === undefined || i.ec2InstanceId === options.instanceId);
  for (const instance of candidates) {
    const group = snapshot.groups.find((g) => g.name === instance.group);
    if (!group || !cluster.groups.some((g) => g.asg === group.asg) || whyKept(snapshot, instance) !== undefined) continue;
    const w = weightOf(group, instance.type);
    const after = group.desired - (taken.get(group.asg) ?? 0) - w;
    if (after < group.min) continue;
    taken.set(group.asg, (taken.get(group.asg) ?? 0) + w);
    actions.push({
      kind: 'terminateReplacedInstance',
      asg: group.asg,
      instanceId: instance.ec2InstanceId,
      cluster: snapshot.cluster,
      containerInstanceArn: instance.id,
      daemonTasks: instance.tasks.filter((t) => t.daemon && t.lastStatus !== 'STOPPED').length,
      reason: `replacement launched at ${instance.attributes[ATTRIBUTES.replacementRequested]} and drained empty (mode ${group.mode}): terminate before EC2 reclaims it, so the ASG does not replace it a second time`,
    });
  }
  return actions;
}

/** Why the instance an event names is kept, for the decision record; includes the `min` bound. */
export function whyNotRetired(snapshot: Snapshot, instanceId: string): string {
  const instance = snapshot.instances.find((i) => i.ec2InstanceId === instanceId);
  if (!instance) return `${instanceId} is not in the snapshot`;
  const why = whyKept(snapshot, instance);
  if (why) return why;
  const group = snapshot.groups.find((g) => g.name === instance.group);
  return `${instanceId}: group ${group?.name} is at its min (${group?.min}), the ASG keeps the capacity`;
}
