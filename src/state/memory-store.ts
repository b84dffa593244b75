/** The state store in memory: the same rules as the DynamoDB one, for replay, simulate and benchmarks. */
import { isGap, verdict, type StoreMeta } from '../core/state/freshness.js';
import { GONE_TTL_SECONDS, type ApplyResult, type ClusterState, type ResyncResult, type StateStore } from './store.js';
import { isGoneInstance, isStoppedTask, type InstanceRecord, type TaskRecord } from './records.js';
import { sameRecord } from './same-record.js';

interface Item<R> {
  record: R;
  gone: boolean;
  storedAt: number;
  expiresAt?: number;
}

interface ClusterItems {
  tasks: Map<string, Item<TaskRecord>>;
  instances: Map<string, Item<InstanceRecord>>;
  meta: StoreMeta;
  /** The latest gap seen (ISO), kept beside the first (meta.gapAt): a resync keeps a gap seen after it started. */
  lastGapAt?: string;
}

/** Past its TTL (DynamoDB deletes such items lazily; until then they count as absent). */
const expired = (item: { expiresAt?: number }, nowMs: number): boolean => item.expiresAt !== undefined && item.expiresAt * 1000 <= nowMs;

export class MemoryStateStore implements StateStore {
  private readonly clusters = new Map<string, ClusterItems>();
  /** Calls made, by name (the benchmarks count them as they would DynamoDB requests). */
  readonly calls = new Map<string, number>();

  private of(cluster: string): ClusterItems {
    let c = this.clusters.get(cluster);
    if (!c) {
      c = { tasks: new Map(), instances: new Map(), meta: {} };
      this.clusters.set(cluster, c);
    }
    return c;
  }

  private count(name: string): void {
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
  }

  private apply<R extends { version: number }>(c: ClusterItems, items: Map<string, Item<R>>, key: string, record: R, gone: boolean, now: Date): ApplyResult {
    const stored = items.get(key);
    const live = stored && !expired(stored, now.getTime()) ? stored : undefined;
    const v = verdict(live ? { version: live.record.version, gone: live.gone } : undefined, record.version);
    const gap = v === 'apply' && isGap(live ? { version: live.record.version } : undefined, record.version);
    if (v === 'apply') items.set(key, { record: structuredClone(record), gone, storedAt: now.getTime(), ...(gone ? { expiresAt: Math.floor(now.getTime() / 1000) + GONE_TTL_SECONDS } : {}) });
    if (gap) {
      if (!c.meta.gapAt) c.meta = { ...c.meta, gapAt: now.toISOString() };
      if (!c.lastGapAt || c.lastGapAt < now.toISOString()) c.lastGapAt = now.toISOString();
    }
    return { verdict: v, gap };
  }

  async applyTask(cluster: string, record: TaskRecord, now: Date): Promise<ApplyResult> {
    this.count('applyTask');
    const c = this.of(cluster);
    return this.apply(c, c.tasks, record.taskArn, record, isStoppedTask(record), now);
  }

  async applyInstance(cluster: string, record: InstanceRecord, now: Date): Promise<ApplyResult> {
    this.count('applyInstance');
    const c = this.of(cluster);
    return this.apply(c, c.instances, record.containerInstanceArn, record, isGoneInstance(record), now);
  }

  async task(cluster: string, taskArn: string): Promise<TaskRecord | undefined> {
    this.count('task');
    const item = this.clusters.get(cluster)?.tasks.get(taskArn);
    return item ? structuredClone(item.record) : undefined;
  }

  async read(cluster: string): Promise<ClusterState> {
    this.count('read');
    const c = this.clusters.get(cluster);
    if (!c) return { tasks: [], instances: [], meta: {} };
    const live = <R>(items: Map<string, Item<R>>): R[] => [...items.values()].filter((i) => !i.gone).map((i) => structuredClone(i.record));
    return { tasks: live(c.tasks), instances: live(c.instances), meta: { ...c.meta } };
  }

  async meta(cluster: string): Promise<StoreMeta> {
    this.count('meta');
    return { ...(this.clusters.get(cluster)?.meta ?? {}) };
  }

  async resync(cluster: string, live: { tasks: TaskRecord[]; instances: InstanceRecord[] }, startedAt: Date): Promise<ResyncResult> {
    this.count('resync');
    const c = this.of(cluster);
    const result: ResyncResult = { written: 0, markedGone: 0, keptNewer: 0 };
    const sync = <R extends { version: number }>(items: Map<string, Item<R>>, listed: R[], keyOf: (r: R) => string, goneOf: (r: R) => boolean, markGone: (r: R) => R) => {
      const seen = new Set<string>();
      for (const record of listed) {
        const key = keyOf(record);
        seen.add(key);
        // An expired tombstone counts as absent, as in apply (DynamoDB may not have deleted it yet).
        const stored = items.get(key) && !expired(items.get(key)!, startedAt.getTime()) ? items.get(key) : undefined;
        // The read is as new as the store unless an event wrote a higher version meanwhile.
        if (stored && stored.record.version > record.version) {
          result.keptNewer += 1;
          continue;
        }
        // Field order does not make a record differ (DynamoDB answers maps in its own order).
        if (stored && stored.record.version === record.version && stored.gone === goneOf(record) && sameRecord(stored.record, record)) continue;
        const gone = goneOf(record);
        items.set(key, { record: structuredClone(record), gone, storedAt: startedAt.getTime(), ...(gone ? { expiresAt: Math.floor(startedAt.getTime() / 1000) + GONE_TTL_SECONDS } : {}) });
        result.written += 1;
      }
      for (const [key, item] of items) {
        if (seen.has(key)) continue;
        // Tombstones past their TTL are dropped (as DynamoDBStateStore deletes them): reads stop paying for them.
        if (item.gone && expired(item, startedAt.getTime())) items.delete(key);
        if (item.gone) continue;
        if (item.storedAt >= startedAt.getTime()) {
          result.keptNewer += 1;
          continue;
        }
        items.set(key, { record: markGone(item.record), gone: true, storedAt: startedAt.getTime(), expiresAt: Math.floor(startedAt.getTime() / 1000) + GONE_TTL_SECONDS });
        result.markedGone += 1;
      }
    };
    sync(c.tasks, live.tasks, (t) => t.taskArn, isStoppedTask, (t) => ({ ...t, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }));
    sync(c.instances, live.instances, (i) => i.containerInstanceArn, isGoneInstance, (i) => ({ ...i, status: 'INACTIVE' }));
    const previous = c.meta.resyncedAt ? Date.parse(c.meta.resyncedAt) : Number.NEGATIVE_INFINITY;
    if (startedAt.getTime() >= previous) {
      // A gap seen after the read started is not covered by it: the first such gap stays recorded, or,
      // when an earlier gap was recorded first, the latest one (the first after the start is not kept).
      const after = (iso: string | undefined) => iso !== undefined && Date.parse(iso) > startedAt.getTime();
      const gapAt = after(c.meta.gapAt) ? c.meta.gapAt : after(c.lastGapAt) ? c.lastGapAt : undefined;
      c.meta = { resyncedAt: startedAt.toISOString(), ...(gapAt ? { gapAt } : {}) };
      if (!gapAt) delete c.lastGapAt;
    }
    return result;
  }
}
