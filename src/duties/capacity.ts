/** Capacity: all waiting demand planned at once, the groups raised in one step (docs/capacity.md). */
import { findCluster } from '../config/load.js';
import type { ClusterConfig } from '../config/schema.js';
import type { ClusterObservation, Duty, DutyContext } from '../controller.js';
import { isJobAttempt } from '../core/batch/jobs.js';
import { composeDemand } from '../core/capacity/demand.js';
import { plan } from '../core/capacity/index.js';
import { isFargate } from '../core/capacity/providers.js';
import { BURST_HOLD_SECONDS, heldUntil, isFresh, remember, RUN_TASK_FAILURE_MAX_AGE_SECONDS, seen, sized, standingFailures, type RunTaskFailureDemand } from '../core/capacity/run-task-failures.js';
import { scaleOutActions } from '../core/capacity/scale-out.js';
import { rememberLaunches } from '../core/capacity/unavailable.js';
import { modesOf } from '../core/capacity/modes.js';
import { classifyLaunchFailureIn, type LaunchFailure } from '../core/capacity/shortage.js';
import type { Action } from '../core/actions.js';
import { describeTasks } from '../aws/api-reads.js';
import { readClusterSnapshot } from '../aws/snapshot-reader.js';
import { runTaskDemand } from '../aws/service-deficits.js';
import { because } from './decision.js';
import type { DomainEvent } from '../events/index.js';

type CapacityEvent = Extract<DomainEvent, { kind: 'task-state-change' | 'service-action' | 'run-task-failure' | 'launch-unsuccessful' }>;

export interface CapacityObservation extends ClusterObservation {
  /** Failed RunTask calls of this SQS batch: demand no read of the cluster shows. */
  runTaskFailures?: RunTaskFailureDemand[];
  /** Failed RunTask calls earlier SQS batches planned (this container's memory): counted while they stand. */
  earlierRunTaskFailures?: RunTaskFailureDemand[];
  /** Failed launches of this batch's `EC2 Instance Launch Unsuccessful` events (issue 20): remembered on their groups before planning, and recorded. */
  launchFailures?: LaunchFailure[];
}

const KINDS = ['task-state-change', 'service-action', 'run-task-failure', 'launch-unsuccessful'] as const;
const isCapacityEvent = (e: DomainEvent): e is CapacityEvent => (KINDS as readonly string[]).includes(e.kind);

export const capacityDuty: Duty<(typeof KINDS)[number], CapacityObservation> = {
  name: 'capacity',
  dependsOn: ['scalingPolicies'],
  kinds: KINDS,
  /**
   * The event and the other events of its cluster in the same SQS batch are one decision: the whole
   * cluster is read and planned once if any of them still shows demand (an absolute plan, so a
   * duplicate delivery raises nothing more).
   */
  async observe(event, ctx) {
    const cluster = event.kind === 'launch-unsuccessful' ? clusterOfGroup(ctx.config, event.asg) : findCluster(ctx.config, event.cluster);
    if (!cluster) return event.kind === 'launch-unsuccessful' ? `group ${event.asg} is not configured` : `cluster ${event.cluster} is not configured`;
    const events = [event, ...(ctx.batch ?? []).filter(isCapacityEvent)];
    // Failed launches: each a LaunchFailure, and a reason to read and plan the cluster.
    const launchFailures = events.flatMap((e) => (e.kind === 'launch-unsuccessful' ? launchFailureOf(e, cluster) : []));
    // Failed RunTask calls first: each carries its own demand, so all are read.
    const failures: RunTaskFailureDemand[] = [];
    const reasons: string[] = [];
    for (const e of events.filter((x) => x.kind === 'run-task-failure')) {
      const why = runTaskSkip(e, ctx.now);
      const tasks = why ? [] : await runTaskDemand(ctx.clients, e);
      if (!why && tasks.length === 0) reasons.push(`task definition ${e.taskDefinition} not found`);
      else if (why) reasons.push(why);
      if (tasks.length > 0) failures.push({ eventId: e.id, at: new Date(e.time), request: [e.taskDefinition, e.capacityProvider, e.startedBy].join('|'), tasks });
    }
    // This container's memory of earlier batches' failures (one burst, several batches). A request
    // sized less than BURST_HOLD_SECONDS ago is held: its later failures are remembered, sized once after.
    const memory = ctx.clients.caches.runTaskFailures;
    const ids = new Set(failures.map((f) => f.eventId));
    const remembered = remember([], memory.get(cluster.name) ?? [], ctx.now);
    const held = heldUntil(failures, remembered, ctx.now);
    let live = (failures.length > 0 && !held) || launchFailures.length > 0;
    for (const e of events) {
      if (e.kind === 'run-task-failure' || e.kind === 'launch-unsuccessful') continue;
      const why = e.kind === 'service-action' ? placementFailureSkip(e) : await taskEventSkip(e, cluster, ctx, live);
      if (why) reasons.push(why);
      else live = true;
    }
    if (!live && held) {
      memory.set(cluster.name, remember(remembered, failures, ctx.now));
      return heldReason(failures, held);
    }
    if (!live) {
      memory.set(cluster.name, remembered);
      return events.length === 1 ? (reasons[0] ?? 'no demand') : `${reasons[0]} (and ${events.length - 1} other event(s) of the batch: none shows demand)`;
    }
    const snapshot = await readClusterSnapshot({ clients: ctx.clients, cluster, now: ctx.now, state: ctx.state });
    const earlierRunTaskFailures = seen(remembered.filter((f) => !ids.has(f.eventId)), snapshot);
    const runTaskFailures = sized(failures, remembered, snapshot, ctx.now);
    memory.set(cluster.name, remember(earlierRunTaskFailures, runTaskFailures, ctx.now));
    return [{ cluster, snapshot, runTaskFailures, earlierRunTaskFailures, launchFailures }];
  },
  decide: (_event, { snapshot: read, runTaskFailures = [], earlierRunTaskFailures = [], launchFailures = [] }, now) => {
    const memory = rememberLaunches(read, launchFailures, now);
    const snapshot = memory.snapshot;
    const failedRunTasks = standingFailures(runTaskFailures, earlierRunTaskFailures, snapshot, now);
    const { snapshot: demand, counts } = composeDemand(snapshot, { failedRunTasks });
    const result = plan(demand);
    const mode = modesOf(snapshot.groups);
    const actions = scaleOutActions(result, `${demand.pending.length} task(s) waiting for capacity (${counts.displaced} on draining instances)${mode ? `; ${mode}` : ''}`);
    const reported = launchFailures.map((failure): Action => ({ kind: 'reportLaunchFailure', failure, reason: 'EC2 Instance Launch Unsuccessful' }));
    return because([...reported, ...memory.actions, ...actions], waitingReason(demand.pending.length, result.unplaceable));
  },
};

/** The configured cluster whose groups include the ASG. */
function clusterOfGroup(config: DutyContext['config'], asg: string): ClusterConfig | undefined {
  return config.clusters.find((c) => c.groups.some((g) => g.asg === asg));
}

/** The event as a LaunchFailure of its configured group (none: the group is not in this cluster). */
function launchFailureOf(e: Extract<CapacityEvent, { kind: 'launch-unsuccessful' }>, cluster: ClusterConfig): LaunchFailure[] {
  const group = cluster.groups.find((g) => g.asg === e.asg);
  if (!group || e.statusCode !== 'Failed') return [];
  return [{ group: group.name, asg: e.asg, at: e.startTime, activityId: e.activityId, statusMessage: e.statusMessage, class: classifyLaunchFailureIn(e.statusMessage, group.lifecycle), source: 'event' }];
}

/** Why a RunTask failure (a third party's, through CloudTrail) needs no capacity from this duty, if so. */
function runTaskSkip(e: Extract<CapacityEvent, { kind: 'run-task-failure' }>, now: Date): string | undefined {
  if (e.eventName !== 'RunTask') return `CloudTrail ${e.eventName} needs no capacity`;
  if (e.failedTasks === 0) return 'RunTask listed no RESOURCE:* failure';
  if (isFargate({ launchType: e.launchType, capacityProviders: [e.capacityProvider] })) return 'RunTask on Fargate';
  if (isJobAttempt(e.startedBy)) return 'a job attempt of ecs-pilot: the batch duty sizes its own';
  if (!isFresh({ at: new Date(e.time) }, now)) {
    const age = Math.round((now.getTime() - Date.parse(e.time)) / 1000);
    return `stale RunTask failure: the call failed ${age} s ago (more than ${RUN_TASK_FAILURE_MAX_AGE_SECONDS} s); a caller that still wants its tasks fails again, as a new event`;
  }
  return undefined;
}

/** A held batch's record: what it remembered, and when the hold ends. */
function heldReason(failures: readonly RunTaskFailureDemand[], until: Date): string {
  const tasks = failures.reduce((n, f) => n + f.tasks.length, 0);
  return `held: ${tasks} task(s) of failed RunTask call(s) whose request was sized less than ${BURST_HOLD_SECONDS} s ago; remembered, and sized with the rest of the burst by the first SQS batch after ${until.toISOString()}`;
}

function placementFailureSkip(e: Extract<CapacityEvent, { kind: 'service-action' }>): string | undefined {
  if (e.eventName !== 'SERVICE_TASK_PLACEMENT_FAILURE') return `service action ${e.eventName} needs no capacity`;
  if (isFargate({ capacityProviders: e.capacityProviderArns })) return 'placement failure on Fargate';
  return undefined;
}

/**
 * Why a task event shows no demand, if so. Events come out of order: a PROVISIONING task counts only
 * if it is still where the event says — as the store has it (every task event of the batch is written
 * once, so the read that follows sees them all; versioned writes make the order harmless), or ECS
 * (asked only while no other event of the batch has shown demand).
 */
async function taskEventSkip(e: Extract<CapacityEvent, { kind: 'task-state-change' }>, cluster: ClusterConfig, ctx: DutyContext, covered: boolean): Promise<string | undefined> {
  const store = ctx.state?.store;
  const written = store ? await store.applyTask(cluster.name, e.record, ctx.now) : undefined;
  if (e.lastStatus !== 'PROVISIONING' || e.desiredStatus !== 'RUNNING') return `task is ${e.lastStatus} (desired ${e.desiredStatus}): nothing for capacity`;
  if (covered) return 'covered by demand already seen in the batch';
  // Applied or a duplicate, the store holds this very version; stale: a newer one is stored.
  const task = store ? (written?.verdict === 'stale' ? await store.task(cluster.name, e.taskArn) : e.record) : (await describeTasks({ clients: ctx.clients, cluster }, [e.taskArn]))[0];
  if (!task) return `task ${e.taskArn} no longer exists`;
  if ((task.version ?? 0) > e.version || task.lastStatus !== 'PROVISIONING') return `stale event: the task is at version ${task.version} (${task.lastStatus}), this event is version ${e.version}`;
  return undefined;
}

/** Why a plan raised nothing: no demand, demand that cannot be placed, or demand the capacity already holds. */
export function waitingReason(waiting: number, unplaceable: ReadonlyArray<{ reason: string }>): string {
  if (waiting === 0) return 'no task is waiting for capacity';
  const first = unplaceable[0];
  if (first) return `${unplaceable.length} of ${waiting} waiting task(s) cannot be placed: ${first.reason}`;
  return `${waiting} waiting task(s) fit the registered and launching capacity`;
}
