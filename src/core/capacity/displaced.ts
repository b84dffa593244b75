/**
 * Tasks still running on DRAINING instances will need a new home (ECS replaces service tasks; a
 * spot-reclaimed instance takes the rest with it). A whole-cluster plan counts them as waiting, so
 * capacity already launching for them (e.g. after a spot warning) is not handed to other tasks.
 */
import { needsNewHome, type Snapshot } from '../model.js';

export function withDisplacedDemand(snapshot: Snapshot): Snapshot {
  const displaced = snapshot.instances
    .filter((i) => i.status === 'DRAINING')
    .flatMap((i) => i.tasks.filter(needsNewHome).map((t) => ({ ...t, capacityProvider: t.capacityProvider ?? i.group })));
  return displaced.length === 0 ? snapshot : { ...snapshot, pending: [...snapshot.pending, ...displaced] };
}
