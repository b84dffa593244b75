/** Observation of the one instance an EC2 event names, in whichever configured cluster owns it. */
import { findGroupByAsg } from '../config/load.js';
import type { ClusterObservation, DutyContext } from '../controller.js';
import { asgContaining, describeConfiguredGroups, readInstanceSnapshot } from '../aws/snapshot-reader.js';

/**
 * With `onlyInLifecycleState`, an instance the ASG does not hold in that state is answered from the
 * ASG read alone: no ECS read is spent on it (issue 14: a draining instance sends an event per task stop).
 */
export async function observeInstance(ec2InstanceId: string, ctx: DutyContext, includeStopping = false, onlyInLifecycleState?: string): Promise<ClusterObservation[] | string> {
  const allGroups = ctx.config.clusters.flatMap((c) => c.groups.map((g) => g.asg));
  const asgs = await describeConfiguredGroups(ctx.clients, allGroups, ctx.now);
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
