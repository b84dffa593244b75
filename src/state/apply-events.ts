/**
 * Applies ECS's task and container-instance state changes to the store (the state function, and the
 * simulator's stand-in for it). Other events are not the store's: counted as ignored.
 */
import { clusterName } from '../config/load.js';
import type { DomainEvent } from '../events/index.js';
import type { StateStore } from './store.js';

export interface ApplyCounts {
  applied: number;
  duplicates: number;
  stale: number;
  gaps: number;
  ignored: number;
}

export const emptyCounts = (): ApplyCounts => ({ applied: 0, duplicates: 0, stale: 0, gaps: 0, ignored: 0 });

/** One event: its record written if newer than the stored one. Throws only when the store fails. */
export async function applyStateEvent(store: StateStore, event: DomainEvent, now: Date, counts: ApplyCounts = emptyCounts()): Promise<ApplyCounts> {
  let result: Awaited<ReturnType<StateStore['applyTask']>> | undefined;
  if (event.kind === 'task-state-change') result = await store.applyTask(clusterName(event.cluster), event.record, now);
  else if (event.kind === 'container-instance-state-change') result = await store.applyInstance(clusterName(event.cluster), event.record, now);
  if (!result) counts.ignored += 1;
  else {
    if (result.verdict === 'apply') counts.applied += 1;
    else if (result.verdict === 'duplicate') counts.duplicates += 1;
    else counts.stale += 1;
    if (result.gap) counts.gaps += 1;
  }
  return counts;
}
