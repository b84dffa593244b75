/**
 * Capacity for job attempts about to start: the job's own tasks planned against the free capacity of
 * the provider each will really run on. RunTask tries the attempt's providers in order and moves to the
 * next when one has no room (src/aws/actuator.ts), so tasks the first provider's group cannot take —
 * at its max, no type fits, or marked unavailable after failed launches — are sized on the next, and
 * so on. Other waiting tasks are the capacity duty's; if they take the room first, RunTask falls back
 * to the next provider or the invocation is retried.
 */
import type { Action } from '../actions.js';
import { composeDemand } from '../capacity/demand.js';
import { plan } from '../capacity/index.js';
import { scaleOutActions } from '../capacity/scale-out.js';
import type { CapacityPlan } from '../capacity/types.js';
import type { Snapshot, Task } from '../model.js';

export function capacityForJobStarts(actions: Action[], snapshot: Snapshot, shape: Task | undefined): Action[] {
  const starts = actions.filter((a): a is Extract<Action, { kind: 'runTask' }> => a.kind === 'runTask');
  if (!shape || starts.length === 0) return [];
  const tasks = starts.flatMap((a) => Array.from({ length: a.count }, (_, k) => ({ task: { ...shape, id: `${a.clientToken}-${k}` }, providers: a.capacityProviders })));
  const why = `capacity for ${starts.map((a) => `${a.job} attempt ${a.attempt}`).join(', ')}`;
  const planFor = (on: Array<{ task: Task; provider: string }>): CapacityPlan =>
    plan(composeDemand(snapshot, { waiting: false, draining: false, announced: on.map(({ task, provider }) => ({ ...task, capacityProvider: provider })) }).snapshot);
  // Each task on its first provider; what it cannot take, on the next — until all are placed or no provider is left.
  let on = tasks.map(({ task, providers }) => ({ task, provider: providers[0] ?? '', providers, next: 1 }));
  let result = planFor(on);
  for (let round = 1; round < Math.max(...tasks.map((t) => t.providers.length)); round++) {
    const out = new Set(result.unplaceable.map((u) => u.task));
    const moved = on.filter((t) => out.has(t.task.id) && t.next < t.providers.length);
    if (moved.length === 0) break;
    on = on.map((t) => (out.has(t.task.id) && t.next < t.providers.length ? { ...t, provider: t.providers[t.next] ?? t.provider, next: t.next + 1 } : t));
    result = planFor(on);
  }
  const fellBack = on.filter((t) => t.provider !== t.providers[0]);
  return scaleOutActions(result, fellBack.length > 0 ? `${why} (${fellBack.length} task(s) on ${[...new Set(fellBack.map((t) => t.provider))].join(', ')}: the first provider cannot take them)` : why);
}
