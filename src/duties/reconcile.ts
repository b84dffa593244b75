/**
 * The reconcile tick: instances, capacity and consolidation, each job's timeouts and retries, and the
 * next alarm step of services whose alarm stays in ALARM (docs/controller.md, docs/service-scaling.md).
 */
import type { ServiceScalingRule } from '../config/schema.js';
import type { ClusterObservation, Duty, DutyContext } from '../controller.js';
import type { Action } from '../core/actions.js';
import { actionableAlarms, decideAlarmStep, type AlarmReading } from '../core/scaling/alarm-steps.js';
import { capacityForServiceChange } from '../core/scaling/capacity.js';
import { readAlarms } from '../aws/alarm-reader.js';
import { readService, type ServiceView } from '../aws/service-reader.js';
import { decideJobReconcile } from '../core/batch/jobs.js';
import { composeDemand } from '../core/capacity/demand.js';
import { decideHooks, reconcilePlan, type ConsolidationProgress } from '../core/reconcile/reconcile.js';
import type { ClusterConfig } from '../config/schema.js';
import { parseSnapshot, type Snapshot } from '../core/model.js';
import { LIFECYCLE_STATES } from '../core/names.js';
import { describeConfiguredGroups } from '../aws/api-reads.js';
import { readHookInstance } from './observe-instance.js';
import { consolidationBlocked } from '../core/rebalance/consolidate.js';
import { leaveToEcs, modesOf } from '../core/capacity/modes.js';
import { decideRetireReplaced } from '../core/drain/replaced.js';
import { returnToSpot } from '../core/capacity/recover.js';
import { rememberLaunches } from '../core/capacity/unavailable.js';
import { listJobTasks } from '../aws/job-reader.js';
import { readClusterSnapshot } from '../aws/snapshot-reader.js';
import type { JobTasks } from './batch.js';
import type { LaunchFailure } from '../core/capacity/shortage.js';
import { observeLaunchFailures, observeRegistrations, rememberReplacements, reportedLaunchFailures } from './launch-backstop.js';
import { decideRegistrationTimeouts } from '../core/reconcile/registration.js';

export interface ReconcileObservation extends ClusterObservation {
  /** Every configured job of the cluster, with its running and recently stopped tasks. */
  jobs: JobTasks[];
  /** Services whose configured alarm is still in ALARM (or OK, with okSteps), with the alarms' state. */
  scaling?: Array<{ rule: ServiceScalingRule; service: ServiceView; alarms: AlarmReading[] }>;
  /** How far the last consolidation pass of this warm container got on the state it found nothing in. */
  consolidation?: ConsolidationProgress;
  /** Failed launches the backstop found in stalled groups (src/duties/launch-backstop.ts): remembered on them before planning. */
  launchFailures?: LaunchFailure[];
  /** Replacements of never-registering instances this warm container made, per ASG (their times). */
  recentReplacements?: ReadonlyMap<string, readonly number[]>;
  /** What could not be read, and what the tick decided without it (a partial observation, a partial decision). */
  partial?: string[];
  /** The cluster could not be read whole: only the instances waiting on a terminate hook were (their hooks are decided). */
  hooksOnly?: boolean;
}

const errorText = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/**
 * When the whole cluster cannot be read, the hooks still can: the groups (one DescribeAutoScalingGroups)
 * name the instances waiting on a terminate hook, each read alone. A hook left undecided times out with
 * its default result whatever still runs there.
 */
async function observeHooksOnly(cluster: ClusterConfig, ctx: DutyContext, why: string): Promise<ReconcileObservation> {
  const asgs = await describeConfiguredGroups(ctx.clients, cluster.groups.map((g) => g.asg));
  const snapshots = [];
  for (const group of cluster.groups) {
    for (const i of asgs.get(group.asg)?.Instances ?? []) {
      if (i.LifecycleState === LIFECYCLE_STATES.terminatingWait && i.InstanceId) snapshots.push(await readHookInstance(ctx, cluster, group, i.InstanceId));
    }
  }
  // One snapshot of those instances (each read alone), their groups once each; no waiting tasks: only
  // the hooks are decided from it.
  const snapshot = parseSnapshot({
    version: 1,
    cluster: cluster.name,
    takenAt: ctx.now.toISOString(),
    instanceTypes: Object.assign({}, ...snapshots.map((x) => x.instanceTypes)),
    groups: snapshots.flatMap((x) => x.groups).filter((g, k, all) => all.findIndex((h) => h.name === g.name) === k),
    instances: snapshots.flatMap((x) => x.instances),
  });
  return { cluster, snapshot, jobs: [], hooksOnly: true, partial: [`cluster ${cluster.name} could not be read whole (${why}): only its ${snapshots.length} instance(s) waiting on a terminate hook were decided`] };
}

/** The cluster's scaling rules with an alarm that would act now, read with their services. */
async function observeAlarms(cluster: string, ctx: DutyContext): Promise<NonNullable<ReconcileObservation['scaling']>> {
  const rules = ctx.config.serviceScaling.filter((r) => r.cluster === cluster && r.alarms.length > 0);
  if (rules.length === 0) return [];
  const alarms = await readAlarms(ctx.clients, rules.flatMap((r) => r.alarms.map((a) => a.alarm)));
  const out: NonNullable<ReconcileObservation['scaling']> = [];
  for (const rule of rules) {
    if (actionableAlarms(rule, alarms).length === 0) continue;
    const service = await readService(ctx.clients, rule);
    if (service) out.push({ rule, service, alarms });
  }
  return out;
}

/** Service steps and their capacity; a group raised twice keeps the larger desired capacity. */
function alarmSteps(observation: ReconcileObservation, base: Action[], now: Date): Action[] {
  const changes = (observation.scaling ?? []).flatMap(({ rule, service, alarms }) => {
    const d = decideAlarmStep(rule, alarms, service.state, now);
    return 'change' in d ? [{ change: d.change, service }] : [];
  });
  const capacity = changes.flatMap(({ change, service }) => capacityForServiceChange(change, observation.snapshot, service));
  const merged: Action[] = [];
  for (const a of [...base, ...capacity]) {
    const same = a.kind === 'setDesiredCapacity' ? merged.findIndex((m) => m.kind === 'setDesiredCapacity' && m.asg === a.asg) : -1;
    const prior = same >= 0 ? merged[same] : undefined;
    if (prior?.kind === 'setDesiredCapacity' && a.kind === 'setDesiredCapacity') {
      if (a.desired > prior.desired) merged[same] = a;
    } else merged.push(a);
  }
  return [...merged, ...changes.map((c) => c.change)];
}

export const reconcileDuty: Duty<'scheduled', ReconcileObservation> = {
  name: 'reconcile',
  dependsOn: ['managedDraining', 'scalingPolicies'],
  kinds: ['scheduled'],
  async observe(event, ctx) {
    // One tick per cluster (fan-out): memory and time bounded by that cluster, not by the account.
    const clusters = event.cluster === undefined ? ctx.config.clusters : ctx.config.clusters.filter((c) => c.name === event.cluster);
    if (clusters.length === 0) return `cluster ${event.cluster} is not configured`;
    const out: ReconcileObservation[] = [];
    for (const cluster of clusters) {
      let read: Snapshot;
      try {
        read = await readClusterSnapshot({ clients: ctx.clients, cluster, now: ctx.now, state: ctx.state && { ...ctx.state, fullReads: true } });
      } catch (e) {
        // The hooks first: their fallback read fails too → the tick fails (redelivered, the next tick retries).
        out.push(await observeHooksOnly(cluster, ctx, errorText(e)));
        continue;
      }
      const snapshot = await observeRegistrations(ctx, cluster, read);
      const unregisteredReplacements = ctx.clients.caches.unregisteredReplacements;
      // Jobs and alarms are read apart: one that cannot be read is left for the next tick, the rest decided.
      const partial: string[] = [];
      const jobs: JobTasks[] = [];
      for (const job of ctx.config.jobs.filter((j) => j.cluster === cluster.name)) {
        try {
          jobs.push({ job, tasks: await listJobTasks(ctx.clients, job) });
        } catch (e) {
          partial.push(`job ${job.name}'s tasks could not be read (${errorText(e)}): its timeouts and retries wait for the next tick`);
        }
      }
      let scaling: NonNullable<ReconcileObservation['scaling']> = [];
      try {
        scaling = await observeAlarms(cluster.name, ctx);
      } catch (e) {
        partial.push(`the scaling alarms could not be read (${errorText(e)}): no alarm step this tick`);
      }
      const consolidation = ctx.clients.caches.consolidationProgress.get(cluster.name);
      const launchFailures = await observeLaunchFailures(ctx, cluster, snapshot);
      out.push({ cluster, snapshot, jobs, scaling, ...(consolidation ? { consolidation } : {}), ...(launchFailures.length > 0 ? { launchFailures } : {}), recentReplacements: unregisteredReplacements, ...(partial.length > 0 ? { partial } : {}) });
    }
    return out;
  },
  decide: (_event, observation, now) => {
    const { cluster, jobs } = observation;
    if (observation.hooksOnly) {
      const hooks = decideHooks(observation.snapshot, cluster, now);
      return { actions: hooks, notes: observation.partial ?? [], ...(hooks.length === 0 ? { reason: (observation.partial ?? []).join('; ') } : {}) };
    }
    // Launch failures and successes first: the plans see the groups' marks as they now are.
    const memory = rememberLaunches(observation.snapshot, observation.launchFailures ?? [], now);
    // What waits (ECS's waiting tasks and the services' missing ones); the plans add the displaced tasks.
    const snapshot = composeDemand(memory.snapshot, { draining: false }).snapshot;
    // In an accelerate group ECS scales in and may own protection: those actions are left to it.
    const planned = reconcilePlan(snapshot, cluster, now, observation.consolidation);
    const progress = planned.progress ? { consolidationProgress: planned.progress } : {};
    const { kept, left } = leaveToEcs(planned.actions, snapshot.groups);
    // Backstop of the lifecycle duty: replaced spot instances drained empty leave now (in accelerate above ECS target).
    const retired = decideRetireReplaced(snapshot, cluster, { planned: kept });
    const registration = decideRegistrationTimeouts(observation.snapshot, cluster, now, observation.recentReplacements ?? new Map());
    const actions = [
      ...reportedLaunchFailures(observation.launchFailures),
      ...memory.actions,
      ...registration,
      ...alarmSteps(observation, [...kept, ...retired, ...returnToSpot(memory.snapshot, cluster, now), ...jobs.flatMap((j) => decideJobReconcile(j.job, j.tasks, now))], now),
    ];
    // Said in the record (e.g. drains that are someone else's, deliberately left; what could not be read).
    const said = [...planned.notes, ...(observation.partial ?? [])];
    const notes = said.length > 0 ? { notes: said } : {};
    if (actions.length > 0) return { actions, ...notes, ...progress };
    if (left.length > 0) return { actions, reason: [`left to ECS managed scaling: ${left.join('; ')}`, ...planned.notes].join('; '), ...notes, ...progress };
    // Cheap pre-checks only: decideReconcile already ran the consolidation plans.
    const demand = composeDemand(snapshot).snapshot;
    const skipped = [consolidationBlocked(demand, cluster, now), planned.consolidationUnchanged ? 'nothing changed since a pass found nothing to move' : undefined].filter((x) => x !== undefined).join('; ');
    const mode = modesOf(snapshot.groups);
    const state = demand.pending.length > 0 ? `${demand.pending.length} task(s) waiting, all covered by registered and launching capacity` : 'converged';
    return { actions, reason: [`cluster ${cluster.name} ${state}${skipped ? `; consolidation: ${skipped}` : ''}${mode ? `; ${mode}` : ''}`, ...planned.notes].join('; '), ...notes, ...progress };
  },
  after(observation, decision, ctx) {
    rememberReplacements(decision.actions, ctx.clients.caches.unregisteredReplacements, ctx.now);
    // Per cluster, in the warm container's caches: consolidation's progress on an unchanged state.
    const lastPasses = ctx.clients.caches.consolidationProgress;
    if (decision.consolidationProgress) lastPasses.set(observation.cluster.name, decision.consolidationProgress);
    else lastPasses.delete(observation.cluster.name);
  },
};
