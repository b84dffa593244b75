/**
 * The snapshot as it will look once the Auto Scaling groups have launched what a plan asked for:
 * each group's desired capacity set, the instances it is launching listed by type in the order the
 * plan opened them. Planning this snapshot again opens nothing (the planner's fixed point).
 */
import type { Snapshot } from '../model.js';
import { COUNTED_STATUSES, weightOf } from '../model.js';
import type { CapacityPlan } from './types.js';

export function applyPlan(snapshot: Snapshot, result: CapacityPlan): Snapshot {
  return {
    ...snapshot,
    groups: snapshot.groups.map((group) => {
      const gp = result.groups.find((g) => g.name === group.name);
      if (!gp) return group;
      // Make the implicit launching instances (desired above what is known) explicit, first type.
      let known = group.inServiceUnits ?? 0;
      if (group.inServiceUnits === undefined) {
        for (const i of snapshot.instances) if (i.group === group.name && COUNTED_STATUSES.has(i.status)) known += weightOf(group, i.type);
      }
      for (const l of group.launching) known += weightOf(group, l.type) * l.count;
      const first = group.instanceTypes[0];
      const launching = [...group.launching];
      if (first && group.desired > known) launching.push({ type: first.type, count: Math.ceil((group.desired - known) / first.weight) });
      launching.push(...gp.launchOrder.filter((l) => l.count > 0));
      return { ...group, desired: gp.desired, launching };
    }),
  };
}
