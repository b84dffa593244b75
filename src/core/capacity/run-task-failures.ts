/**
 * Failed RunTask calls as demand (managed scaling off: ECS never creates a task that finds no room).
 * Their tasks exist only if the caller retries, so a failure stands for demand only while a raise can
 * still serve that retry, checked against what AWS shows now:
 *
 * - an event older than `RUN_TASK_FAILURE_MAX_AGE_SECONDS` is not planned: an SQS batch redelivered
 *   after its visibility timeout (6 minutes, longer than this) must not size tasks that already run;
 *   a caller that still wants them fails again, and that failure is a fresh event;
 * - a failure planned by an earlier SQS batch (one burst, its events spread over several batches) is
 *   counted again only while capacity is still launching in the cluster: until it lands the retries
 *   have no room yet, so a later batch must not take that capacity as free (the burst is sized once).
 *   Once nothing launches, the retries have run or failed again as new events;
 * - a caller's retry is the same demand again, not more: of the failures of one request (same task
 *   definition, capacity provider and `startedBy`), only the newest burst counts — calls made within
 *   `BURST_SPREAD_SECONDS` of the newest one. A burst's calls are made within seconds (their events may
 *   arrive a minute apart); a retry comes after the caller's back-off and supersedes what it retries.
 */
import type { Snapshot, Task } from '../model.js';
import { stalledUnits } from './unavailable.js';

/** How long after its call a failed RunTask still stands for demand (AWS publishes no retry figure for callers). */
export const RUN_TASK_FAILURE_MAX_AGE_SECONDS = 300;

/** Calls of one request this close to its newest call are one burst; older ones were retried since. */
export const BURST_SPREAD_SECONDS = 15;

export interface RunTaskFailureDemand {
  /** The EventBridge event id (the tasks' ids derive from it). */
  eventId: string;
  /** When the call failed (the event's time: CloudTrail's eventTime). */
  at: Date;
  /** The request: task definition, capacity provider and startedBy (a retry repeats it). */
  request: string;
  tasks: Task[];
}

/** Whether a failure is recent enough to plan. */
export function isFresh(failure: Pick<RunTaskFailureDemand, 'at'>, now: Date): boolean {
  return now.getTime() - failure.at.getTime() <= RUN_TASK_FAILURE_MAX_AGE_SECONDS * 1000;
}

/** Whether any group of the snapshot still has capacity on its way (listed as launching, or desired not yet in service). */
export function isLaunching(snapshot: Snapshot): boolean {
  return snapshot.groups.some((g) => g.launching.length > 0 || stalledUnits(snapshot, g) > 0);
}

/**
 * The tasks of the failures that stand: this SQS batch's, and earlier batches' while capacity still
 * launches (all fresh); of each request, only its newest burst.
 */
export function standingFailures(current: readonly RunTaskFailureDemand[], earlier: readonly RunTaskFailureDemand[], snapshot: Snapshot, now: Date): Task[] {
  const all = [...(isLaunching(snapshot) ? earlier : []), ...current].filter((f) => isFresh(f, now));
  const newest = new Map<string, number>();
  for (const f of all) newest.set(f.request, Math.max(newest.get(f.request) ?? -Infinity, f.at.getTime()));
  return all.filter((f) => f.at.getTime() >= (newest.get(f.request) ?? 0) - BURST_SPREAD_SECONDS * 1000).flatMap((f) => f.tasks);
}

/** Keeps what may still stand (fresh), newest last, without duplicates by event. */
export function remember(kept: readonly RunTaskFailureDemand[], added: readonly RunTaskFailureDemand[], now: Date): RunTaskFailureDemand[] {
  const byId = new Map<string, RunTaskFailureDemand>();
  for (const f of [...kept, ...added]) if (isFresh(f, now)) byId.set(f.eventId, f);
  return [...byId.values()];
}
