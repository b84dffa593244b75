/**
 * Replacement capacity for instances about to go away: their non-daemon tasks become demand in their
 * own group (or the configured fallback group for what it cannot take), planned in the same step.
 */
import type { ClusterConfig } from '../../config/schema.js';
import type { Action } from '../actions.js';
import { plan } from '../capacity/index.js';
import { needsNewHome, type Instance, type Snapshot, type Task } from '../model.js';
import { scaleOutActions } from '../capacity/scale-out.js';

/** Tasks that need a new home when the instance goes: everything but daemons and what is stopping. */
export function displacedTasks(instance: Instance): Task[] {
  return instance.tasks.filter(needsNewHome);
}

/**
 * Plans replacements for `doomed` (treated as DRAINING: it takes nothing) and returns the upward
 * desired-capacity changes. Idempotent: capacity already launching for an earlier delivery counts.
 */
export function replacementActions(snapshot: Snapshot, cluster: ClusterConfig, doomed: Instance[], why: string): Action[] {
  const ids = new Set(doomed.map((i) => i.id));
  const instances = snapshot.instances.map((i) => (ids.has(i.id) ? { ...i, status: 'DRAINING' as const } : i));
  const demand = doomed.flatMap((i) => displacedTasks(i).map((t) => ({ ...t, capacityProvider: i.group, constraints: t.constraints })));
  if (demand.length === 0) return [];

  const first = plan({ ...snapshot, instances, pending: demand });
  const byGroup = new Map(cluster.groups.map((g) => [g.name, g]));
  // What the group cannot take goes to its fallback group, when one is configured.
  const fallbackDemand = first.unplaceable.flatMap((u) => {
    const task = demand.find((t) => t.id === u.task);
    const fallback = task?.capacityProvider ? byGroup.get(task.capacityProvider)?.fallbackGroup : undefined;
    return task && fallback ? [{ ...task, capacityProvider: fallback }] : [];
  });
  const actions = scaleOutActions(first, `replace ${demand.length} task(s) of ${why}`);
  if (fallbackDemand.length > 0) {
    const second = plan({ ...snapshot, instances, pending: fallbackDemand });
    actions.push(...scaleOutActions(second, `fallback for ${fallbackDemand.length} task(s) of ${why} the group could not take`));
  }
  return actions;
}
