/** Safe scale-in: the ASG terminate hook waits until no task runs on the instance (docs/controller.md). */
import { findCluster, findGroupByAsg } from '../config/load.js';
import type { ClusterObservation, Duty } from '../controller.js';
import { decideTerminating } from '../core/drain/lifecycle.js';
import { LIFECYCLE_STATES } from '../core/names.js';
import { decideStoppedOutside, GONE_STATES, isAsgTermination } from '../core/drain/state-change.js';
import { decideRetireReplaced, whyNotRetired } from '../core/drain/replaced.js';
import { withModes } from '../core/capacity/modes.js';
import { ATTRIBUTES } from '../core/actions.js';
import type { ContainerInstanceStateChange } from '../events/index.js';
import { readProviders } from '../aws/capacity-providers.js';
import { because } from './decision.js';
import { observeInstance, readHookInstance, wholeClusterIfQuick } from './observe-instance.js';

/**
 * From the event alone: a DRAINING instance ecs-pilot replaced, running no more tasks than the
 * cluster has daemon services. Other events of draining instances (one per task stop) cost no ECS read.
 */
function mayBeDrainedReplacement(event: ContainerInstanceStateChange, daemonServices: number): boolean {
  return event.status === 'DRAINING' && event.attributes[ATTRIBUTES.replacementRequested] !== undefined && event.runningTasksCount + event.pendingTasksCount <= daemonServices;
}

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
      // The instance alone (the event names its group): the fewer reads, the fewer ways to miss the hook.
      return [{ cluster: owner.cluster, snapshot: await readHookInstance(ctx, owner.cluster, owner.group, event.instanceId) }];
    }
    // A container instance changed (e.g. its last task stopped): move its lifecycle hook on, if it has one.
    const cluster = findCluster(ctx.config, event.cluster);
    if (!cluster) return `cluster ${event.cluster} is not configured`;
    // A replaced instance draining with no more tasks than its daemons may be retired.
    if (mayBeDrainedReplacement(event, cluster.daemonServices.length)) {
      const observed = await observeInstance(event.ec2InstanceId, ctx, true);
      if (typeof observed === 'string') return observed;
      const providers = await readProviders(ctx.clients, cluster.groups.map((g) => g.name), ctx.now);
      const one = observed.map((o) => ({ ...o, snapshot: withModes(o.snapshot, providers) }));
      const fresh = one[0]?.snapshot.instances.find((i) => i.ec2InstanceId === event.ec2InstanceId);
      if (!fresh || one[0]?.snapshot.groups.find((g) => g.name === fresh.group)?.mode !== 'accelerate') return one;
      // accelerate: ECS's target needs the whole group — the cluster as the other duties read it, this
      // instance as just read; when that would take a full read of the APIs, the reconcile loop decides.
      const whole = await wholeClusterIfQuick(one[0] as ClusterObservation, fresh, ctx);
      return whole ? [{ ...whole, snapshot: withModes(whole.snapshot, providers) }] : one;
    }
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
    if (event.kind === 'container-instance-state-change' && instance?.lifecycleState !== LIFECYCLE_STATES.terminatingWait) {
      return because(decideRetireReplaced(snapshot, cluster, { instanceId }), whyNotRetired(snapshot, instanceId));
    }
    const group = cluster.groups.find((g) => (event.kind === 'terminate-lifecycle-action' ? g.asg === event.asg : g.name === instance?.group));
    if (!group) return { actions: [], reason: `${instanceId} belongs to no configured group of cluster ${cluster.name}` };
    const hookName = event.kind === 'terminate-lifecycle-action' ? event.hookName : group.lifecycleHookName;
    return because(decideTerminating(snapshot, group, { asg: group.asg, instanceId, hookName }, now), undefined);
  },
};
