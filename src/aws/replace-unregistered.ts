/**
 * Executes `replaceUnregisteredInstance` (issue 20): re-checked against fresh state right before —
 * still InService in its group, still no container instance of the cluster — then terminated through
 * its group without decrementing desired, so the group launches another. A re-read that fails leaves it.
 */
import { TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import type { Action } from '../core/actions.js';
import { stillInService, type CheckReport, type Sender } from './fresh-checks.js';

export async function replaceUnregistered(action: Extract<Action, { kind: 'replaceUnregisteredInstance' }>, send: Sender, dryRun: boolean, report: CheckReport): Promise<void> {
  const items = [action.instanceId];
  if (!dryRun) {
    if (!(await stillInService(send, action, report))) return;
    const before = report.failures.length;
    const listed = (await send('ecs', new ListContainerInstancesCommand({ cluster: action.cluster, filter: `ec2InstanceId == ${action.instanceId}` }), items, action.kind)) as { containerInstanceArns?: string[] } | undefined;
    if (report.failures.length > before) return;
    if ((listed?.containerInstanceArns ?? []).length > 0) {
      report.skipped.push({ action: action.kind, items, reason: 'it registered with ECS since the decision' });
      return;
    }
  }
  await send('autoscaling', new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: action.instanceId, ShouldDecrementDesiredCapacity: false }), items, action.kind);
}
