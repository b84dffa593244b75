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
 * - a caller's retry is the same demand again, not more: the failures of one request (same task
 *   definition, capacity provider and `startedBy`) are grouped into bursts (calls within
 *   `BURST_SPREAD_SECONDS` of each other) and only the largest burst counts. A retry re-asks for
 *   tasks an earlier burst asked for, never more; while its events still arrive one by one (they may
 *   be a minute late) the burst it retries is the better count;
 * - a burst is served once the cluster shows more of the request's tasks (its family on its capacity
 *   provider) than when the burst was first counted: capacity came and the caller's retries were
 *   placed. What still finds no room fails again, as a newer burst;
 * - a burst is sized at most twice: the first SQS batch with a request's failures raises for what it
 *   has at once, then later batches of the same request within `BURST_HOLD_SECONDS` only add their
 *   failures to this memory; the first batch after the hold sizes everything that stands, once
 *   (docs/capacity.md, "A RunTask burst over several SQS batches").
 */
import type { Snapshot, Task } from '../model.js';
import { stalledUnits } from './unavailable.js';

/** How long after its call a failed RunTask still stands for demand (AWS publishes no retry figure for callers). */
export const RUN_TASK_FAILURE_MAX_AGE_SECONDS = 300;

/** Calls of one request this close to each other are one burst; a retry comes after the caller's back-off. */
export const BURST_SPREAD_SECONDS = 15;

/**
 * After a request's failures were sized, its later failures are held (remembered, not sized) this
 * long: the events of one burst reach the queue up to about a minute apart (EventBridge delivers
 * CloudTrail's API-call events best-effort, with no published latency; the simulator's `event-delay`
 * fault spreads them over 60 s), so the second sizing sees the whole burst.
 */
export const BURST_HOLD_SECONDS = 60;

export interface RunTaskFailureDemand {
  /** The EventBridge event id (the tasks' ids derive from it). */
  eventId: string;
  /** When the call failed (the event's time: CloudTrail's eventTime). */
  at: Date;
  /** The request: task definition, capacity provider and startedBy (a retry repeats it). */
  request: string;
  tasks: Task[];
  /** The request's tasks the cluster showed when a plan first counted this failure (more since: its burst was served). */
  seenTasks?: number;
  /** When a plan sized this failure (absent: held, or not yet planned). */
  sizedAt?: Date;
}

/** Whether a failure is recent enough to plan. */
export function isFresh(failure: Pick<RunTaskFailureDemand, 'at'>, now: Date): boolean {
  return now.getTime() - failure.at.getTime() <= RUN_TASK_FAILURE_MAX_AGE_SECONDS * 1000;
}

/** Whether any group of the snapshot still has capacity on its way (listed as launching, or desired not yet in service). */
export function isLaunching(snapshot: Snapshot): boolean {
  return snapshot.groups.some((g) => g.launching.length > 0 || stalledUnits(snapshot, g) > 0);
}

/** The request's tasks the cluster shows, placed or waiting: the failed tasks' family (`group`) on their capacity provider. */
export function requestTasks(snapshot: Snapshot, failure: Pick<RunTaskFailureDemand, 'tasks'>): number {
  const shape = failure.tasks[0];
  if (!shape) return 0;
  const same = (t: Task) => !t.daemon && t.group === shape.group && t.capacityProvider === shape.capacityProvider;
  let n = snapshot.pending.filter(same).length;
  for (const i of snapshot.instances) n += i.tasks.filter(same).length;
  return n;
}

/**
 * The tasks of the failures that stand: this SQS batch's, and earlier batches' while capacity still
 * launches (all fresh); of each request, its largest burst not yet served.
 */
export function standingFailures(current: readonly RunTaskFailureDemand[], earlier: readonly RunTaskFailureDemand[], snapshot: Snapshot, now: Date): Task[] {
  const ids = new Set(current.map((f) => f.eventId));
  const all = [...(isLaunching(snapshot) ? earlier.filter((f) => !ids.has(f.eventId)) : []), ...current].filter((f) => isFresh(f, now));
  const byRequest = new Map<string, RunTaskFailureDemand[]>();
  for (const f of all) byRequest.set(f.request, [...(byRequest.get(f.request) ?? []), f]);
  const standing: Task[] = [];
  for (const failures of byRequest.values()) {
    const open = bursts(failures).filter((b) => !served(b, snapshot));
    const largest = open.map((b) => b.flatMap((f) => f.tasks)).sort((a, b) => b.length - a.length)[0];
    standing.push(...(largest ?? []));
  }
  return standing;
}

/** Failures of one request cut into bursts: sorted by call time, a gap above `BURST_SPREAD_SECONDS` starts the next. */
function bursts(failures: readonly RunTaskFailureDemand[]): RunTaskFailureDemand[][] {
  const out: RunTaskFailureDemand[][] = [];
  let last = -Infinity;
  for (const f of [...failures].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    if (f.at.getTime() - last > BURST_SPREAD_SECONDS * 1000 || out.length === 0) out.push([]);
    out[out.length - 1]?.push(f);
    last = f.at.getTime();
  }
  return out;
}

/** A burst is served once the cluster shows more of its request's tasks than when it was first counted. */
function served(burst: readonly RunTaskFailureDemand[], snapshot: Snapshot): boolean {
  const seen = burst.flatMap((f) => (f.seenTasks === undefined ? [] : [f.seenTasks]));
  return seen.length > 0 && requestTasks(snapshot, burst[0] ?? { tasks: [] }) > Math.min(...seen);
}

/**
 * When this batch's failures are held: each of their requests was sized less than
 * `BURST_HOLD_SECONDS` ago (by this container). The hold ends when the first of them ends.
 */
export function heldUntil(current: readonly RunTaskFailureDemand[], earlier: readonly RunTaskFailureDemand[], now: Date): Date | undefined {
  if (current.length === 0) return undefined;
  let until = Infinity;
  for (const request of new Set(current.map((f) => f.request))) {
    const sized = Math.max(...earlier.filter((f) => f.request === request && f.sizedAt).map((f) => f.sizedAt?.getTime() ?? -Infinity));
    const end = sized + BURST_HOLD_SECONDS * 1000;
    if (!(end > now.getTime())) return undefined;
    until = Math.min(until, end);
  }
  return new Date(until);
}

/** This batch's failures as sized now, each with the request's tasks the cluster shows (kept from an earlier delivery of the same event). */
export function sized(current: readonly RunTaskFailureDemand[], earlier: readonly RunTaskFailureDemand[], snapshot: Snapshot, now: Date): RunTaskFailureDemand[] {
  const before = new Map(earlier.map((f) => [f.eventId, f]));
  return current.map((f) => ({ ...f, seenTasks: before.get(f.eventId)?.seenTasks ?? requestTasks(snapshot, f), sizedAt: before.get(f.eventId)?.sizedAt ?? now }));
}

/** Earlier failures a plan counted for the first time get the request's tasks the cluster shows now. */
export function seen(earlier: readonly RunTaskFailureDemand[], snapshot: Snapshot): RunTaskFailureDemand[] {
  return earlier.map((f) => (f.seenTasks === undefined ? { ...f, seenTasks: requestTasks(snapshot, f) } : f));
}

/** Keeps what may still stand (fresh), newest last, once each by event: a redelivery keeps what the first delivery learnt. */
export function remember(kept: readonly RunTaskFailureDemand[], added: readonly RunTaskFailureDemand[], now: Date): RunTaskFailureDemand[] {
  const byId = new Map<string, RunTaskFailureDemand>();
  for (const f of kept) if (isFresh(f, now)) byId.set(f.eventId, f);
  for (const f of added) if (isFresh(f, now)) byId.set(f.eventId, { ...f, ...withDefined(byId.get(f.eventId)) });
  return [...byId.values()];
}

/** What an earlier delivery learnt about a failure (its baseline and when it was sized). */
function withDefined(f: RunTaskFailureDemand | undefined): Partial<RunTaskFailureDemand> {
  if (!f) return {};
  return { ...(f.seenTasks !== undefined ? { seenTasks: f.seenTasks } : {}), ...(f.sizedAt ? { sizedAt: f.sizedAt } : {}) };
}
