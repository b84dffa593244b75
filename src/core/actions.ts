/**
 * What the controller decides to do, as data. Every action says why (`reason`, for a person).
 * An empty list means nothing to do. The actuator in `src/aws/` executes them; dry-run prints them.
 */

import { describeLaunchFailure, type LaunchFailure } from './capacity/shortage.js';

export type Action =
  | {
      kind: 'drain';
      cluster: string;
      containerInstanceArns: string[];
      reason: string;
      /** Destructive moves (consolidation) are re-checked: drain only instances still running this many tasks. */
      expectTasks?: Record<string, number>;
      /**
       * Whose drain this is (DRAIN_REASONS), written as `ecs-pilot.drain-reason` BEFORE the drain: an
       * instance is never DRAINING for ecs-pilot without the mark that lets the next tick finish the job.
       */
      drainReason?: string;
      /** The group a scale-in drain takes the instances out of (in `accelerate`, ECS scales in: left to it). */
      asg?: string;
    }
  /**
   * Drain the container instance of an EC2 instance, found at the moment of acting (ListContainerInstances
   * filtered on `ec2InstanceId`, ACTIVE only) in the first of `clusters` that has it: decided from an
   * event alone, so the drain waits on no other read (a spot interruption warning).
   */
  | { kind: 'drainInstance'; clusters: string[]; ec2InstanceId: string; reason: string }
  /** A drained instance taken back into service (UpdateContainerInstancesState ACTIVE): it is needed, or cannot leave. */
  | { kind: 'activate'; cluster: string; containerInstanceArns: string[]; reason: string }
  | { kind: 'setDesiredCapacity'; asg: string; desired: number; previous: number; reason: string }
  | { kind: 'protectInstances'; asg: string; instanceIds: string[]; protect: boolean; reason: string }
  | { kind: 'completeLifecycleAction'; asg: string; hookName: string; instanceId: string; result: 'CONTINUE' | 'ABANDON'; reason: string }
  | { kind: 'heartbeatLifecycleAction'; asg: string; hookName: string; instanceId: string; reason: string }
  | {
      kind: 'terminateInstance';
      asg: string;
      instanceId: string;
      /** For the re-check right before terminating: the instance must still run no more than its daemons. */
      cluster: string;
      containerInstanceArn: string;
      daemonTasks: number;
      /** The drain this termination completes (DRAIN_REASONS): `scale-in` is the idle scale-in ECS owns in `accelerate`. */
      drainReason?: string;
      reason: string;
    }
  | { kind: 'markInstance'; cluster: string; containerInstanceArn: string; attribute: string; value: string | null; reason: string }
  | {
      kind: 'runTask';
      cluster: string;
      job: string;
      runId: string;
      attempt: number;
      taskDefinition: string;
      count: number;
      /** Tried in order: the next one when RunTask reports no capacity on the previous. */
      capacityProviders: string[];
      containerOverrides: Array<{ name: string; command?: string[] | undefined; environment?: Record<string, string> | undefined }>;
      network: { subnets: string[]; securityGroups: string[]; assignPublicIp: boolean } | undefined;
      startedBy: string;
      /** Deterministic: a duplicate event sends the same token and ECS starts nothing new. */
      clientToken: string;
      reason: string;
    }
  | { kind: 'stopTask'; cluster: string; taskArn: string; reason: string }
  | {
      kind: 'setServiceDesiredCount';
      cluster: string;
      service: string;
      serviceArn: string;
      desiredCount: number;
      previous: number;
      /** Recorded on the service (tags) once the change is made: the cooldown and duplicates read it. */
      stamp: { at: string; by: string };
      reason: string;
    }
  | { kind: 'setServiceBounds'; serviceArn: string; minTasks: number | undefined; maxTasks: number | undefined; reason: string }
  /** A batch run's transition: logged and counted, no AWS call. */
  | {
      kind: 'recordRun';
      job: string;
      runId: string;
      attempt: number;
      transition: RunTransition;
      taskArn?: string | undefined;
      exitCodes?: Record<string, number> | undefined;
      durationSeconds?: number | undefined;
      reason: string;
    }
  /**
   * A spot-interrupted (or otherwise doomed) instance ecs-pilot replaced (or found room for) is drained
   * empty: terminate it through its ASG with the desired capacity decremented, before EC2 reclaims it
   * and the ASG's health check launches a second replacement; in `accelerate` only above ECS's target
   * (src/core/drain/replaced.ts, docs/controller.md).
   */
  | {
      kind: 'terminateReplacedInstance';
      asg: string;
      instanceId: string;
      /** For the re-check right before: still InService in `asg`, still DRAINING, no more than its daemons. */
      cluster: string;
      containerInstanceArn: string;
      daemonTasks: number;
      reason: string;
    }
  /**
   * A group failed to launch: the mark (`ecs-pilot:unavailable` tag value) on its ASG. Its own kind so
   * that its metric (`action.markGroupUnavailable`) can raise an alarm.
   */
  | { kind: 'markGroupUnavailable'; asg: string; mark: string; reason: string }
  /** Tags on a configured group's ASG (ecs-pilot's memory of launch failures); `null` deletes the tag. */
  | { kind: 'tagGroup'; asg: string; tags: Record<string, string | null>; reason: string }
  /**
   * The group's `InstancesDistribution.OnDemandBaseCapacity` (capacity units), set with
   * UpdateAutoScalingGroup on a fresh read: written only while the group's base is still `previous`.
   * `raisedFrom` is the base before ecs-pilot first raised it, kept with `at` (the decision's time) in
   * the `ecs-pilot:on-demand-base` tag until the base is back to it, with the desired capacity a raise
   * `covers` for the shortage mark made at `forMark`.
   */
  | { kind: 'setOnDemandBase'; asg: string; base: number; previous: number; raisedFrom: number; at: string; covers?: number; forMark?: string; reason: string }
  /**
   * An instance the ASG lists InService that never registered with ECS within the registration
   * timeout (issue 20): terminated without decrementing desired, so the group launches another
   * (src/core/reconcile/registration.ts). Re-checked right before: still InService in `asg` and still
   * not a container instance of `cluster`.
   */
  /**
   * A launch failure found (the event, the reconcile's backstop, a registration timeout): no AWS call,
   * recorded so the decision names the activity, its class and the group (src/core/capacity/shortage.ts).
   */
  | { kind: 'reportLaunchFailure'; failure: LaunchFailure; reason: string }
  | { kind: 'replaceUnregisteredInstance'; asg: string; group: string; instanceId: string; cluster: string; launchedAt: string; reason: string };

export type RunTransition = 'started' | 'skipped' | 'retried' | 'retry-scheduled' | 'succeeded' | 'failed' | 'timed-out' | 'replaced';

export type ActionKind = Action['kind'];

/** ECS container instance attributes ecs-pilot keeps its (little) state in: AWS is the store. */
export const ATTRIBUTES = {
  /** ISO time the instance was first seen empty; scale-in waits `scaleInDelaySeconds` from it. */
  idleSince: 'ecs-pilot.idle-since',
  /** ISO time ecs-pilot started draining it for a lifecycle hook; the drain timeout counts from it. */
  drainStarted: 'ecs-pilot.drain-started',
  /**
   * Why ecs-pilot drains (or will drain) the instance (DRAIN_REASONS): `prescale` / `replace` drain once
   * the new capacity is up; on a DRAINING instance any of them says the drain is ecs-pilot's to finish.
   */
  drainReason: 'ecs-pilot.drain-reason',
  /** ISO time ecs-pilot raised the group for this instance's replacement: a duplicate event asks no more. */
  replacementRequested: 'ecs-pilot.replacement-requested',
} as const;

/** One line per action, for logs and the CLI. */
export function describeAction(a: Action): string {
  switch (a.kind) {
    case 'drain':
      return `drain ${a.containerInstanceArns.length} instance(s) in ${a.cluster}${a.drainReason ? ` (${ATTRIBUTES.drainReason}=${a.drainReason} first)` : ''}: ${a.reason}`;
    case 'drainInstance':
      return `drain ${a.ec2InstanceId}'s container instance (${a.clusters.join(' or ')}): ${a.reason}`;
    case 'activate':
      return `set ${a.containerInstanceArns.length} instance(s) in ${a.cluster} ACTIVE again: ${a.reason}`;
    case 'setDesiredCapacity':
      return `set ${a.asg} desired ${a.previous} → ${a.desired}: ${a.reason}`;
    case 'protectInstances':
      return `${a.protect ? 'protect' : 'unprotect'} ${a.instanceIds.join(', ')} in ${a.asg}: ${a.reason}`;
    case 'completeLifecycleAction':
      return `complete ${a.hookName} for ${a.instanceId} with ${a.result}: ${a.reason}`;
    case 'heartbeatLifecycleAction':
      return `heartbeat ${a.hookName} for ${a.instanceId}: ${a.reason}`;
    case 'terminateInstance':
      return `terminate ${a.instanceId} in ${a.asg} (desired −1): ${a.reason}`;
    case 'markInstance':
      return `${a.value === null ? 'clear' : 'set'} ${a.attribute}${a.value === null ? '' : `=${a.value}`} on ${a.containerInstanceArn}: ${a.reason}`;
    case 'runTask':
      return `run ${a.job} attempt ${a.attempt} (${a.count} × ${a.taskDefinition} on ${a.capacityProviders.join(' → ')}): ${a.reason}`;
    case 'stopTask':
      return `stop ${a.taskArn}: ${a.reason}`;
    case 'setServiceDesiredCount':
      return `set service ${a.service} desired ${a.previous} → ${a.desiredCount}: ${a.reason}`;
    case 'setServiceBounds':
      return `set ${a.serviceArn.split('/').pop()} bounds to ${a.minTasks ?? '-'}..${a.maxTasks ?? '-'} tasks: ${a.reason}`;
    case 'recordRun':
      return `${a.job} run ${a.runId} attempt ${a.attempt}: ${a.transition}: ${a.reason}`;
    case 'terminateReplacedInstance':
      return `terminate replaced ${a.instanceId} in ${a.asg} (desired −1): ${a.reason}`;
    case 'markGroupUnavailable':
      return `mark ${a.asg} unavailable (${a.mark.split(';msg=')[0]}): ${a.reason}`;
    case 'tagGroup':
      return `tag ${a.asg}: ${Object.entries(a.tags).map(([k, v]) => (v === null ? `remove ${k}` : `${k}=${v}`)).join(', ')}: ${a.reason}`;
    case 'setOnDemandBase':
      return `set ${a.asg} on-demand base ${a.previous} → ${a.base}: ${a.reason}`;
    case 'reportLaunchFailure':
      return `${describeLaunchFailure(a.failure)}: ${a.reason}`;
    case 'replaceUnregisteredInstance':
      return `replace unregistered ${a.instanceId} in ${a.asg} (desired kept): ${a.reason}`;
  }
}
