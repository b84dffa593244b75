/**
 * The rules of the cluster-state store (docs/state.md), pure.
 *
 * ECS sends task and container-instance events at least once and out of order; each carries the
 * resource's `detail.version`, incremented each time the resource changes state, the same in
 * duplicates ("Handling Amazon ECS events", ECS developer guide). Each event carries the resource's
 * whole state, so the latest version is the state: a lower or equal version changes nothing.
 */

/** What the store does with a record: write it, or keep what it has (same version, or newer). */
export type Verdict = 'apply' | 'duplicate' | 'stale';

export interface Versioned {
  version: number;
  /** Gone from ECS (stopped task, deregistered instance): only a newer version may say otherwise. */
  gone?: boolean;
}

export function verdict(stored: Versioned | undefined, incoming: number): Verdict {
  if (!stored) return 'apply';
  if (incoming > stored.version) return 'apply';
  return incoming === stored.version ? 'duplicate' : 'stale';
}

/**
 * A version that skips one the store has not seen: an event was lost or is late. The state is still
 * right for this resource (the event carries all of it), but other resources' last events may be lost
 * too — a resync is due. AWS does not promise one event per increment; treating a skip as a gap is the
 * cautious reading (it costs a resync, never a wrong decision).
 */
export function isGap(stored: Versioned | undefined, incoming: number): boolean {
  return stored !== undefined && incoming > stored.version + 1;
}

/** Per cluster: when the store was last made whole from the APIs, and what has happened since. */
export interface StoreMeta {
  /** ISO time the last full resync started (events after it are in the store). */
  resyncedAt?: string;
  /** ISO time a gap was first seen after the last resync. */
  gapAt?: string;
}

export interface ResyncPolicy {
  /** A full read at least this often. */
  everyMinutes: number;
  /** After a gap, a full read — but not more often than this (a storm of gaps costs one read per period). */
  gapResyncMinutes: number;
  /** This cluster's place in the period (minutes), so clusters do not resync in the same minute. */
  offsetMinutes?: number;
  /** How much earlier than the read itself its `resyncedAt` is recorded (a margin for the gone-rule; minutes). */
  marginMinutes?: number;
}

/**
 * Why the store may not be used for a decision now (a full read is due first), or undefined when it may.
 * Full reads fall on fixed slots of `everyMinutes`, shifted by the cluster's offset: the first tick of
 * each slot reads in full, so no decision is taken from a state whose last full read is older than
 * one period (plus one tick), and many clusters do not read in the same minute.
 */
export function resyncDue(meta: StoreMeta | undefined, now: Date, policy: ResyncPolicy): string | undefined {
  const at = (meta?.resyncedAt ? Date.parse(meta.resyncedAt) : Number.NaN) + (policy.marginMinutes ?? 0) * 60_000;
  if (!Number.isFinite(at)) return 'the store has never been read in full';
  const slot = (ms: number) => Math.floor((ms / 60_000 - (policy.offsetMinutes ?? 0)) / policy.everyMinutes);
  const age = (now.getTime() - at) / 60_000;
  if (slot(now.getTime()) > slot(at) || age >= policy.everyMinutes) return `the last full read was ${Math.floor(age)} min ago (one every ${policy.everyMinutes} min)`;
  if (meta?.gapAt && age >= policy.gapResyncMinutes) return `an event was missed (${meta.gapAt})`;
  return undefined;
}

/** A stable offset in [0, period) for a cluster's name: spreads the full reads of many clusters. */
export function resyncOffsetMinutes(cluster: string, everyMinutes: number): number {
  let h = 2166136261;
  for (let i = 0; i < cluster.length; i++) h = Math.imul(h ^ cluster.charCodeAt(i), 16777619) >>> 0;
  return h % Math.max(1, everyMinutes);
}
