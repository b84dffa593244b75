/**
 * Replacement capacity for instances about to go away: their non-daemon tasks become demand in their
 * own group (or the configured fallback group for what it cannot take), planned in the same step.
 */
import type { ClusterConfig } from '../config-schema.js';
import { ATTRIBUTES, type Action } from '../actions.js';
import { composeDemand } from '../capacity/demand.js';
import { plan } from '../capacity/index.js';
import { COUNTED_STATUSES, needsNewHome, weightOf, type Instance, type Snapshot, type Task } from '../model.js';
import { scaleOutActions } from '../capacity/scale-out.js';
import { mayRunOnFallback } from '../capacity/fallback-eligibility.js';
import { busiestInstances, waitingFor } from '../rebalance/consolidate.js';

/** Tasks that need a new home when the instance goes: everything but daemons and what is stopping. */
export function displacedTasks(instance: Instance): Task[] {
  return instance.tasks.filter(needsNewHome);
}

/** A warning within this long of another in the same group is part of a wave (the 2-minute notice). */
export const WAVE_WINDOW_SECONDS = 120;

/**
 * Plans replacements for `doomed` (treated as DRAINING: it takes nothing) and returns the upward
 * desired-capacity changes. Idempotent: capacity already launching for an earlier delivery counts.
 *
 * Each doomed instance gets its own replacement at once (a replacement takes detection + boot + task
 * start, longer than the 2-minute notice: in a wave it is the head start the next instances' tasks
 * need), except an isolated interruption in a spot group read whole: if the group's other instances
 * can take its tasks and still keep room for the tasks of their `spotSpareInstances` busiest, with
 * less launched than its own replacement, that is what is launched (often nothing) — ecs-pilot then
 * takes the drained instance out with desired −1 before EC2 reclaims it (src/core/drain/replaced.ts).
 */
export function replacementActions(snapshot: Snapshot, cluster: ClusterConfig, doomed: Instance[], why: string, now?: Date): Action[] {
  const demand = composeDemand(snapshot, { waiting: false, draining: false, leaving: doomed }).snapshot.pending;
  if (demand.length === 0) return [];
  const own = plannedRaise(ownReplacementView(snapshot, doomed), cluster, doomed, demand, [], why);
  if (!mayUseRoom(snapshot, cluster, doomed, now)) return own.actions;
  // The room is used only when it launches less than the instance's own replacement would.
  const reserve = busiest(snapshot, cluster, doomed);
  const room = plannedRaise(snapshot, cluster, doomed, demand, reserve, `${why}, the group's other instances taking them and keeping room for ${reserve.length} busiest instance(s)' tasks`);
  return room.units < own.units ? room.actions : own.actions;
}

/** The raises for `demand` (and the reserve's tasks, as demand, their instances as leaving), with the units they add. */
function plannedRaise(base: Snapshot, cluster: ClusterConfig, doomed: Instance[], demand: Task[], reserve: Instance[], why: string): { actions: Action[]; units: number } {
  const ids = new Set([...doomed, ...reserve].map((i) => i.id));
  const instances = base.instances.map((i) => (ids.has(i.id) ? { ...i, status: 'DRAINING' as const } : i));
  const reserved = reserve.flatMap((i) => displacedTasks(i).map((t) => ({ ...t, id: `${t.id}#spare`, capacityProvider: i.group })));
  // Only these tasks: what else waits is the capacity duty's (the replacement must not be spent on it).
  const first = plan(composeDemand({ ...base, instances }, { waiting: false, draining: false, announced: [...demand, ...reserved] }).snapshot);
  const byGroup = new Map(cluster.groups.map((g) => [g.name, g]));
  // What the group cannot take (at max, no type fits, or marked unavailable) goes to its fallback
  // group, when one is configured — only the tasks that can run there (fallback-eligibility.ts).
  const movable = new Set(doomed.flatMap((i) => i.tasks.filter(mayRunOnFallback).map((t) => t.id)));
  const fallbackDemand = first.unplaceable.flatMap((u) => {
    const task = demand.find((t) => t.id === u.task);
    const fallback = task?.capacityProvider ? byGroup.get(task.capacityProvider)?.fallbackGroup : undefined;
    return task && fallback && movable.has(task.id) ? [{ ...task, capacityProvider: fallback }] : [];
  });
  const actions = scaleOutActions(first, `replace ${demand.length} task(s) of ${why}`);
  if (fallbackDemand.length > 0) {
    const second = plan(composeDemand({ ...base, instances }, { waiting: false, draining: false, announced: fallbackDemand }).snapshot);
    actions.push(...scaleOutActions(second, `fallback for ${fallbackDemand.length} task(s) of ${why} the group could not take`));
  }
  const units = actions.reduce((a, x) => a + (x.kind === 'setDesiredCapacity' ? x.desired - x.previous : 0), 0);
  return { actions, units };
}

/** The snapshot holds every instance of the group (not the one an event named). */
const wholeGroup = (snapshot: Snapshot, name: string): boolean => snapshot.groups.find((g) => g.name === name)?.inServiceUnits === undefined;

/**
 * Room on the group's other instances may take the doomed instances' tasks: one spot group read
 * whole, spare room configured, no task waiting for the group, and no other instance of the group
 * warned within the last two minutes and still in it (a wave: every instance then gets its own
 * replacement at once).
 */
function mayUseRoom(snapshot: Snapshot, cluster: ClusterConfig, doomed: Instance[], now: Date | undefined): boolean {
  const names = new Set(doomed.map((i) => i.group));
  const [name] = [...names];
  if (names.size !== 1 || name === undefined || cluster.spotSpareInstances <= 0) return false;
  if (snapshot.groups.find((g) => g.name === name)?.lifecycle !== 'spot' || !wholeGroup(snapshot, name)) return false;
  // Tasks already waiting for the group claim its room and launching capacity first.
  if (waitingFor(snapshot, name) > 0) return false;
  const doomedIds = new Set(doomed.map((i) => i.id));
  const since = now ? now.getTime() - WAVE_WINDOW_SECONDS * 1000 : -Infinity;
  return !snapshot.instances.some((i) => {
    if (i.group !== name || doomedIds.has(i.id) || i.lifecycleState?.startsWith('Terminating')) return false;
    const warned = Date.parse(i.attributes[ATTRIBUTES.replacementRequested] ?? '');
    return Number.isFinite(warned) && warned >= since;
  });
}

/** The `spotSpareInstances` busiest ACTIVE instances (by utilisation) of the doomed instances' group. */
function busiest(snapshot: Snapshot, cluster: ClusterConfig, doomed: Instance[]): Instance[] {
  return busiestInstances(snapshot, doomed[0]?.group ?? '', cluster.spotSpareInstances, new Set(doomed.map((i) => i.id)));
}

/**
 * Only the doomed instances, as an event's one-instance read has them: no room elsewhere and no
 * launching capacity counted (it may be for another instance), so each gets its own replacement.
 */
function ownReplacementView(snapshot: Snapshot, doomed: Instance[]): Snapshot {
  const names = new Set(doomed.map((i) => i.group));
  if ([...names].every((n) => !wholeGroup(snapshot, n))) return snapshot;
  const ids = new Set(doomed.map((i) => i.id));
  return {
    ...snapshot,
    instances: snapshot.instances.filter((i) => ids.has(i.id)),
    groups: snapshot.groups.map((g) => {
      if (g.inServiceUnits !== undefined) return g;
      const units = snapshot.instances.filter((i) => i.group === g.name && COUNTED_STATUSES.has(i.status)).reduce((a, i) => a + weightOf(g, i.type), 0);
      const launching = g.launching.reduce((a, l) => a + l.count * weightOf(g, l.type), 0);
      return { ...g, launching: [], inServiceUnits: Math.max(g.desired, units + launching) };
    }),
  };
}
