/**
 * Demand, composed once: what waits for capacity in a cluster, from typed observations. Every duty
 * that plans capacity calls `composeDemand` (and nothing else builds a plan's waiting tasks), so they
 * all agree on what else waits:
 *
 * 1. `waiting`: the tasks ECS created that wait for an instance (PROVISIONING, or not placed yet), and
 *    what services lack that ECS never created (managed scaling off: desired − running − waiting);
 * 2. `failedRunTasks`: the tasks RunTask calls could not place (ids from the event: a duplicate plans
 *    the same tasks);
 * 3. `draining`: the tasks on DRAINING instances, and `leaving`: those of instances named as leaving
 *    (a spot warning, a terminate hook) — each needs a new home in its provider;
 * 4. `announced`: tasks about to be asked for (a job's attempts, a service's raised desired count).
 *
 * A task is counted once (by id), so composing an already composed snapshot again adds nothing twice.
 */
import { needsNewHome, type Instance, type Service, type Snapshot, type Task } from '../model.js';

export interface DemandSources {
  /** Count ECS's waiting tasks and the services' missing ones (default true). */
  waiting?: boolean;
  /** Count the tasks on DRAINING instances (default true). */
  draining?: boolean;
  failedRunTasks?: readonly Task[];
  leaving?: readonly Instance[];
  announced?: readonly Task[];
  /** Only demand that may land in this provider: tasks naming it, or naming none (any group). */
  provider?: string | undefined;
}

/** How many of the composed tasks came from each source (for decision records). */
export interface DemandCounts {
  waiting: number;
  missing: number;
  failedRunTasks: number;
  displaced: number;
  announced: number;
}

export interface Demand {
  /** The snapshot with `pending` = every task the plan must place, and no services left to expand. */
  snapshot: Snapshot;
  counts: DemandCounts;
}

/**
 * The tasks a service lacks: desired − running − what already waits (ECS's pendingCount, or the
 * waiting tasks seen, whichever is larger).
 */
export function deficitOf(service: { desiredCount?: number | undefined; runningCount?: number | undefined; pendingCount?: number | undefined }, waitingSeen: number): number {
  return Math.max(0, (service.desiredCount ?? 0) - (service.runningCount ?? 0) - Math.max(service.pendingCount ?? 0, waitingSeen));
}

/** A service's missing tasks as waiting tasks (`<service ARN>/missing-<n>`), given the tasks already seen waiting. */
function missingTasks(service: Service, waiting: readonly Task[]): Task[] {
  const seen = waiting.filter((t) => t.group !== undefined && t.group === service.task.group).length;
  return Array.from({ length: deficitOf(service, seen) }, (_, i) => ({ ...service.task, id: `${service.task.id}/missing-${i + 1}` }));
}

/** The tasks of an instance that need a new home, in the provider they ran in (else the instance's group). */
function newHomes(instance: Instance): Task[] {
  return instance.tasks.filter(needsNewHome).map((t) => ({ ...t, capacityProvider: t.capacityProvider ?? instance.group }));
}

export function composeDemand(snapshot: Snapshot, sources: DemandSources = {}): Demand {
  const pending: Task[] = [];
  const ids = new Set<string>();
  const mayLand = (t: Task): boolean => sources.provider === undefined || t.capacityProvider === undefined || t.capacityProvider === sources.provider;
  const add = (tasks: readonly Task[]): number => {
    let n = 0;
    for (const t of tasks) {
      if (ids.has(t.id) || !mayLand(t)) continue;
      ids.add(t.id);
      pending.push(t);
      n += 1;
    }
    return n;
  };
  const counts: DemandCounts = { waiting: 0, missing: 0, failedRunTasks: 0, displaced: 0, announced: 0 };
  if (sources.waiting ?? true) {
    counts.waiting = add(snapshot.pending);
    counts.missing = add((snapshot.services ?? []).flatMap((s) => missingTasks(s, snapshot.pending)));
  }
  counts.failedRunTasks = add(sources.failedRunTasks ?? []);
  if (sources.draining ?? true) counts.displaced += add(snapshot.instances.filter((i) => i.status === 'DRAINING').flatMap(newHomes));
  counts.displaced += add((sources.leaving ?? []).flatMap(newHomes));
  counts.announced = add(sources.announced ?? []);
  const { services: _expanded, ...rest } = snapshot;
  return { snapshot: { ...rest, pending }, counts };
}

/** The total of the composed tasks. */
export const demandTotal = (c: DemandCounts): number => c.waiting + c.missing + c.failedRunTasks + c.displaced + c.announced;
