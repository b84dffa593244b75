/**
 * The "replace" move (docs/consolidation.md): in a group with several priced instance types, the least
 * utilised instances (within the disruption budget) are replaced by the new instances the planner
 * would put their tasks on, when those cost at least `minSavingPercent` less per hour. The group is
 * raised for the new instances now; the old ones are marked and drained by the reconcile loop once
 * nothing is launching any more, then removed when empty.
 */
import type { ClusterConfig } from '../config-schema.js';
import { ATTRIBUTES, type Action } from '../actions.js';
import { plan } from '../capacity/index.js';
import { DRAIN_AFTER_NEW_CAPACITY, DRAIN_REASONS } from '../names.js';
import { COUNTED_STATUSES, needsNewHome, weightOf, type Group, type Instance, type Snapshot } from '../model.js';
import { asIfGone, drainBudget, exclusion, inWindow, utilisation, waitingFor } from './consolidate.js';

const moving = (i: Instance) => i.tasks.filter(needsNewHome);

function price(snapshot: Snapshot, group: Group, type: string): number | undefined {
  return group.instanceTypes.find((t) => t.type === type)?.pricePerHour ?? snapshot.instanceTypes[type]?.pricePerHour;
}

export interface ReplaceMove {
  group: string;
  asg: string;
  replaced: Instance[];
  newInstances: Array<{ type: string; count: number }>;
  desired: number;
  previous: number;
  oldPerHour: number;
  newPerHour: number;
}

export function replaceMoves(snapshot: Snapshot, cluster: ClusterConfig, now: Date): ReplaceMove[] {
  const c = cluster.consolidation;
  if (!c.enabled || !c.replace.enabled || !inWindow(c, now)) return [];
  const moves: ReplaceMove[] = [];
  for (const group of snapshot.groups) {
    if (group.instanceTypes.length < 2 || group.instanceTypes.some((t) => price(snapshot, group, t.type) === undefined)) continue;
    if (waitingFor(snapshot, group.name) > 0) continue;
    const members = snapshot.instances.filter((i) => i.group === group.name);
    const inService = members.filter((i) => COUNTED_STATUSES.has(i.status)).reduce((a, i) => a + weightOf(group, i.type), 0);
    if (group.desired > inService) continue; // launching
    if (members.some((i) => i.status === 'DRAINING' || DRAIN_AFTER_NEW_CAPACITY.includes(i.attributes[ATTRIBUTES.drainReason] ?? ''))) continue; // one move at a time
    const candidates = members
      .filter((i) => i.status === 'ACTIVE' && moving(i).length > 0 && exclusion(i, cluster) === undefined)
      .map((i) => ({ i, u: utilisation(snapshot, i) }))
      .sort((a, b) => a.u - b.u || a.i.id.localeCompare(b.i.id))
      .slice(0, drainBudget(members.length, c))
      .map((x) => x.i);
    if (candidates.length === 0) continue;
    // Their tasks on new capacity (or room elsewhere), as if they were gone.
    const trial = asIfGone({ ...snapshot, groups: snapshot.groups.map((g) => ({ ...g, launching: [], inServiceUnits: undefined })) }, candidates);
    const result = plan(trial);
    const gp = result.groups.find((g) => g.name === group.name);
    if (!gp || result.unplaceable.length > 0) continue;
    const oldPerHour = candidates.reduce((a, i) => a + (price(snapshot, group, i.type) ?? 0), 0);
    const newPerHour = gp.newInstances.reduce((a, n) => a + n.count * (price(snapshot, group, n.type) ?? 0), 0);
    if (oldPerHour <= 0 || ((oldPerHour - newPerHour) / oldPerHour) * 100 < c.replace.minSavingPercent) continue;
    if (gp.newUnits > 0 && gp.desired <= group.desired) continue; // at max: no room to launch first
    moves.push({ group: group.name, asg: group.asg, replaced: candidates, newInstances: gp.newInstances, desired: gp.desired, previous: group.desired, oldPerHour, newPerHour });
  }
  return moves;
}

export function decideReplace(snapshot: Snapshot, cluster: ClusterConfig, now: Date): Action[] {
  return replaceMoves(snapshot, cluster, now).flatMap((m): Action[] => {
    const what = `replace ${m.replaced.length} instance(s) ($${m.oldPerHour.toFixed(3)}/h) by ${m.newInstances.map((n) => `${n.count} × ${n.type}`).join(', ') || 'room on the others'} ($${m.newPerHour.toFixed(3)}/h)`;
    return [
      ...(m.desired > m.previous ? [{ kind: 'setDesiredCapacity' as const, asg: m.asg, desired: m.desired, previous: m.previous, reason: what }] : []),
      ...m.replaced.map((i): Action => ({ kind: 'markInstance', cluster: snapshot.cluster, containerInstanceArn: i.id, attribute: ATTRIBUTES.drainReason, value: DRAIN_REASONS.replace, reason: `${what}: drain once the new capacity is up` })),
    ];
  });
}
