/** Auto Scaling's commands, typed with the SDK's input and output types (the group's launches and terminations in time: world/auto-scaling.ts). */
import type * as ASG from '@aws-sdk/client-auto-scaling';
import { weightOf } from '../core/model.js';
import type { Handlers } from './commands.js';
import { asgLaunchFields, describeLaunchConfigurations, describePolicies } from './launch-shapes.js';
import { page, SimulatedServiceError, type ClusterState, type SimInstance } from './state.js';

/** The instance waiting in Terminating:Wait on the named group's hook, or the error AWS answers. */
function waitingHook(state: ClusterState, input: { AutoScalingGroupName: string | undefined; InstanceId?: string | undefined; LifecycleHookName: string | undefined }): SimInstance {
  const g = state.group(input.AutoScalingGroupName);
  const i = state.instanceById(String(input.InstanceId));
  if (!i || i.group !== g.name || i.lifecycleState !== 'Terminating:Wait' || g.hook !== input.LifecycleHookName) {
    throw new SimulatedServiceError('ValidationError', `No active Lifecycle Action found with instance ID ${String(input.InstanceId)}`);
  }
  return i;
}

/**
 * A mixed-instances group's InstancesDistribution: the on-demand base (UpdateAutoScalingGroup), then
 * all spot (a spot group) or all on-demand above it (world/launch-failures.ts launches by it).
 */
function withDistribution<T extends Pick<ASG.AutoScalingGroup, 'MixedInstancesPolicy'>>(fields: T, lifecycle: 'spot' | 'on-demand', base: number): T {
  const policy = fields.MixedInstancesPolicy;
  if (!policy) return fields;
  const InstancesDistribution: ASG.InstancesDistribution = {
    OnDemandAllocationStrategy: 'prioritized',
    OnDemandBaseCapacity: base,
    OnDemandPercentageAboveBaseCapacity: lifecycle === 'spot' ? 0 : 100,
    SpotAllocationStrategy: 'price-capacity-optimized',
  };
  return { ...fields, MixedInstancesPolicy: { ...policy, InstancesDistribution } };
}

/** Tags per Auto Scaling group (EC2 Auto Scaling quotas: 50). */
const MAX_TAGS = 50;

export function autoScalingHandlers(state: ClusterState): Handlers<typeof ASG> {
  const snapshotGroup = (asg: string) => state.snapshot.groups.find((x) => x.asg === asg);
  const taggedGroup = (t: ASG.Tag) => {
    if (t.ResourceType !== 'auto-scaling-group') throw new SimulatedServiceError('ValidationError', `Invalid resource type: ${String(t.ResourceType)}`);
    return state.group(t.ResourceId);
  };
  return {
    DescribeAutoScalingGroups: (input) => {
      const names = input.AutoScalingGroupNames ?? [...state.groups.keys()];
      const list = names.flatMap((n) => {
        const g = state.groups.get(n);
        const snap = snapshotGroup(n);
        if (!g || !snap) return [];
        return [
          {
            AutoScalingGroupName: g.asg,
            MinSize: g.min,
            MaxSize: g.max,
            DefaultCooldown: 300,
            AvailabilityZones: [...new Set([...state.instances.values()].map((i) => i.az))].sort(),
            HealthCheckType: 'EC2',
            CreatedTime: new Date(0),
            DesiredCapacity: g.desired,
            ...withDistribution(asgLaunchFields(state.snapshot, snap), snap.lifecycle, g.onDemandBase ?? 0),
            Tags: [...(g.tags ?? new Map<string, string>())].map(([Key, Value]) => ({ ResourceId: g.asg, ResourceType: 'auto-scaling-group', Key, Value, PropagateAtLaunch: false })),
            Instances: state.members(g.name).map((i) => ({
              InstanceId: i.ec2InstanceId,
              InstanceType: i.type,
              AvailabilityZone: i.az,
              LifecycleState: i.lifecycleState as ASG.LifecycleState,
              HealthStatus: 'Healthy',
              ProtectedFromScaleIn: i.protected,
              WeightedCapacity: String(weightOf(snap, i.type)),
            })),
          },
        ];
      });
      const p = page(list, input.NextToken, input.MaxRecords);
      return { AutoScalingGroups: p.items, NextToken: p.nextToken };
    },

    /** The group's terminate hook (the deployment's `hooks` option); none: an empty list. */
    DescribeLifecycleHooks: (input) => {
      const g = state.group(input.AutoScalingGroupName);
      const wanted = input.LifecycleHookNames ?? [];
      const hooks = g.hook && (wanted.length === 0 || wanted.includes(g.hook)) ? [{ LifecycleHookName: g.hook, AutoScalingGroupName: g.asg, LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: 600, GlobalTimeout: 60_000, DefaultResult: 'CONTINUE' }] : [];
      return { LifecycleHooks: hooks };
    },

    DescribeAutoScalingInstances: (input) => {
      const ids = input.InstanceIds ?? [];
      if (ids.length > 50) throw new SimulatedServiceError('ValidationError', 'InstanceIds can have at most 50 items');
      return {
        AutoScalingInstances: ids.flatMap((id) => {
          const i = state.instanceById(id);
          const g = i ? state.groupNamed(i.group) : undefined;
          return i && g && i.lifecycleState !== 'Terminated'
            ? [{ InstanceId: id, AutoScalingGroupName: g.asg, AvailabilityZone: i.az, LifecycleState: i.lifecycleState, HealthStatus: 'HEALTHY', ProtectedFromScaleIn: i.protected, InstanceType: i.type }]
            : [];
        }),
      };
    },

    DescribeLaunchConfigurations: (input) => describeLaunchConfigurations(state.snapshot, input),
    DescribePolicies: (input) => describePolicies(state.snapshot, input),

    SetDesiredCapacity: (input) => {
      const g = state.group(input.AutoScalingGroupName);
      const desired = Number(input.DesiredCapacity);
      if (desired < g.min || desired > g.max) {
        throw new SimulatedServiceError('ValidationError', `New SetDesiredCapacity value ${desired} is ${desired < g.min ? 'below min value' : 'above max value'} ${desired < g.min ? g.min : g.max} for the AutoScalingGroup.`);
      }
      g.desired = desired;
      return {};
    },

    /** Tags of groups (EC2 Auto Scaling API reference, CreateOrUpdateTags: an existing key's value is overwritten). */
    CreateOrUpdateTags: (input) => {
      for (const t of input.Tags ?? []) {
        const g = taggedGroup(t);
        g.tags = g.tags ?? new Map();
        if (!g.tags.has(String(t.Key)) && g.tags.size >= MAX_TAGS) throw new SimulatedServiceError('LimitExceeded', `The number of tags for ${g.asg} would exceed the limit of ${MAX_TAGS}.`);
        g.tags.set(String(t.Key), t.Value ?? '');
      }
      return {};
    },

    /** Deleting a key the group does not have is not an error. */
    DeleteTags: (input) => {
      for (const t of input.Tags ?? []) taggedGroup(t).tags?.delete(String(t.Key));
      return {};
    },

    SetInstanceProtection: (input) => {
      const g = state.group(input.AutoScalingGroupName);
      const ids = input.InstanceIds ?? [];
      if (ids.length > 50) throw new SimulatedServiceError('ValidationError', 'InstanceIds can have at most 50 items');
      for (const id of ids) {
        const i = state.instanceById(id);
        if (!i || i.group !== g.name) throw new SimulatedServiceError('ValidationError', `The instance ${id} is not part of Auto Scaling group ${g.asg}.`);
        i.protected = input.ProtectedFromScaleIn === true;
      }
      return {};
    },

    CompleteLifecycleAction: (input) => {
      const i = waitingHook(state, input);
      i.lifecycleState = input.LifecycleActionResult === 'ABANDON' || input.LifecycleActionResult === 'CONTINUE' ? 'Terminated' : i.lifecycleState;
      i.status = 'INACTIVE';
      return {};
    },

    RecordLifecycleActionHeartbeat: (input) => {
      waitingHook(state, input);
      return {};
    },

    TerminateInstanceInAutoScalingGroup: (input) => {
      const i = state.instanceById(String(input.InstanceId));
      if (!i) throw new SimulatedServiceError('ValidationError', `Instance Id not found - No managed instance found for instance ID: ${String(input.InstanceId)}`);
      const g = state.groupNamed(i.group);
      if (!g) throw new SimulatedServiceError('ValidationError', 'instance is in no group');
      if (i.lifecycleState.startsWith('Terminating') || i.lifecycleState === 'Terminated') {
        throw new SimulatedServiceError('ValidationError', `The instance ${i.ec2InstanceId} is already terminating.`);
      }
      const snap = snapshotGroup(g.asg);
      if (input.ShouldDecrementDesiredCapacity) {
        const w = snap ? weightOf(snap, i.type) : 1;
        if (g.desired - w < g.min) throw new SimulatedServiceError('ValidationError', `Currently, desiredSize equals minSize (${g.min}). Terminating instance without replacement will violate group's min size constraint.`);
        g.desired -= w;
      }
      i.lifecycleState = g.hook ? 'Terminating:Wait' : 'Terminated';
      if (!g.hook) i.status = 'INACTIVE';
      return { Activity: { ActivityId: `terminate-${i.ec2InstanceId}`, AutoScalingGroupName: g.asg, StatusCode: 'InProgress', Cause: 'ecs-pilot terminated the instance', StartTime: new Date(state.now) } };
    },
  };
}
