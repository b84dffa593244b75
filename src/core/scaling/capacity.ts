/** The instances for a service's new tasks, raised in the same step as its desired count. */
import type { Action } from '../actions.js';
import { composeDemand } from '../capacity/demand.js';
import { plan } from '../capacity/index.js';
import { scaleOutActions } from '../capacity/scale-out.js';
import type { Snapshot, Task } from '../model.js';

export interface ServiceShape {
  /** What one task of the service needs (from its task definition); undefined when unknown. */
  shape: Task | undefined;
  /** The provider new tasks go to; undefined: any group. */
  capacityProvider: string | undefined;
}

export function capacityForServiceChange(change: Action, snapshot: Snapshot, service: ServiceShape): Action[] {
  const { shape, capacityProvider: provider } = service;
  if (change.kind !== 'setServiceDesiredCount' || !shape || change.desiredCount <= change.previous) return [];
  const demand = Array.from({ length: change.desiredCount - change.previous }, (_, k) => ({ ...shape, id: `${change.service}-new-${k}`, ...(provider ? { capacityProvider: provider } : {}) }));
  // With what already waits for the same group (free capacity is not counted twice); only that group is raised.
  const { snapshot: withNew, counts } = composeDemand(snapshot, { announced: demand, provider });
  const result = plan(withNew);
  const waiting = withNew.pending.length - counts.announced;
  return scaleOutActions(
    { ...result, groups: result.groups.filter((g) => provider === undefined || g.name === provider) },
    `${demand.length} new task(s) of service ${change.service}${waiting > 0 ? ` (and ${waiting} already waiting)` : ''}`,
  );
}
