/**
 * Auto Scaling's commands about a group's activities and launch settings, as the API documents them:
 * DescribeScalingActivities (newest first, at most MaxRecords ≤ 100, the start-time and status filters
 * with a group name only, six weeks of history) and UpdateAutoScalingGroup (min, max, desired, and the
 * mixed-instances group's on-demand base). The activities are recorded by world/launch-failures.ts.
 */
import type * as ASG from '@aws-sdk/client-auto-scaling';
import type { Handlers } from './commands.js';
import { SimulatedServiceError, type ClusterState } from './state.js';

/** How far back DescribeScalingActivities answers (EC2 Auto Scaling User Guide: six weeks). */
const HISTORY_MS = 6 * 7 * 24 * 3_600_000;

export function scalingActivityHandlers(state: ClusterState): Handlers<typeof ASG> {
  return {
      DescribeScalingActivities: (input) => {
        const max = input.MaxRecords ?? 100;
        if (max < 1 || max > 100) throw new SimulatedServiceError('ValidationError', 'MaxRecords must be between 1 and 100');
        const filters = input.Filters ?? [];
        if (filters.length > 0 && !input.AutoScalingGroupName) throw new SimulatedServiceError('ValidationError', 'Filters can be used only with AutoScalingGroupName');
        const bound = (name: string) => filters.find((f) => f.Name === name)?.Values?.[0];
        const lower = bound('StartTimeLowerBound');
        const upper = bound('StartTimeUpperBound');
        const statuses = filters.find((f) => f.Name === 'Status')?.Values;
        const asgs = input.AutoScalingGroupName ? [state.group(input.AutoScalingGroupName).asg] : [...state.scalingActivities.keys()];
        let list = asgs.flatMap((a) => state.scalingActivities.get(a) ?? []).filter((a) => a.StartTime.getTime() >= state.now - HISTORY_MS);
        if (input.ActivityIds) list = list.filter((a) => input.ActivityIds?.includes(a.ActivityId ?? ''));
        if (lower) list = list.filter((a) => a.StartTime.getTime() >= Date.parse(lower));
        if (upper) list = list.filter((a) => a.StartTime.getTime() <= Date.parse(upper));
        if (statuses) list = list.filter((a) => statuses.includes(a.StatusCode ?? ''));
        list.sort((a, b) => b.StartTime.getTime() - a.StartTime.getTime());
        const start = input.NextToken ? Number(input.NextToken) : 0;
        const end = start + max;
        return { Activities: list.slice(start, end), ...(end < list.length ? { NextToken: String(end) } : {}) };
      },
      UpdateAutoScalingGroup: (input) => {
        const g = state.group(input.AutoScalingGroupName);
        const snap = state.snapshot.groups.find((x) => x.asg === g.asg);
        const min = input.MinSize ?? g.min;
        const max = input.MaxSize ?? g.max;
        const desired = input.DesiredCapacity ?? g.desired;
        if (min > max || desired < min || desired > max) throw new SimulatedServiceError('ValidationError', `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`);
        const base = input.MixedInstancesPolicy?.InstancesDistribution?.OnDemandBaseCapacity;
        if (input.MixedInstancesPolicy !== undefined && snap?.launch?.kind !== undefined && snap.launch.kind !== 'mixedInstancesPolicy' && snap.launch.kind !== 'instanceRequirements') {
          throw new SimulatedServiceError('ValidationError', 'The Auto Scaling group has no mixed instances policy to update.');
        }
        if (base !== undefined) {
          if (base < 0) throw new SimulatedServiceError('ValidationError', 'OnDemandBaseCapacity must be at least 0');
          g.onDemandBase = base;
        }
        g.min = min;
        g.max = max;
        g.desired = desired;
        return {};
      },
  };
}
