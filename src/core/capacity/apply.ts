/**
 * The snapshot as it will look once the Auto Scaling groups have launched what a plan asked for:
 * each group's desired capacity set, and the instances it opened listed as launching, by type, in the
 * order the plan opened them. Planning this snapshot again opens nothing (the planner's fixed point);
 * so does planning the snapshot with only `desired` changed (the pool).
 */
import type { Snapshot } from '../model.js';
import type { CapacityPlan } from './types.js';

export function applyPlan(snapshot: Snapshot, result: CapacityPlan): Snapshot {
  return {
    ...snapshot,
    groups: snapshot.groups.map((group) => {
      const gp = result.groups.find((g) => g.name === group.name);
      if (!gp) return group;
      // The instances the plan opened (from the pool or new) are now listed by the ASG, in that order.
      const launching = [...group.launching, ...gp.launchOrder.filter((l) => l.count > 0)];
      return { ...group, desired: gp.desired, launching };
    }),
  };
}
