/** The simulated account's Auto Scaling commands, typed with the SDK's input and output types. */
import type * as ASG from '@aws-sdk/client-auto-scaling';
import { weightOf } from '../core/model.js';
import { SimEcs } from './ecs.js';
import { asgLaunchFields } from './launch-shapes.js';
import { page, SimulatedServiceError, type Answer, type SimInstance } from './state.js';

export class SimAutoScaling extends SimEcs {
  // ---------- Auto Scaling ----------

  protected autoscaling_DescribeAutoScalingGroups(input: ASG.DescribeAutoScalingGroupsCommandInput): Answer<ASG.DescribeAutoScalingGroupsCommandOutput> {
    const names = (input.AutoScalingGroupNames as string[] | undefined) ?? [...this.groups.keys()];
    const list = names.flatMap((n) => {
      const g = this.groups.get(n);
      const snap = this.snapshot.groups.find((x) => x.asg === n);
      if (!g || !snap) return [];
      return [
        {
          AutoScalingGroupName: g.asg,
          MinSize: g.min,
          MaxSize: g.max,
          DefaultCooldown: 300,
          AvailabilityZones: [...new Set([...this.instances.values()].map((i) => i.az))].sort(),
          HealthCheckType: 'EC2',
          CreatedTime: new Date(0),
          DesiredCapacity: g.desired,
          ...asgLaunchFields(this.snapshot, snap),
          Instances: [...this.instances.values()]
            .filter((i) => i.group === g.name && i.lifecycleState !== 'Terminated')
            .map((i) => ({
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
    const p = page(list, input.NextToken as string | undefined, input.MaxRecords as number | undefined);
    return { AutoScalingGroups: p.items, NextToken: p.nextToken };
  }

  /** The group's terminate hook (the deployment's `hooks` option), as DescribeLifecycleHooks answers it; none: an empty list. */
  protected autoscaling_DescribeLifecycleHooks(input: ASG.DescribeLifecycleHooksCommandInput): Answer<ASG.DescribeLifecycleHooksCommandOutput> {
    const g = this.group(input.AutoScalingGroupName);
    const wanted = input.LifecycleHookNames ?? [];
    const hooks = g.hook && (wanted.length === 0 || wanted.includes(g.hook)) ? [{ LifecycleHookName: g.hook, AutoScalingGroupName: g.asg, LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: 600, GlobalTimeout: 60_000, DefaultResult: 'CONTINUE' }] : [];
    return { LifecycleHooks: hooks };
  }

  protected autoscaling_DescribeAutoScalingInstances(input: ASG.DescribeAutoScalingInstancesCommandInput): Answer<ASG.DescribeAutoScalingInstancesCommandOutput> {
    const ids = (input.InstanceIds as string[]) ?? [];
    if (ids.length > 50) throw new SimulatedServiceError('ValidationError', 'InstanceIds can have at most 50 items');
    return {
      AutoScalingInstances: ids.flatMap((id) => {
        const i = this.instance(id);
        const g = i ? [...this.groups.values()].find((x) => x.name === i.group) : undefined;
        return i && g && i.lifecycleState !== 'Terminated'
          ? [{ InstanceId: id, AutoScalingGroupName: g.asg, AvailabilityZone: i.az, LifecycleState: i.lifecycleState, HealthStatus: 'HEALTHY', ProtectedFromScaleIn: i.protected, InstanceType: i.type }]
          : [];
      }),
    };
  }

  protected autoscaling_SetDesiredCapacity(input: ASG.SetDesiredCapacityCommandInput): Answer<ASG.SetDesiredCapacityCommandOutput> {
    const g = this.group(input.AutoScalingGroupName);
    const desired = input.DesiredCapacity as number;
    if (desired < g.min || desired > g.max) {
      throw new SimulatedServiceError('ValidationError', `New SetDesiredCapacity value ${desired} is ${desired < g.min ? 'below min value' : 'above max value'} ${desired < g.min ? g.min : g.max} for the AutoScalingGroup.`);
    }
    g.desired = desired;
    return {};
  }

  protected autoscaling_SetInstanceProtection(input: ASG.SetInstanceProtectionCommandInput): Answer<ASG.SetInstanceProtectionCommandOutput> {
    const g = this.group(input.AutoScalingGroupName);
    const ids = (input.InstanceIds as string[]) ?? [];
    if (ids.length > 50) throw new SimulatedServiceError('ValidationError', 'InstanceIds can have at most 50 items');
    for (const id of ids) {
      const i = this.instance(id) as SimInstance | undefined;
      if (!i || i.group !== g.name) throw new SimulatedServiceError('ValidationError', `The instance ${id} is not part of Auto Scaling group ${g.asg}.`);
      i.protected = input.ProtectedFromScaleIn as boolean;
    }
    return {};
  }

  private waitingHook(input: { AutoScalingGroupName: string | undefined; InstanceId?: string | undefined; LifecycleHookName: string | undefined }): SimInstance {
    const g = this.group(input.AutoScalingGroupName);
    const i = this.instance(input.InstanceId as string) as SimInstance | undefined;
    if (!i || i.group !== g.name || i.lifecycleState !== 'Terminating:Wait' || g.hook !== input.LifecycleHookName) {
      throw new SimulatedServiceError('ValidationError', `No active Lifecycle Action found with instance ID ${String(input.InstanceId)}`);
    }
    return i;
  }

  protected autoscaling_CompleteLifecycleAction(input: ASG.CompleteLifecycleActionCommandInput): Answer<ASG.CompleteLifecycleActionCommandOutput> {
    const i = this.waitingHook(input);
    i.lifecycleState = input.LifecycleActionResult === 'ABANDON' || input.LifecycleActionResult === 'CONTINUE' ? 'Terminated' : i.lifecycleState;
    i.status = 'INACTIVE';
    return {};
  }

  protected autoscaling_RecordLifecycleActionHeartbeat(input: ASG.RecordLifecycleActionHeartbeatCommandInput): Answer<ASG.RecordLifecycleActionHeartbeatCommandOutput> {
    this.waitingHook(input);
    return {};
  }

  protected autoscaling_TerminateInstanceInAutoScalingGroup(input: ASG.TerminateInstanceInAutoScalingGroupCommandInput): Answer<ASG.TerminateInstanceInAutoScalingGroupCommandOutput> {
    const i = this.instance(input.InstanceId as string) as SimInstance | undefined;
    if (!i) throw new SimulatedServiceError('ValidationError', `Instance Id not found - No managed instance found for instance ID: ${String(input.InstanceId)}`);
    const g = [...this.groups.values()].find((x) => x.name === i.group);
    if (!g) throw new SimulatedServiceError('ValidationError', 'instance is in no group');
    if (i.lifecycleState.startsWith('Terminating') || i.lifecycleState === 'Terminated') {
      throw new SimulatedServiceError('ValidationError', `The instance ${i.ec2InstanceId} is already terminating.`);
    }
    const snap = this.snapshot.groups.find((x) => x.asg === g.asg);
    if (input.ShouldDecrementDesiredCapacity) {
      const w = snap ? weightOf(snap, i.type) : 1;
      if (g.desired - w < g.min) throw new SimulatedServiceError('ValidationError', `Currently, desiredSize equals minSize (${g.min}). Terminating instance without replacement will violate group's min size constraint.`);
      g.desired -= w;
    }
    i.lifecycleState = g.hook ? 'Terminating:Wait' : 'Terminated';
    if (!g.hook) i.status = 'INACTIVE';
    return { Activity: { ActivityId: `terminate-${i.ec2InstanceId}`, AutoScalingGroupName: g.asg, StatusCode: 'InProgress', Cause: 'ecs-pilot terminated the instance', StartTime: new Date(this.now) } };
  }

}
