/**
 * Back to spot once it launches again (docs/capacity-shortage.md, "Recover: back to spot"): the mark
 * has expired and a launch succeeded since (the mark is then kept as `recovered`,
 * src/core/capacity/unavailable.ts, and removed here once nothing is left to return), so spot is used again — launch first, within the disruption budget, one step at a time:
 *
 * - a group that launched on-demand instead (`onDemandFallback`): its on-demand base is lowered in
 *   steps back to where ecs-pilot found it. The ASG then "launches new instances before terminating
 *   the old ones" (UpdateAutoScalingGroup reference), and terminates the on-demand instances through
 *   the terminate hook ecs-pilot drains, where ECS replaces service tasks within each service's
 *   minimumHealthyPercent. If spot fails again the group is marked and nothing more is lowered; the
 *   on-demand instances stay, as the new spot ones never came.
 * - tasks that went to the spot group's `fallbackGroup`: for the least-used on-demand instance whose
 *   tasks may all run on spot, the spot group is raised for its tasks and the instance marked
 *   `return-to-spot`; it is drained only once the spot group holds those tasks on ACTIVE instances
 *   (nothing launching, nothing stalled). If the spot group is marked again, the mark is taken off
 *   and the instance left alone.
 *
 * Pure: the snapshot, the cluster config and the time in, actions out.
 */
import { ATTRIBUTES, type Action } from '../actions.js';
import type { ClusterConfig } from '../config-schema.js';
import { COUNTED_STATUSES, holdsInstance, type Group, type Instance, type Snapshot } from '../model.js';
import { DRAIN_REASONS } from '../names.js';
import { drainBudget } from '../rebalance/consolidate.js';
import { composeDemand } from './demand.js';
import { mayRunOnFallback } from './fallback-eligibility.js';
import { plan } from './planner.js';
import { scaleOutActions } from './scale-out.js';
import { RESET_AFTER_SECONDS, stalledUnits, UNAVAILABLE_TAG } from './unavailable.js';

/** After a change of the on-demand base, the ASG's instances take a while to be listed: no next step before. */
export const BASE_CHANGE_SETTLE_SECONDS = 120;

/** `ecs-pilot.drain-reason` of an on-demand instance whose tasks wait for spot capacity before it drains. */
export const RETURN_TO_SPOT = 'return-to-spot';

/** Marked and not recovered: spot still fails (expired or not, no launch succeeded since). */
const failing = (group: Group): boolean => group.unavailable !== undefined && group.unavailable.recovered === undefined;

const members = (snapshot: Snapshot, group: Group): Instance[] => snapshot.instances.filter((i) => i.group === group.name);

/** Launches or terminations still under way: the previous step is not done. */
function settling(snapshot: Snapshot, group: Group): boolean {
  return group.launching.length > 0 || stalledUnits(snapshot, group) > 0 || members(snapshot, group).some((i) => i.status === 'DRAINING' || (i.lifecycleState ?? '').startsWith('Terminating'));
}

/** One step down of the on-demand base of a group that launched on-demand instead, if it is time. */
export function lowerOnDemandBase(snapshot: Snapshot, cluster: ClusterConfig, group: Group, now: Date): Action | undefined {
  const od = group.onDemandFallback;
  if (!od || od.raisedFrom === undefined || od.base <= od.raisedFrom || failing(group)) return undefined;
  if (od.raisedAt !== undefined && now.getTime() - Date.parse(od.raisedAt) < BASE_CHANGE_SETTLE_SECONDS * 1000) return undefined;
  if (settling(snapshot, group)) return undefined;
  const size = members(snapshot, group).filter((i) => COUNTED_STATUSES.has(i.status)).length;
  // The budget counts instances; the base counts units: a step of n × the smallest weight replaces at most n instances.
  const minWeight = Math.min(...group.instanceTypes.map((t) => t.weight));
  const step = drainBudget(size, cluster.consolidation) * minWeight;
  const base = Math.max(od.raisedFrom, od.base - step);
  return {
    kind: 'setOnDemandBase',
    asg: group.asg,
    base,
    previous: od.base,
    raisedFrom: od.raisedFrom,
    at: now.toISOString(),
    reason: `back to spot in ${group.name}: spot launches again; on-demand base ${od.base} → ${base} (of ${od.raisedFrom} before the shortage), within the disruption budget; the ASG launches spot before it terminates on-demand`,
  };
}

/** The non-daemon tasks an instance holds, to be planned elsewhere. */
const heldTasks = (i: Instance) => i.tasks.filter(holdsInstance);

/** A snapshot where the instances are DRAINING (they take nothing; their tasks are demand). */
function withDraining(snapshot: Snapshot, ids: ReadonlySet<string>): Snapshot {
  return { ...snapshot, instances: snapshot.instances.map((i) => (ids.has(i.id) ? { ...i, status: 'DRAINING' as const } : i)) };
}

function spotPlanFor(snapshot: Snapshot, instances: Instance[], spot: Group) {
  const tasks = instances.flatMap((i) => heldTasks(i).map((t) => ({ ...t, capacityProvider: spot.name })));
  return plan(composeDemand(withDraining(snapshot, new Set(instances.map((i) => i.id))), { waiting: false, draining: false, announced: tasks }).snapshot);
}

/** On-demand instances whose tasks may all run on spot (launch type EC2, ecs-pilot's jobs), least used first. */
function returnable(snapshot: Snapshot, fallback: Group): Instance[] {
  return members(snapshot, fallback)
    .filter((i) => i.status === 'ACTIVE' && !i.attributes[ATTRIBUTES.drainReason] && heldTasks(i).length > 0 && heldTasks(i).every(mayRunOnFallback))
    .sort((a, b) => heldTasks(a).length - heldTasks(b).length || a.id.localeCompare(b.id));
}

/** The return of fallback-group capacity to the spot group it stood in for. */
export function returnFromFallback(snapshot: Snapshot, spot: Group, fallback: Group): Action[] {
  const mark = (i: Instance, value: string | null, reason: string): Action => ({ kind: 'markInstance', cluster: snapshot.cluster, containerInstanceArn: i.id, attribute: ATTRIBUTES.drainReason, value, reason });
  const waiting = members(snapshot, fallback).filter((i) => i.status === 'ACTIVE' && i.attributes[ATTRIBUTES.drainReason] === RETURN_TO_SPOT);
  if (failing(spot)) {
    return waiting.map((i) => mark(i, null, `${spot.name} failed to launch again: ${i.ec2InstanceId} stays on-demand`));
  }
  if (waiting.length > 0) {
    // Drain only once spot holds the tasks on ACTIVE instances: nothing launching, nothing new, all placed.
    if (settling(snapshot, spot)) return [];
    const check = spotPlanFor(snapshot, waiting, spot);
    const onActive = check.unplaceable.length === 0 && check.placements.every((p) => !p.instance.startsWith('launching:') && !p.instance.startsWith('new:'));
    if (!onActive) return [];
    return [
      { kind: 'drain', cluster: snapshot.cluster, containerInstanceArns: waiting.map((i) => i.id), reason: `back to spot: ${spot.name}'s ACTIVE instances hold the tasks of ${waiting.map((i) => i.ec2InstanceId).join(', ')}` },
      ...waiting.map((i) => mark(i, DRAIN_REASONS.replace, 'drained for the return to spot: removed once empty')),
    ];
  }
  // New moves only after a shortage, while the spot group is `recovered`: not a cost policy for every fallback group.
  if (spot.unavailable?.recovered === undefined || settling(snapshot, fallback) || settling(snapshot, spot)) return [];
  // The least-used on-demand instance whose tasks may all run on spot (launch type EC2, ecs-pilot's jobs).
  const candidate = returnable(snapshot, fallback)[0];
  if (!candidate) return [];
  const raise = spotPlanFor(snapshot, [candidate], spot);
  if (raise.unplaceable.length > 0) return [];
  return [
    ...scaleOutActions(raise, `back to spot: ${heldTasks(candidate).length} task(s) of on-demand ${candidate.ec2InstanceId} (${fallback.name}) move to ${spot.name}`),
    mark(candidate, RETURN_TO_SPOT, `drained once ${spot.name} holds its tasks on ACTIVE spot instances`),
  ];
}

/**
 * Every step back to spot the cluster may take now; a `recovered` mark is removed once nothing is
 * left to return (the base back where it was, no instance of the fallback group to move), or 3 hours
 * after the recovery.
 */
export function returnToSpot(snapshot: Snapshot, cluster: ClusterConfig, now: Date): Action[] {
  const actions: Action[] = [];
  for (const group of snapshot.groups) {
    const steps: Action[] = [];
    const lowered = lowerOnDemandBase(snapshot, cluster, group, now);
    if (lowered) steps.push(lowered);
    const gc = cluster.groups.find((g) => g.name === group.name);
    const fallback = gc?.fallbackGroup ? snapshot.groups.find((g) => g.name === gc.fallbackGroup) : undefined;
    if (group.lifecycle === 'spot' && fallback && fallback.lifecycle === 'on-demand') steps.push(...returnFromFallback(snapshot, group, fallback));
    actions.push(...steps);
    const recovered = group.unavailable?.recovered;
    if (recovered === undefined) continue;
    const od = group.onDemandFallback;
    const baseBack = !od || od.raisedFrom === undefined || od.base <= od.raisedFrom;
    const returning = fallback !== undefined && members(snapshot, fallback).some((i) => i.attributes[ATTRIBUTES.drainReason] === RETURN_TO_SPOT);
    const left = fallback !== undefined && group.lifecycle === 'spot' && fallback.lifecycle === 'on-demand' && returnable(snapshot, fallback).length > 0;
    const done = steps.length === 0 && baseBack && !returning && !left && !settling(snapshot, group);
    if (done || now.getTime() - Date.parse(recovered) >= RESET_AFTER_SECONDS * 1000) {
      actions.push({ kind: 'tagGroup', asg: group.asg, tags: { [UNAVAILABLE_TAG]: null }, reason: `${group.name} is back on spot since ${recovered}: its shortage mark is removed` });
    }
  }
  return actions;
}
