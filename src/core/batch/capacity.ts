/**
 * Capacity for job attempts about to start: the job's own tasks planned against the free capacity of
 * its first provider's group. Other waiting tasks are the capacity duty's; if they take the room first,
 * RunTask falls back to the next provider or the invocation is retried.
 */
import type { Action } from '../actions.js';
import { composeDemand } from '../capacity/demand.js';
import { plan } from '../capacity/index.js';
import { scaleOutActions } from '../capacity/scale-out.js';
import type { Snapshot, Task } from '../model.js';

export function capacityForJobStarts(actions: Action[], snapshot: Snapshot, shape: Task | undefined): Action[] {
  const starts = actions.filter((a): a is Extract<Action, { kind: 'runTask' }> => a.kind === 'runTask');
  if (!shape || starts.length === 0) return [];
  const demand = starts.flatMap((a) => Array.from({ length: a.count }, (_, k) => ({ ...shape, id: `${a.clientToken}-${k}`, capacityProvider: a.capacityProviders[0] })));
  return scaleOutActions(plan(composeDemand(snapshot, { waiting: false, draining: false, announced: demand }).snapshot), `capacity for ${starts.map((a) => `${a.job} attempt ${a.attempt}`).join(', ')}`);
}
