/**
 * Act: executes `Action[]` against AWS, batched to the API limits (UpdateContainerInstancesState 10,
 * SetInstanceProtection 50, PutAttributes 10). Idempotent: repeating an action that already took
 * effect is not an error. A failing batch does not stop the others; failures are returned.
 * In dry-run nothing is sent and the calls that would have been are returned.
 *
 * The calls that matter most — a drain (with the drain reason written before it), taking an instance
 * back, completing a lifecycle hook — are retried here too, with back-off and a deadline, on errors the
 * SDK's own retries did not get past: a spot drain that waits for Lambda's retry (60 s, then 120 s
 * more) is too late for a 2-minute notice, and a hook left uncompleted times out.
 */
import { stillInService, type Sender } from './fresh-checks.js';
import {
  CompleteLifecycleActionCommand,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  RecordLifecycleActionHeartbeatCommand,
  SetDesiredCapacityCommand,
  SetInstanceProtectionCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import {
  DeleteAttributesCommand,
  DescribeContainerInstancesCommand,
  ListContainerInstancesCommand,
  PutAttributesCommand,
  RunTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  UpdateContainerInstancesStateCommand,
  type RunTaskCommandInput,
} from '@aws-sdk/client-ecs';
import { TAGS } from '../core/batch/jobs.js';
import { formatBaseTag, ON_DEMAND_BASE_TAG, UNAVAILABLE_TAG } from '../core/capacity/unavailable.js';
import { SERVICE_TAGS } from '../core/scaling/service-scaling.js';
import { ATTRIBUTES, type Action } from '../core/actions.js';
import { API_LIMITS, chunks } from './batch.js';
import type { Clients } from './clients.js';
import { replaceUnregistered } from './replace-unregistered.js';

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


/** RunTask failures that mean "no room here": the next capacity provider may have some. */
const NO_CAPACITY = /^RESOURCE:|capacity|No Container Instances/i;

/**
 * Starts a job attempt on the first capacity provider with room: a provider without capacity is
 * followed by the next (each with its own deterministic token, so retries stay idempotent); when none
 * has room the failure is reported and the invocation fails, to be retried once capacity is up.
 */
async function runTask(action: Extract<Action, { kind: 'runTask' }>, send: Sender, dryRun: boolean, report: ExecutionReport): Promise<void> {
  let remaining = action.count;
  const reasons: string[] = [];
  for (const [i, provider] of action.capacityProviders.entries()) {
    const input: RunTaskCommandInput = {
      cluster: action.cluster,
      taskDefinition: action.taskDefinition,
      count: remaining,
      capacityProviderStrategy: [{ capacityProvider: provider, weight: 1 }],
      startedBy: action.startedBy,
      clientToken: i === 0 ? action.clientToken : `${action.clientToken}-p${i}`,
      tags: [
        { key: TAGS.job, value: action.job },
        { key: TAGS.run, value: action.runId },
        { key: TAGS.attempt, value: String(action.attempt) },
      ],
      enableECSManagedTags: true,
      ...(action.containerOverrides.length > 0
        ? {
            overrides: {
              containerOverrides: action.containerOverrides.map((c) => ({
                name: c.name,
                ...(c.command ? { command: c.command } : {}),
                ...(c.environment ? { environment: Object.entries(c.environment).map(([name, value]) => ({ name, value })) } : {}),
              })),
            },
          }
        : {}),
      ...(action.network
        ? { networkConfiguration: { awsvpcConfiguration: { subnets: action.network.subnets, securityGroups: action.network.securityGroups, assignPublicIp: action.network.assignPublicIp ? 'ENABLED' : 'DISABLED' } } }
        : {}),
    };
    const failuresBefore = report.failures.length;
    const out = (await send('ecs', new RunTaskCommand(input), [action.job], 'runTask')) as { tasks?: unknown[]; failures?: Array<{ reason?: string }> } | undefined;
    if (dryRun || report.failures.length > failuresBefore) return; // dry-run shows the first call; an error is already reported
    remaining -= out?.tasks?.length ?? 0;
    if (remaining <= 0) return;
    const why = (out?.failures ?? []).map((f) => f.reason ?? 'unknown');
    reasons.push(`${provider}: ${why.join(', ') || 'no task started'}`);
    if (!why.every((r) => NO_CAPACITY.test(r))) break;
  }
  report.failures.push({ action: 'runTask', items: [action.job], error: `attempt ${action.attempt} of ${action.runId}: ${remaining} of ${action.count} task(s) not started (${reasons.join('; ')})` });
}

/**
 * Raises a group's desired capacity, never lowers it: two planners running at once (overlapping SQS
 * batches, a spot wave, the reconcile tick) each re-read the group right before writing, and one that
 * finds the group already at or above its target leaves it, so they converge on the larger target.
 * When the re-read fails the raise is still sent (raising is what the decision asked for).
 */
async function raiseDesiredCapacity(action: Extract<Action, { kind: 'setDesiredCapacity' }>, send: Sender, dryRun: boolean, report: ExecutionReport): Promise<void> {
  if (!dryRun) {
    const failuresBefore = report.failures.length;
    const fresh = (await send('autoscaling', new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [action.asg] }), [action.asg], action.kind)) as
      | { AutoScalingGroups?: Array<{ AutoScalingGroupName?: string; DesiredCapacity?: number }> }
      | undefined;
    report.failures.splice(failuresBefore); // a failed re-read is not a failed action
    const current = fresh?.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === action.asg)?.DesiredCapacity;
    if (current !== undefined && current >= action.desired) {
      report.skipped.push({ action: action.kind, items: [action.asg], reason: `desired capacity is already ${current} (≥ ${action.desired}): another decision raised it` });
      return;
    }
  }
  await send('autoscaling', new SetDesiredCapacityCommand({ AutoScalingGroupName: action.asg, DesiredCapacity: action.desired, HonorCooldown: false }), [action.asg], action.kind);
}

/**
 * Tags on an ASG: CreateOrUpdateTags for values, DeleteTags for `null`. They are ecs-pilot's memory of
 * launch failures, not an effect: a write that fails is reported as skipped and does not fail the
 * decision (whose raises went out); the next detection writes the mark again.
 */
async function tagGroup(asg: string, tags: Record<string, string | null>, send: Sender, kind: Action['kind'], report: ExecutionReport): Promise<void> {
  const before = report.failures.length;
  const set = Object.entries(tags).filter((e): e is [string, string] => e[1] !== null);
  const clear = Object.entries(tags).filter(([, v]) => v === null);
  const tag = (Key: string) => ({ ResourceId: asg, ResourceType: 'auto-scaling-group', Key });
  if (set.length > 0) await send('autoscaling', new CreateOrUpdateTagsCommand({ Tags: set.map(([k, v]) => ({ ...tag(k), Value: v, PropagateAtLaunch: false })) }), [asg], kind);
  if (clear.length > 0) await send('autoscaling', new DeleteTagsCommand({ Tags: clear.map(([k]) => tag(k)) }), [asg], kind);
  for (const f of report.failures.splice(before)) report.skipped.push({ action: kind, items: f.items, reason: `tag ${Object.keys(tags).join(', ')} not written (${f.error}): ecs-pilot's memory of the shortage is missing until written again` });
}

/**
 * Sets a mixed-instances group's on-demand base: read-modify-write on a fresh DescribeAutoScalingGroups
 * (the group's whole MixedInstancesPolicy sent back with only OnDemandBaseCapacity changed), and only
 * while the base is still what the decision saw (another decision, or the operator, changed it: the
 * next decision sees the new one). The base ecs-pilot started from is kept in a tag until it is back.
 */
async function setOnDemandBase(action: Extract<Action, { kind: 'setOnDemandBase' }>, send: Sender, dryRun: boolean, report: ExecutionReport): Promise<void> {
  const items = [action.asg];
  let policy: AutoScalingGroup['MixedInstancesPolicy'] = { InstancesDistribution: { OnDemandBaseCapacity: action.previous } };
  if (!dryRun) {
    const failuresBefore = report.failures.length;
    const fresh = (await send('autoscaling', new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [action.asg] }), items, action.kind)) as { AutoScalingGroups?: AutoScalingGroup[] } | undefined;
    if (report.failures.length > failuresBefore) return;
    const group = fresh?.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === action.asg);
    if (!group?.MixedInstancesPolicy) {
      report.failures.push({ action: action.kind, items, error: `${action.asg} ${group ? 'has no mixed instances policy' : 'was not found'}: its on-demand base cannot be set` });
      return;
    }
    const current = group.MixedInstancesPolicy.InstancesDistribution?.OnDemandBaseCapacity ?? 0;
    if (current !== action.previous) {
      report.skipped.push({ action: action.kind, items, reason: `the on-demand base is ${current}, not ${action.previous} as decided: it changed since the decision` });
      return;
    }
    policy = group.MixedInstancesPolicy;
  }
  const failuresBefore = report.failures.length;
  const MixedInstancesPolicy = { ...policy, InstancesDistribution: { ...policy.InstancesDistribution, OnDemandBaseCapacity: action.base } };
  await send('autoscaling', new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: action.asg, MixedInstancesPolicy }), items, action.kind);
  if (report.failures.length > failuresBefore) return;
  await tagGroup(action.asg, { [ON_DEMAND_BASE_TAG]: formatBaseTag(action) ?? null }, send, action.kind, report);
}

interface FreshInstance {
  status?: string;
  runningTasksCount?: number;
  pendingTasksCount?: number;
}

/** The container instance as ECS has it now, for the re-check right before a destructive action. */
async function freshContainerInstance(send: Sender, cluster: string, containerInstanceArn: string, items: string[], kind: Action['kind']): Promise<FreshInstance | undefined> {
  const out = (await send('ecs', new DescribeContainerInstancesCommand({ cluster, containerInstances: [containerInstanceArn] }), items, kind)) as { containerInstances?: FreshInstance[] } | undefined;
  return out?.containerInstances?.[0];
}

const tasksOn = (ci: FreshInstance): number => (ci.runningTasksCount ?? 0) + (ci.pendingTasksCount ?? 0);

/**
 * Terminates a replaced, drained spot instance with the desired capacity decremented — after a fresh
 * re-check: still InService in its group (not already terminating, not reclaimed), still DRAINING,
 * no more tasks than its daemons. A re-read that fails leaves it (the failure is reported, the
 * redelivery or the next reconcile decides again).
 */
async function terminateReplaced(action: Extract<Action, { kind: 'terminateReplacedInstance' }>, send: Sender, dryRun: boolean, report: ExecutionReport): Promise<void> {
  const items = [action.instanceId];
  if (!dryRun) {
    if (!(await stillInService(send, action, report))) return;
    const failuresBefore = report.failures.length;
    const ci = await freshContainerInstance(send, action.cluster, action.containerInstanceArn, items, action.kind);
    if (report.failures.length > failuresBefore) return;
    const tasks = ci ? tasksOn(ci) : 0;
    if (ci?.status !== 'DRAINING' || tasks > action.daemonTasks) {
      report.skipped.push({ action: action.kind, items, reason: !ci ? 'its container instance is gone' : ci.status !== 'DRAINING' ? `its container instance is ${ci.status}` : `${tasks} task(s) run on it again` });
      return;
    }
  }
  await send('autoscaling', new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: action.instanceId, ShouldDecrementDesiredCapacity: true }), items, action.kind);
}

/**
 * The in-invocation retries of the calls that matter (ESSENTIAL_KINDS): at most `attempts` calls,
 * waiting `firstDelayMs`, then twice as long each time (jittered by up to a half), and never starting a
 * wait that would end past `deadlineMs` from the first call. The SDK has already retried each call
 * (adaptive mode, src/aws/clients.ts): this covers errors that outlast those retries.
 */
export const ESSENTIAL_RETRY = { attempts: 3, firstDelayMs: 250, deadlineMs: 4_000 } as const;

/** Actions whose calls are retried in the invocation: the writes whose delay costs tasks or a hook. */
export const ESSENTIAL_KINDS: ReadonlySet<Action['kind']> = new Set(['drain', 'drainInstance', 'activate', 'completeLifecycleAction']);

/** Errors a later attempt may get past: throttling, server faults, time-outs and broken connections. */
export function retryable(error: unknown): boolean {
  const e = error as { name?: string; $fault?: string; $retryable?: unknown; code?: string } | undefined;
  if (e?.$retryable !== undefined || e?.$fault === 'server') return true;
  return /Throttl|TooManyRequests|RequestLimitExceeded|SlowDown|ServiceUnavailable|InternalFailure|InternalError|ServerException|Timeout|ECONNRESET|EPIPE|ETIMEDOUT|socket hang up/i.test(`${e?.name ?? ''} ${e?.code ?? ''}`);
}

export interface ExecuteOptions {
  dryRun: boolean;
  /** Waits between retries (default: a timer); the simulator and tests pass their own clock's. */
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds now, for the retry deadline (default Date.now). */
  clock?: () => number;
  /** Jitter in [0, 1) (default Math.random). */
  random?: () => number;
}

const timer = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function execute(clients: Clients, actions: readonly Action[], options: ExecuteOptions): Promise<ExecutionReport> {
  const report: ExecutionReport = { calls: [], failures: [], skipped: [] };
  const sleep = options.sleep ?? timer;
  const clock = options.clock ?? Date.now;
  const random = options.random ?? Math.random;
  const send = async (service: Call['service'], command: { input: object; constructor: { name: string } }, items: string[], kind: Action['kind']): Promise<unknown> => {
    const client = clients[service] as { send: (c: unknown) => Promise<unknown> };
    const started = clock();
    for (let attempt = 1; ; attempt += 1) {
      report.calls.push({ service, command: command.constructor.name.replace(/Command$/, ''), input: command.input as Record<string, unknown> });
      if (options.dryRun) return undefined;
      try {
        return await client.send(command);
      } catch (error) {
        if (alreadyDone(error)) return undefined;
        const wait = ESSENTIAL_RETRY.firstDelayMs * 2 ** (attempt - 1) * (1 + random() / 2);
        const again = ESSENTIAL_KINDS.has(kind) && attempt < ESSENTIAL_RETRY.attempts && retryable(error) && clock() - started + wait <= ESSENTIAL_RETRY.deadlineMs;
        if (!again) {
          report.failures.push({ action: kind, items, error: errorText(error) });
          return undefined;
        }
        await sleep(wait);
      }
    }
  };

  /** UpdateContainerInstancesState, 10 per call; ECS's per-instance failures are failures. */
  const setStatus = async (cluster: string, arns: readonly string[], status: 'DRAINING' | 'ACTIVE', kind: Action['kind']): Promise<void> => {
    for (const batch of chunks(arns, API_LIMITS.updateContainerInstancesState)) {
      const out = (await send('ecs', new UpdateContainerInstancesStateCommand({ cluster, containerInstances: batch, status }), batch, kind)) as { failures?: Array<{ arn?: string; reason?: string }> } | undefined;
      for (const f of out?.failures ?? []) report.failures.push({ action: kind, items: [f.arn ?? ''], error: f.reason ?? 'failed' });
    }
  };

  /**
   * The drain's owner written before the drain (PutAttributes, 10 per call): returns the instances
   * marked, the only ones then drained — ecs-pilot never drains for itself without its mark.
   */
  const markOwner = async (cluster: string, arns: readonly string[], drainReason: string): Promise<string[]> => {
    const marked: string[] = [];
    for (const batch of chunks(arns, API_LIMITS.putAttributes)) {
      const before = report.failures.length;
      const attributes = batch.map((arn) => ({ name: ATTRIBUTES.drainReason, value: drainReason, targetType: 'container-instance' as const, targetId: arn }));
      await send('ecs', new PutAttributesCommand({ cluster, attributes }), batch, 'drain');
      if (report.failures.length === before) marked.push(...batch);
    }
    return marked;
  };

  /** The container instance found now (ACTIVE: one already draining needs nothing), then drained. */
  const drainInstance = async (action: Extract<Action, { kind: 'drainInstance' }>): Promise<void> => {
    for (const cluster of action.clusters) {
      const before = report.failures.length;
      const listed = (await send('ecs', new ListContainerInstancesCommand({ cluster, filter: `ec2InstanceId == ${action.ec2InstanceId}`, status: 'ACTIVE' }), [action.ec2InstanceId], action.kind)) as
        | { containerInstanceArns?: string[] }
        | undefined;
      if (report.failures.length > before) continue; // this cluster could not be read: the others may hold it
      if (options.dryRun) return; // the drain depends on the answer
      const arns = listed?.containerInstanceArns ?? [];
      if (arns.length > 0) return setStatus(cluster, arns, 'DRAINING', action.kind);
    }
    if (!options.dryRun) report.skipped.push({ action: action.kind, items: [action.ec2InstanceId], reason: `no ACTIVE container instance in ${action.clusters.join(', ')}` });
  };

  for (const action of actions) {
    switch (action.kind) {
      case 'drain': {
        let arns = action.containerInstanceArns;
        if (action.expectTasks && !options.dryRun) {
          // Re-check against fresh state: a consolidation drain goes ahead only if nothing changed on the instance.
          const fresh = (await send('ecs', new DescribeContainerInstancesCommand({ cluster: action.cluster, containerInstances: arns }), arns, action.kind)) as
            | { containerInstances?: Array<{ containerInstanceArn?: string; status?: string; runningTasksCount?: number; pendingTasksCount?: number }> }
            | undefined;
          const ok = new Set(
            (fresh?.containerInstances ?? [])
              .filter((ci) => ci.status === 'ACTIVE' && (ci.runningTasksCount ?? 0) + (ci.pendingTasksCount ?? 0) === action.expectTasks?.[ci.containerInstanceArn ?? ''])
              .map((ci) => ci.containerInstanceArn ?? ''),
          );
          const changed = arns.filter((a) => !ok.has(a));
          if (changed.length > 0) report.skipped.push({ action: 'drain', items: changed, reason: 'its tasks changed since the decision' });
          arns = arns.filter((a) => ok.has(a));
        }
        if (action.drainReason !== undefined) arns = await markOwner(action.cluster, arns, action.drainReason);
        await setStatus(action.cluster, arns, 'DRAINING', action.kind);
        break;
      }
      case 'activate':
        await setStatus(action.cluster, action.containerInstanceArns, 'ACTIVE', action.kind);
        break;
      case 'drainInstance':
        await drainInstance(action);
        break;
      case 'setDesiredCapacity':
        await raiseDesiredCapacity(action, send, options.dryRun, report);
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
          const ci = await freshContainerInstance(send, action.cluster, action.containerInstanceArn, [action.instanceId], action.kind);
          // The end of a drain of ecs-pilot's own: only once DRAINING (ECS places nothing more there),
          // else its drain did not go through and the next tick decides again.
          const undrained = ci !== undefined && action.drainReason !== undefined && ci.status !== 'DRAINING';
          if (!ci || tasksOn(ci) > (action.daemonTasks ?? 0) || undrained) {
            report.skipped.push({ action: action.kind, items: [action.instanceId], reason: !ci ? 'could not re-check it' : undrained ? `it is ${ci.status}, not drained` : 'tasks were placed on it since the decision' });
            break;
          }
        }
        await send('autoscaling', new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: action.instanceId, ShouldDecrementDesiredCapacity: true }), [action.instanceId], action.kind);
        break;
      }
      case 'terminateReplacedInstance':
        await terminateReplaced(action, send, options.dryRun, report);
        break;
      case 'replaceUnregisteredInstance':
        await replaceUnregistered(action, send, options.dryRun, report);
        break;
      case 'runTask':
        await runTask(action, send, options.dryRun, report);
        break;
      case 'stopTask':
        await send('ecs', new StopTaskCommand({ cluster: action.cluster, task: action.taskArn, reason: action.reason.slice(0, 255) }), [action.taskArn], action.kind);
        break;
      case 'setServiceDesiredCount': {
        const before = report.failures.length;
        await send('ecs', new UpdateServiceCommand({ cluster: action.cluster, service: action.service, desiredCount: action.desiredCount }), [action.service], action.kind);
        // The stamp records that the change was made: written only if it was (cooldown, duplicates).
        if (report.failures.length === before) {
          await send(
            'ecs',
            new TagResourceCommand({ resourceArn: action.serviceArn, tags: [{ key: SERVICE_TAGS.scaledAt, value: action.stamp.at }, { key: SERVICE_TAGS.scaledBy, value: action.stamp.by.slice(0, 256) }] }),
            [action.service],
            action.kind,
          );
        }
        break;
      }
      case 'setServiceBounds': {
        const tags = [
          ...(action.minTasks !== undefined ? [{ key: SERVICE_TAGS.minTasks, value: String(action.minTasks) }] : []),
          ...(action.maxTasks !== undefined ? [{ key: SERVICE_TAGS.maxTasks, value: String(action.maxTasks) }] : []),
        ];
        if (tags.length > 0) await send('ecs', new TagResourceCommand({ resourceArn: action.serviceArn, tags }), [action.serviceArn], action.kind);
        break;
      }
      case 'markGroupUnavailable':
        await tagGroup(action.asg, { [UNAVAILABLE_TAG]: action.mark }, send, action.kind, report);
        break;
      case 'tagGroup':
        await tagGroup(action.asg, action.tags, send, action.kind, report);
        break;
      case 'setOnDemandBase':
        await setOnDemandBase(action, send, options.dryRun, report);
        break;
      case 'recordRun':
      case 'markInstance':
        break; // recordRun: logged by the controller; markInstance: batched below
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
