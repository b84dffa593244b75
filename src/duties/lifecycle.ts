/** Safe scale-in: the ASG terminate hook waits until no task runs on the instance (docs/controller.md). */
import { findCluster, findGroupByAsg } from '../config/load.js';
import type { Duty } from '../controller.js';
import { decideTerminating } from '../core/drain/lifecycle.js';
import { LIFECYCLE_STATES } from '../core/names.js';
import { decideStoppedOutside, GONE_STATES, isAsgTermination } from '../core/drain/state-change.js';
import { describeConfiguredGroups, readInstanceSnapshot } from '../aws/snapshot-reader.js';
import { because } from './decision.js';
import { observeInstance } from './observe-instance.js';

export const lifecycleDuty: Duty<'terminate-lifecycle-action' | 'container-instance-state-change' | 'instance-state-change'> = {
  name: 'lifecycle',
  dependsOn: ['managedDraining'],
  kinds: ['terminate-lifecycle-action', 'container-instance-state-change', 'instance-state-change'],
  async observe(event, ctx) {
    if (event.kind === 'instance-state-change') {
      // Stopped or terminated outside the ASG; the ASG's own terminations go through the hook.
      if (!GONE_STATES.has(event.state)) return `${event.instanceId} is ${event.state}: nothing to do`;
      const observed = await observeInstance(event.instanceId, ctx);
      if (typeof observed === 'string') return observed;
      const inst = observed[0]?.snapshot.instances.find((i) => i.ec2InstanceId === event.instanceId);
      if (isAsgTermination(inst?.lifecycleState)) return `${event.instanceId} is ${inst?.lifecycleState} by its Auto Scaling group: its lifecycle hook handles it`;
      return observed;
    }
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
    const cluster = findCluster(ctx.config, event.cluster);
    if (!cluster) return `cluster ${event.cluster} is not configured`;
    // The ASG says first whether a hook waits: most draining instances' events need no ECS read.
    const observed = await observeInstance(event.ec2InstanceId, ctx, true, LIFECYCLE_STATES.terminatingWait);
    if (typeof observed === 'string') return observed;
    const inst = observed[0]?.snapshot.instances.find((i) => i.ec2InstanceId === event.ec2InstanceId);
    if (inst?.lifecycleState !== LIFECYCLE_STATES.terminatingWait) return `${event.ec2InstanceId} is not waiting on a terminate lifecycle hook`;
    return observed;
  },
  decide(event, { cluster, snapshot }, now) {
    if (event.kind === 'instance-state-change') {
      return because(decideStoppedOutside(snapshot, cluster, event.instanceId, event.state, now), `${event.instanceId} (${event.state}) was already handled`);
    }
    const instanceId = event.kind === 'terminate-lifecycle-action' ? event.instanceId : event.ec2InstanceId;
    const instance = snapshot.instances.find((i) => i.ec2InstanceId === instanceId);
    const group = cluster.groups.find((g) => (event.kind === 'terminate-lifecycle-action' ? g.asg === event.asg : g.name === instance?.group));
    if (!group) return { actions: [], reason: `${instanceId} belongs to no configured group of cluster ${cluster.name}` };
    const hookName = event.kind === 'terminate-lifecycle-action' ? event.hookName : group.lifecycleHookName;
    return because(decideTerminating(snapshot, group, { asg: group.asg, instanceId, hookName }, now), undefined);
  },
};
