/**
 * The cluster-state store in DynamoDB (docs/state.md): the same answers as MemoryStateStore, over one
 * table. Items: `pk` = cluster name, `sk` = `task#<arn>` | `instance#<arn>` | `meta`; a task or
 * instance item holds the record, its `version`, `gone`, `storedAt` (epoch ms) and, once gone,
 * `expiresAt` (epoch seconds, the table's TTL attribute).
 *
 * DynamoDB deletes expired items in the background, "typically within two days of expiration", and
 * until then they "still show up in reads, queries, and scans" (UpdateTimeToLive, DynamoDB API
 * Reference; "Working with expired items", Developer Guide): every write condition and every read here
 * treats an item whose `expiresAt` has passed as absent.
 *
 * Every write is conditional, so concurrent invocations (events delivered twice, a resync while events
 * arrive) can never put an older version over a newer one.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isGap, verdict, type StoreMeta, type Versioned } from '../core/state/freshness.js';
import { isGoneInstance, isStoppedTask, type InstanceRecord, type TaskRecord } from '../state/records.js';
import { GONE_TTL_SECONDS, type ApplyResult, type ClusterState, type ResyncResult, type StateStore } from '../state/store.js';
import { sameRecord } from '../state/same-record.js';

type Send = Pick<DynamoDBDocumentClient, 'send'>;

/** A stored task or instance item, as the Document client returns it. */
interface StoredItem {
  pk: string;
  sk: string;
  record: TaskRecord | InstanceRecord;
  version: number;
  gone: boolean;
  storedAt: number;
  expiresAt?: number;
}

/** A DynamoDB call that failed after the SDK's own retries (throttling included): names what it was doing. */
export class StateStoreError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'StateStoreError';
  }
}

export const META_SK = 'meta';
export const taskSk = (taskArn: string): string => `task#${taskArn}`;
export const instanceSk = (containerInstanceArn: string): string => `instance#${containerInstanceArn}`;

const epochSeconds = (ms: number): number => Math.floor(ms / 1000);
/** Expired by TTL at `nowMs` (same rule as MemoryStateStore: expiresAt × 1000 ≤ now). */
const expired = (item: { expiresAt?: number } | undefined, nowMs: number): boolean => item?.expiresAt !== undefined && item.expiresAt <= epochSeconds(nowMs);
/** Records are plain JSON; dropping undefined fields keeps the Document client's marshalling happy. */
const plain = <R>(record: R): R => JSON.parse(JSON.stringify(record)) as R;
const isConditionFailed = (err: unknown): boolean => err instanceof ConditionalCheckFailedException || (err as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';

export interface DynamoStateStoreOptions {
  /** Parallel conditional writes in a resync (BatchWriteItem takes no conditions; see resync). */
  resyncConcurrency?: number;
  /** Strongly consistent Query in read() (twice the read units); the default reads eventually consistent. */
  consistentRead?: boolean;
}

export class DynamoStateStore implements StateStore {
  private readonly concurrency: number;
  private readonly consistentRead: boolean;

  constructor(
    private readonly client: Send,
    private readonly tableName: string,
    options: DynamoStateStoreOptions = {},
  ) {
    this.concurrency = Math.max(1, options.resyncConcurrency ?? 16);
    this.consistentRead = options.consistentRead ?? false;
  }

  applyTask(cluster: string, record: TaskRecord, now: Date): Promise<ApplyResult> {
    return this.apply(cluster, taskSk(record.taskArn), record, isStoppedTask(record), now);
  }

  applyInstance(cluster: string, record: InstanceRecord, now: Date): Promise<ApplyResult> {
    return this.apply(cluster, instanceSk(record.containerInstanceArn), record, isGoneInstance(record), now);
  }

  /**
   * One conditional PutItem: written when absent, expired or older. ReturnValues ALL_OLD gives the
   * version it replaced (for the gap rule) at no read cost; on a failed condition the stored version
   * comes with the error (ReturnValuesOnConditionCheckFailure) or, where a server does not return it,
   * from one consistent GetItem — it tells a duplicate from a stale event.
   */
  private async apply(cluster: string, sk: string, record: TaskRecord | InstanceRecord, gone: boolean, now: Date): Promise<ApplyResult> {
    const nowMs = now.getTime();
    const item: StoredItem = { pk: cluster, sk, record: plain(record), version: record.version, gone, storedAt: nowMs, ...(gone ? { expiresAt: epochSeconds(nowMs) + GONE_TTL_SECONDS } : {}) };
    for (let attempt = 0; ; attempt += 1) {
      const written = await this.putIfNewer(cluster, item, nowMs);
      if (written.ok) {
        const replaced = written.old?.version !== undefined && !expired(written.old, nowMs) ? { version: written.old.version } : undefined;
        const gap = isGap(replaced, record.version);
        // A second request: if it fails, the error surfaces and the event's retry is a duplicate, so
        // this gap goes unrecorded — the scheduled full read (resyncDue) still comes within its period.
        if (gap) await this.markGap(cluster, now);
        return { verdict: 'apply', gap };
      }
      const stored = written.stored ?? (await this.storedVersion(cluster, item.sk, nowMs));
      const v = verdict(stored, record.version);
      // 'apply' here means the item went away between the write and the read (deleted by TTL): try again.
      if (v !== 'apply' || attempt >= 2) return { verdict: v === 'apply' ? 'stale' : v, gap: false };
    }
  }

  private async putIfNewer(cluster: string, item: StoredItem, nowMs: number): Promise<{ ok: true; old?: Partial<StoredItem> } | { ok: false; stored?: Versioned }> {
    try {
      const out = await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk) OR version < :v OR expiresAt <= :now',
          ExpressionAttributeValues: { ':v': item.version, ':now': epochSeconds(nowMs) },
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { ok: true, ...(out.Attributes ? { old: out.Attributes as Partial<StoredItem> } : {}) };
    } catch (err) {
      if (!isConditionFailed(err)) throw new StateStoreError(`DynamoDB PutItem of ${item.sk} in cluster ${cluster} failed: ${(err as Error).message}`, { cause: err });
      const stored = storedVersionOf(err);
      return { ok: false, ...(stored ? { stored } : {}) };
    }
  }

  private async storedVersion(cluster: string, sk: string, nowMs: number): Promise<Versioned | undefined> {
    const out = await this.call(`GetItem of ${sk} in cluster ${cluster}`, () =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: cluster, sk }, ConsistentRead: true, ProjectionExpression: 'version, expiresAt' })),
    );
    const item = out.Item as Partial<StoredItem> | undefined;
    return item?.version !== undefined && !expired(item, nowMs) ? { version: item.version } : undefined;
  }

  /**
   * Records a gap in the meta: gapAt, the first since the last resync (if none is recorded), and
   * lastGapAt, the latest (the resync keeps a gap seen after its start even when an earlier one was
   * recorded first). A later gap already recorded fails the condition: nothing to do.
   */
  private async markGap(cluster: string, now: Date): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: cluster, sk: META_SK },
          UpdateExpression: 'SET gapAt = if_not_exists(gapAt, :at), lastGapAt = :at',
          ConditionExpression: 'attribute_not_exists(lastGapAt) OR lastGapAt < :at',
          ExpressionAttributeValues: { ':at': now.toISOString() },
        }),
      );
    } catch (err) {
      if (!isConditionFailed(err)) throw new StateStoreError(`DynamoDB UpdateItem of the meta of cluster ${cluster} (gapAt) failed: ${(err as Error).message}`, { cause: err });
    }
  }

  async task(cluster: string, taskArn: string): Promise<TaskRecord | undefined> {
    const out = await this.call(`GetItem of ${taskSk(taskArn)} in cluster ${cluster}`, () =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: cluster, sk: taskSk(taskArn) }, ConsistentRead: true })),
    );
    return (out.Item as StoredItem | undefined)?.record as TaskRecord | undefined;
  }

  /**
   * The live records and the meta: one Query of the cluster's partition, every page (a Query reads
   * at most 1 MB, before its filter). Gone items (expired ones are all gone) are filtered by the
   * server: they still cost read units ("a Query consumes the same amount of read capacity,
   * regardless of whether a filter expression is present", Developer Guide, Filter expressions for
   * the Query operation), but are not sent to the Lambda.
   */
  async read(cluster: string): Promise<ClusterState> {
    const state: ClusterState = { tasks: [], instances: [], meta: {} };
    const items = await this.query(cluster, this.consistentRead, true);
    for (const item of items) {
      if (item.sk === META_SK) state.meta = metaOf(item);
      else if (item.sk.startsWith('task#')) state.tasks.push(item.record as TaskRecord);
      else if (item.sk.startsWith('instance#')) state.instances.push(item.record as InstanceRecord);
    }
    return state;
  }

  async meta(cluster: string): Promise<StoreMeta> {
    const out = await this.call(`GetItem of the meta of cluster ${cluster}`, () =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: cluster, sk: META_SK }, ConsistentRead: true })),
    );
    return out.Item ? metaOf(out.Item) : {};
  }

  private async query(cluster: string, consistent: boolean, liveOnly: boolean): Promise<Array<StoredItem & Record<string, unknown>>> {
    const items: Array<StoredItem & Record<string, unknown>> = [];
    const input = {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': cluster, ...(liveOnly ? { ':false': false } : {}) },
      ConsistentRead: consistent,
      // The meta item has no `gone` (a filter may not name the sort key).
      ...(liveOnly ? { FilterExpression: 'gone = :false OR attribute_not_exists(gone)' } : {}),
    };
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.call(`Query of cluster ${cluster}`, () => this.client.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) })));
      items.push(...((page.Items ?? []) as Array<StoredItem & Record<string, unknown>>));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /**
   * Makes the store equal to a full read started at `startedAt`. One consistent Query of what is
   * stored, then only what differs is written, each with its own condition (BatchWriteItem would be
   * fewer requests but "cannot update items" and takes no condition, so it could overwrite an event's
   * newer version written meanwhile; the conditional writes run `resyncConcurrency` at a time, each
   * retried by the SDK when throttled). Items stay as they are when the read is not newer.
   */
  async resync(cluster: string, live: { tasks: TaskRecord[]; instances: InstanceRecord[] }, startedAt: Date): Promise<ResyncResult> {
    const startedMs = startedAt.getTime();
    const result: ResyncResult = { written: 0, markedGone: 0, keptNewer: 0 };
    const stored = new Map<string, StoredItem>();
    let meta: KnownMeta = {};
    for (const item of await this.query(cluster, true, false)) {
      if (item.sk === META_SK) meta = { ...metaOf(item), ...(typeof item.lastGapAt === 'string' ? { lastGapAt: item.lastGapAt } : {}) };
      else stored.set(item.sk, item);
    }
    const writes: Array<() => Promise<void>> = [];
    // What the read lists, one write per item: a read may list a record twice (pages of a list that
    // changed meanwhile); the later listing is compared with the earlier one, as the memory store does.
    const planned = new Map<string, { version: number; gone: boolean; record: TaskRecord | InstanceRecord }>();
    const consider = (sk: string, record: TaskRecord | InstanceRecord, gone: boolean) => {
      const before = stored.get(sk);
      const current = planned.get(sk) ?? (before && !expired(before, startedMs) ? before : undefined);
      if (current && current.version > record.version) {
        result.keptNewer += 1;
        return;
      }
      if (current && current.version === record.version && current.gone === gone && sameRecord(current.record, record)) return;
      // An earlier listing this one replaces counts as written, as it would have been.
      if (planned.has(sk)) result.written += 1;
      planned.set(sk, { version: record.version, gone, record });
    };
    for (const t of live.tasks) consider(taskSk(t.taskArn), t, isStoppedTask(t));
    for (const i of live.instances) consider(instanceSk(i.containerInstanceArn), i, isGoneInstance(i));
    for (const [sk, { record, gone }] of planned)
      writes.push(async () => {
        if (await this.putListed(cluster, sk, record, gone, startedMs)) result.written += 1;
        else result.keptNewer += 1;
      });
    const listed = new Set([...live.tasks.map((t) => taskSk(t.taskArn)), ...live.instances.map((i) => instanceSk(i.containerInstanceArn))]);
    for (const [sk, item] of stored) {
      if (listed.has(sk)) continue;
      // Expired tombstones still cost read units until DynamoDB deletes them, up to days later: delete them now.
      if (item.gone && expired(item, startedMs)) writes.push(() => this.deleteExpired(cluster, sk, startedMs));
      if (item.gone) continue;
      if (item.storedAt >= startedMs) {
        result.keptNewer += 1;
        continue;
      }
      writes.push(async () => {
        if (await this.markGone(cluster, sk, startedMs)) result.markedGone += 1;
        else result.keptNewer += 1;
      });
    }
    await runPool(writes, this.concurrency);
    await this.recordResync(cluster, meta, startedAt);
    return result;
  }

  /** Writes a listed record unless an event stored a newer version meanwhile; false when kept. */
  private async putListed(cluster: string, sk: string, record: TaskRecord | InstanceRecord, gone: boolean, startedMs: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: cluster, sk, record: plain(record), version: record.version, gone, storedAt: startedMs, ...(gone ? { expiresAt: epochSeconds(startedMs) + GONE_TTL_SECONDS } : {}) },
          ConditionExpression: 'attribute_not_exists(pk) OR version <= :v OR expiresAt <= :now',
          ExpressionAttributeValues: { ':v': record.version, ':now': epochSeconds(startedMs) },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw new StateStoreError(`DynamoDB PutItem of ${sk} in cluster ${cluster} (resync) failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Deletes a tombstone past its TTL, unless a newer version was written meanwhile (it has a later or no TTL). */
  private async deleteExpired(cluster: string, sk: string, startedMs: number): Promise<void> {
    try {
      await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: cluster, sk }, ConditionExpression: 'expiresAt <= :now', ExpressionAttributeValues: { ':now': epochSeconds(startedMs) } }));
    } catch (err) {
      if (!isConditionFailed(err)) throw new StateStoreError(`DynamoDB DeleteItem of ${sk} in cluster ${cluster} (resync, expired) failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Marks gone what the full read no longer lists, unless an event wrote it after the read started. */
  private async markGone(cluster: string, sk: string, startedMs: number): Promise<boolean> {
    const isTask = sk.startsWith('task#');
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: cluster, sk },
          UpdateExpression: isTask
            ? 'SET gone = :true, storedAt = :at, expiresAt = :exp, #record.lastStatus = :stopped, #record.desiredStatus = :stopped'
            : 'SET gone = :true, storedAt = :at, expiresAt = :exp, #record.#status = :inactive',
          ConditionExpression: 'attribute_exists(pk) AND storedAt < :at',
          ExpressionAttributeNames: { '#record': 'record', ...(isTask ? {} : { '#status': 'status' }) },
          ExpressionAttributeValues: { ':true': true, ':at': startedMs, ':exp': epochSeconds(startedMs) + GONE_TTL_SECONDS, ...(isTask ? { ':stopped': 'STOPPED' } : { ':inactive': 'INACTIVE' }) },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw new StateStoreError(`DynamoDB UpdateItem of ${sk} in cluster ${cluster} (resync, gone) failed: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Records the resync unless a later one is already recorded, and clears the gap unless one was seen
   * after the read started (not covered by it): the first gap if it is after the start, else the
   * latest if that one is. What the Query saw picks the first attempt; a gap recorded since fails its
   * condition and the next attempt applies. ISO times of one format compare as strings.
   */
  private async recordResync(cluster: string, known: KnownMeta, startedAt: Date): Promise<void> {
    const at = startedAt.toISOString();
    const newer = '(attribute_not_exists(resyncedAt) OR resyncedAt <= :at)';
    const attempts: Array<[string, string]> = [
      // No gap after the start: cleared.
      ['SET resyncedAt = :at REMOVE gapAt, lastGapAt', `${newer} AND (attribute_not_exists(lastGapAt) OR lastGapAt <= :at)`],
      // The first gap before the start, a later one after it: that one stays.
      ['SET resyncedAt = :at, gapAt = lastGapAt', `${newer} AND lastGapAt > :at AND gapAt <= :at`],
      // The first gap after the start: it stays as it is.
      ['SET resyncedAt = :at', newer],
    ];
    const first = known.gapAt !== undefined && known.gapAt > at ? 2 : known.lastGapAt !== undefined && known.lastGapAt > at ? 1 : 0;
    for (const [update, condition] of attempts.slice(first)) {
      try {
        await this.client.send(new UpdateCommand({ TableName: this.tableName, Key: { pk: cluster, sk: META_SK }, UpdateExpression: update, ConditionExpression: condition, ExpressionAttributeValues: { ':at': at } }));
        return;
      } catch (err) {
        if (!isConditionFailed(err)) throw new StateStoreError(`DynamoDB UpdateItem of the meta of cluster ${cluster} (resync) failed: ${(err as Error).message}`, { cause: err });
      }
    }
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new StateStoreError(`DynamoDB ${what} failed: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** The meta item as the resync reads it: the StoreMeta, and the latest gap (internal). */
type KnownMeta = StoreMeta & { lastGapAt?: string };

function metaOf(item: Record<string, unknown>): StoreMeta {
  const meta: StoreMeta = {};
  if (typeof item.resyncedAt === 'string') meta.resyncedAt = item.resyncedAt;
  if (typeof item.gapAt === 'string') meta.gapAt = item.gapAt;
  return meta;
}

/**
 * The stored version a failed condition returned (ReturnValuesOnConditionCheckFailure: the item, in
 * DynamoDB's marshalled form — the Document client does not unmarshall errors). Not expired, or the
 * condition would have passed.
 */
function storedVersionOf(err: unknown): Versioned | undefined {
  const n = (err as { Item?: Record<string, { N?: string }> }).Item?.version?.N;
  return n === undefined ? undefined : { version: Number(n) };
}

/** Runs the tasks `width` at a time; after a failure no new one starts, and the first failure rejects. */
async function runPool(tasks: Array<() => Promise<unknown>>, width: number): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < tasks.length) {
      const task = tasks[next++]!;
      try {
        await task();
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker));
}
