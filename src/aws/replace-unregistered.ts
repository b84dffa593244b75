/**
 * Executes `replaceUnregisteredInstance` (issue 20): re-checked against fresh state right before —
 * still InService in its group, still no container instance of the cluster — then terminated through
 * its group without decrementing desired, so the group launches another. A re-read that fails leaves it.
 */
import { DescribeAutoScalingGroupsCommand, TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import type { Action } from '../core/actions.js';
import type { Call, ExecutionReport } from './actuator.js';

type Sender = (service: Call['service'], command: { input: object; constructor: { name: string } }, items: string[], kind: Action['kind']) => Promise<unknown>;

export async function replaceUnregistered(action: Extract<Action, { kind: 'replaceUnregisteredInstance' }>, send: Sender, dryRun: boolean, report: ExecutionReport): Promise<void> {
  const items = [action.instanceId];
  if (!dryRun) {
    const before = report.failures.length;
    const groups = (await send('autoscaling', new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [action.asg] }), items, action.kind)) as
      | { AutoScalingGroups?: Array<{ AutoScalingGroupName?: string; Instances?: Array<{ InstanceId?: string; LifecycleState?: string }> }> }
      | undefined;
    if (report.failures.length > before) return;
    const member = groups?.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === action.asg)?.Instances?.find((i) => i.InstanceId === action.instanceId);
    if (member?.LifecycleState !== 'InService') {
      report.skipped.push({ action: action.kind, items, reason: member ? `it is ${member.LifecycleState ?? 'in no lifecycle state'} in ${action.asg}` : `it is no longer in ${action.asg}` });
      return;
    }
    const listed = (await send('ecs', new ListContainerInstancesCommand({ cluster: action.cluster, filter: `ec2InstanceId == ${action.instanceId}` }), items, action.kind)) as { containerInstanceArns?: string[] } | undefined;
    if (report.failures.length > before) return;
    if ((listed?.containerInstanceArns ?? []).length > 0) {
      report.skipped.push({ action: action.kind, items, reason: 'it registered with ECS since the decision' });
      return;
    }
  }
  await send('autoscaling', new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: action.instanceId, ShouldDecrementDesiredCapacity: false }), items, action.kind);
}
