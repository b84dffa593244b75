/**
 * Re-checks right before a destructive write (DESIGN: every destructive plan is re-checked against fresh
 * state). Shared by the actuator and the actions it delegates to, without importing actuator.ts.
 */
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import type { Action } from '../core/actions.js';

/** The actuator's sender: one call, attributed to an action and its items (failures go to the report). */
export type Sender = (service: 'ecs' | 'autoscaling' | 'ec2', command: { input: object; constructor: { name: string } }, items: string[], kind: Action['kind']) => Promise<unknown>;

export interface CheckReport {
  failures: readonly unknown[];
  skipped: Array<{ action: Action['kind']; items: string[]; reason: string }>;
}

/**
 * Whether the instance is still InService in its group, read fresh. False when it is not (the skip is
 * reported with why: terminating, reclaimed, gone) or when the read failed (its failure is reported).
 */
export async function stillInService(send: Sender, action: { kind: Action['kind']; asg: string; instanceId: string }, report: CheckReport): Promise<boolean> {
  const items = [action.instanceId];
  const before = report.failures.length;
  const groups = (await send('autoscaling', new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [action.asg] }), items, action.kind)) as
    | { AutoScalingGroups?: Array<{ AutoScalingGroupName?: string; Instances?: Array<{ InstanceId?: string; LifecycleState?: string }> }> }
    | undefined;
  if (report.failures.length > before) return false;
  const member = groups?.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === action.asg)?.Instances?.find((i) => i.InstanceId === action.instanceId);
  if (member?.LifecycleState === 'InService') return true;
  report.skipped.push({ action: action.kind, items, reason: member ? `it is ${member.LifecycleState ?? 'in no lifecycle state'} in ${action.asg}` : `it is no longer in ${action.asg}` });
  return false;
}
