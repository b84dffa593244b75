/**
 * Act: executes `Action[]` against AWS, batched to the API limits (UpdateContainerInstancesState 10,
 * SetInstanceProtection 50, PutAttributes 10). Idempotent: repeating an action that already took
 * effect is not an error. A failing batch does not stop the others; failures are returned.
 * In dry-run nothing is sent and the calls that would have been are returned.
 */
import {
  CompleteLifecycleActionCommand,
  RecordLifecycleActionHeartbeatCommand,
  SetDesiredCapacityCommand,
  SetInstanceProtectionCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DeleteAttributesCommand, DescribeContainerInstancesCommand, PutAttributesCommand, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import type { Action } from '../core/actions.js';
import { API_LIMITS, chunks } from './batch.js';
import type { Clients } from './clients.js';

export interface Call {
  service: 'ecs' | 'autoscaling' | 'ec2';
  command: string;
  input: Record<string, unknown>;
}

export interface ActionFailure {
  action: Action['kind'];
  /** Instance ids or ARNs the failure concerns. */
  items: string[];
  error: string;
}

export interface ExecutionReport {
  calls: Call[];
  failures: ActionFailure[];
  /** Actions dropped by the re-check against fresh state, with why. */
  skipped: Array<{ action: Action['kind']; items: string[]; reason: string }>;
}

/** Errors that mean "already done": the lifecycle action is gone, the instance is already leaving. */
function alreadyDone(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /No active Lifecycle Action found|is not in InService|already (in )?terminat|Instance Id not found/i.test(message);
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

export interface ExecuteOptions {
  dryRun: boolean;
}

export async function execute(clients: Clients, actions: readonly Action[], options: ExecuteOptions): Promise<ExecutionReport> {
  const report: ExecutionReport = { calls: [], failures: [], skipped: [] };
  const send = async (service: Call['service'], command: { input: object; constructor: { name: string } }, items: string[], kind: Action['kind']): Promise<unknown> => {
    report.calls.push({ service, command: command.constructor.name.replace(/Command$/, ''), input: command.input as Record<string, unknown> });
    if (options.dryRun) return undefined;
    try {
      const client = clients[service] as { send: (c: unknown) => Promise<unknown> };
      return await client.send(command);
    } catch (error) {
      if (!alreadyDone(error)) report.failures.push({ action: kind, items, error: errorText(error) });
      return undefined;
    }
  };

  for (const action of actions) {
    switch (action.kind) {
      case 'drain': {
        for (const batch of chunks(action.containerInstanceArns, API_LIMITS.updateContainerInstancesState)) {
          const out = (await send('ecs', new UpdateContainerInstancesStateCommand({ cluster: action.cluster, containerInstances: batch, status: 'DRAINING' }), batch, action.kind)) as
            | { failures?: Array<{ arn?: string; reason?: string }> }
            | undefined;
          for (const f of out?.failures ?? []) report.failures.push({ action: action.kind, items: [f.arn ?? ''], error: f.reason ?? 'failed' });
        }
        break;
      }
      case 'setDesiredCapacity':
        await send('autoscaling', new SetDesiredCapacityCommand({ AutoScalingGroupName: action.asg, DesiredCapacity: action.desired, HonorCooldown: false }), [action.asg], action.kind);
        break;
      case 'protectInstances':
        for (const batch of chunks(action.instanceIds, API_LIMITS.setInstanceProtection)) {
          await send('autoscaling', new SetInstanceProtectionCommand({ AutoScalingGroupName: action.asg, InstanceIds: batch, ProtectedFromScaleIn: action.protect }), batch, action.kind);
        }
        break;
      case 'completeLifecycleAction':
        await send(
          'autoscaling',
          new CompleteLifecycleActionCommand({ AutoScalingGroupName: action.asg, LifecycleHookName: action.hookName, InstanceId: action.instanceId, LifecycleActionResult: action.result }),
          [action.instanceId],
          action.kind,
        );
        break;
      case 'heartbeatLifecycleAction':
        await send('autoscaling', new RecordLifecycleActionHeartbeatCommand({ AutoScalingGroupName: action.asg, LifecycleHookName: action.hookName, InstanceId: action.instanceId }), [action.instanceId], action.kind);
        break;
      case 'terminateInstance': {
        // Destructive: re-check against fresh state that nothing was placed since the decision.
        if (action.containerInstanceArn && !options.dryRun) {
          const fresh = (await send('ecs', new DescribeContainerInstancesCommand({ cluster: action.cluster, containerInstances: [action.containerInstanceArn] }), [action.instanceId], action.kind)) as
            | { containerInstances?: Array<{ runningTasksCount?: number; pendingTasksCount?: number }> }
            | undefined;
          const ci = fresh?.containerInstances?.[0];
          if (!ci || (ci.runningTasksCount ?? 0) + (ci.pendingTasksCount ?? 0) > (action.daemonTasks ?? 0)) {
            report.skipped.push({ action: action.kind, items: [action.instanceId], reason: ci ? 'tasks were placed on it since the decision' : 'could not re-check it' });
            break;
          }
        }
        await send('autoscaling', new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: action.instanceId, ShouldDecrementDesiredCapacity: true }), [action.instanceId], action.kind);
        break;
      }
      case 'markInstance':
        break; // batched below
    }
  }

  // Attributes: one PutAttributes / DeleteAttributes per 10, per cluster. A mark records that what came
  // before it was done, so none is written once anything failed: the redelivery decides again.
  const marks = actions.filter((a): a is Extract<Action, { kind: 'markInstance' }> => a.kind === 'markInstance');
  if (report.failures.length > 0) {
    if (marks.length > 0) report.skipped.push({ action: 'markInstance', items: marks.map((m) => m.containerInstanceArn), reason: 'an earlier action failed' });
    return report;
  }
  const byCluster = new Map<string, typeof marks>();
  for (const m of marks) byCluster.set(m.cluster, [...(byCluster.get(m.cluster) ?? []), m]);
  for (const [cluster, list] of byCluster) {
    const sets = list.filter((m) => m.value !== null);
    const clears = list.filter((m) => m.value === null);
    for (const batch of chunks(sets, API_LIMITS.putAttributes)) {
      const attributes = batch.map((m) => ({ name: m.attribute, value: m.value ?? '', targetType: 'container-instance' as const, targetId: m.containerInstanceArn }));
      await send('ecs', new PutAttributesCommand({ cluster, attributes }), batch.map((m) => m.containerInstanceArn), 'markInstance');
    }
    for (const batch of chunks(clears, API_LIMITS.putAttributes)) {
      const attributes = batch.map((m) => ({ name: m.attribute, targetType: 'container-instance' as const, targetId: m.containerInstanceArn }));
      await send('ecs', new DeleteAttributesCommand({ cluster, attributes }), batch.map((m) => m.containerInstanceArn), 'markInstance');
    }
  }
  return report;
}
