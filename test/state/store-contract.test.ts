/**
 * The StateStore contract: one table of cases, run against MemoryStateStore and against
 * DynamoStateStore on a real DynamoDB-compatible server (dynalite, started by jest's global setup).
 * Each case uses its own cluster key, so the cases share one table as clusters share the deployed one.
 */
import { DynamoStateStore } from '../../src/aws/state-store.js';
import { MemoryStateStore } from '../../src/state/memory-store.js';
import { GONE_TTL_SECONDS, type StateStore } from '../../src/state/store.js';
import { dynaliteClient, type Dynalite } from '../support/dynalite-client.js';
import { aTaskRecord, anInstanceRecord, byArn } from './record-builders.js';

const T0 = new Date('2026-12-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

let dynamo: Dynalite;
let queries = 0;
beforeAll(() => {
  dynamo = dynaliteClient();
  // Counts the Query pages the store asks for (the pagination case), then lets the call through.
  dynamo.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'QueryCommand') queries += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countQueries' },
  );
});
afterAll(() => dynamo.destroy());

let clusters = 0;
const stores: Array<[string, () => StateStore]> = [
  ['MemoryStateStore', () => new MemoryStateStore()],
  ['DynamoStateStore on dynalite', () => new DynamoStateStore(dynamo.client, dynamo.tableName)],
];

describe.each(stores)('Contract: %s', (_name, makeStore) => {
  let store: StateStore;
  let cluster: string;
  beforeEach(() => {
    store = makeStore();
    clusters += 1;
    cluster = `contract-${process.pid}-${clusters}`;
  });

  it('applies a new record, calls a repeat a duplicate and an older one stale, and keeps the newest', async () => {
    // Prepare
    const v1 = aTaskRecord('a', { version: 1, lastStatus: 'PENDING' });
    const v2 = aTaskRecord('a', { version: 2, lastStatus: 'RUNNING' });
    // Act
    const results = [await store.applyTask(cluster, v1, at(0)), await store.applyTask(cluster, v2, at(1)), await store.applyTask(cluster, v2, at(2)), await store.applyTask(cluster, v1, at(3))];
    // Assess
    expect(results).toEqual([
      { verdict: 'apply', gap: false },
      { verdict: 'apply', gap: false },
      { verdict: 'duplicate', gap: false },
      { verdict: 'stale', gap: false },
    ]);
    expect((await store.read(cluster)).tasks).toEqual([v2]);
    expect(await store.task(cluster, v2.taskArn)).toEqual(v2);
  });

  it('keeps the newest whatever the delivery order; a skipped version is a gap, recorded once in the meta', async () => {
    const v = (n: number) => anInstanceRecord('1', { version: n, runningTasksCount: n });
    expect(await store.applyInstance(cluster, v(1), at(0))).toEqual({ verdict: 'apply', gap: false });
    expect(await store.applyInstance(cluster, v(3), at(10))).toEqual({ verdict: 'apply', gap: true });
    expect(await store.applyInstance(cluster, v(2), at(20))).toEqual({ verdict: 'stale', gap: false });
    expect(await store.applyInstance(cluster, v(6), at(30))).toEqual({ verdict: 'apply', gap: true });
    const state = await store.read(cluster);
    expect(state.instances).toEqual([v(6)]);
    expect(state.meta).toEqual({ gapAt: at(10).toISOString() });
    expect(await store.meta(cluster)).toEqual({ gapAt: at(10).toISOString() });
  });

  it('takes any version of a record it has never seen, without a gap', async () => {
    expect(await store.applyTask(cluster, aTaskRecord('x', { version: 7 }), at(0))).toEqual({ verdict: 'apply', gap: false });
    expect(await store.meta(cluster)).toEqual({});
  });

  it('hides gone tasks and instances from read but keeps them against older events', async () => {
    // Prepare
    await store.applyTask(cluster, aTaskRecord('a', { version: 4 }), at(0));
    await store.applyInstance(cluster, anInstanceRecord('1', { version: 2 }), at(0));
    const stopped = aTaskRecord('a', { version: 5, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' });
    const inactive = anInstanceRecord('1', { version: 3, status: 'INACTIVE' });
    // Act
    expect(await store.applyTask(cluster, stopped, at(1))).toEqual({ verdict: 'apply', gap: false });
    expect(await store.applyInstance(cluster, inactive, at(1))).toEqual({ verdict: 'apply', gap: false });
    const late = [await store.applyTask(cluster, aTaskRecord('a', { version: 4 }), at(2)), await store.applyInstance(cluster, anInstanceRecord('1', { version: 2 }), at(2))];
    // Assess
    expect(late.map((r) => r.verdict)).toEqual(['stale', 'stale']);
    expect(await store.read(cluster)).toEqual({ tasks: [], instances: [], meta: {} });
    expect(await store.task(cluster, stopped.taskArn)).toEqual(stopped);
  });

  it('treats a tombstone past its TTL as absent (DynamoDB deletes expired items lazily)', async () => {
    const stopped = aTaskRecord('a', { version: 5, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' });
    await store.applyTask(cluster, stopped, at(0));
    // One second before the TTL the tombstone still holds; at the TTL it no longer counts.
    expect(await store.applyTask(cluster, aTaskRecord('a', { version: 3 }), at(GONE_TTL_SECONDS - 1))).toEqual({ verdict: 'stale', gap: false });
    expect(await store.applyTask(cluster, aTaskRecord('a', { version: 3 }), at(GONE_TTL_SECONDS))).toEqual({ verdict: 'apply', gap: false });
    expect((await store.read(cluster)).tasks).toEqual([aTaskRecord('a', { version: 3 })]);
  });

  it('resync drops tombstones past their TTL (reads stop paying for them) and keeps the others', async () => {
    const stopped = (id: string) => aTaskRecord(id, { version: 5, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' });
    await store.applyTask(cluster, stopped('old'), at(0));
    await store.applyTask(cluster, stopped('recent'), at(3600));
    await store.resync(cluster, { tasks: [], instances: [] }, at(GONE_TTL_SECONDS));
    expect(await store.task(cluster, stopped('old').taskArn)).toBeUndefined();
    expect(await store.task(cluster, stopped('recent').taskArn)).toEqual(stopped('recent'));
  });

  it('resync, too, treats a tombstone past its TTL as absent: the listed record is written', async () => {
    await store.applyTask(cluster, aTaskRecord('a', { version: 5, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }), at(0));
    expect(await store.resync(cluster, { tasks: [aTaskRecord('a', { version: 3 })], instances: [] }, at(GONE_TTL_SECONDS))).toEqual({ written: 1, markedGone: 0, keptNewer: 0 });
    expect((await store.read(cluster)).tasks).toEqual([aTaskRecord('a', { version: 3 })]);
  });

  it('resync writes what the full read lists and keeps a newer version an event wrote meanwhile', async () => {
    // Prepare: an event at startedAt + 1 s wrote version 5; the full read (started earlier) saw 4.
    await store.applyTask(cluster, aTaskRecord('a', { version: 5, lastStatus: 'RUNNING' }), at(1));
    const listed = [aTaskRecord('a', { version: 4, lastStatus: 'PENDING' }), aTaskRecord('b', { version: 2 })];
    // Act
    const result = await store.resync(cluster, { tasks: listed, instances: [anInstanceRecord('1')] }, at(0));
    // Assess
    expect(result).toEqual({ written: 2, markedGone: 0, keptNewer: 1 });
    const state = await store.read(cluster);
    expect(byArn(state.tasks)).toEqual(byArn([aTaskRecord('a', { version: 5, lastStatus: 'RUNNING' }), aTaskRecord('b', { version: 2 })]));
    expect(state.instances).toEqual([anInstanceRecord('1')]);
    expect(state.meta).toEqual({ resyncedAt: at(0).toISOString() });
  });

  it('resync overwrites an older or equal-but-different version, and rewrites nothing that is the same (field order aside)', async () => {
    await store.applyTask(cluster, aTaskRecord('a', { version: 2, lastStatus: 'PENDING' }), at(-60));
    await store.applyTask(cluster, aTaskRecord('b', { version: 3 }), at(-60));
    const reordered = Object.fromEntries(Object.entries(aTaskRecord('b', { version: 3 })).reverse()) as ReturnType<typeof aTaskRecord>;
    const first = await store.resync(cluster, { tasks: [aTaskRecord('a', { version: 3 }), reordered], instances: [] }, at(0));
    const again = await store.resync(cluster, { tasks: [aTaskRecord('a', { version: 3 }), aTaskRecord('b', { version: 3 })], instances: [] }, at(60));
    expect(first).toEqual({ written: 1, markedGone: 0, keptNewer: 0 });
    expect(again).toEqual({ written: 0, markedGone: 0, keptNewer: 0 });
    expect(byArn((await store.read(cluster)).tasks)).toEqual(byArn([aTaskRecord('a', { version: 3 }), aTaskRecord('b', { version: 3 })]));
  });

  it('resync takes a record listed twice once, the newer listing winning', async () => {
    await store.applyTask(cluster, aTaskRecord('a', { version: 1 }), at(-60));
    const listed = [aTaskRecord('a', { version: 2 }), aTaskRecord('a', { version: 3 }), aTaskRecord('b'), aTaskRecord('b'), aTaskRecord('c', { version: 5 }), aTaskRecord('c', { version: 4 })];
    expect(await store.resync(cluster, { tasks: listed, instances: [] }, at(0))).toEqual({ written: 4, markedGone: 0, keptNewer: 1 });
    expect(byArn((await store.read(cluster)).tasks)).toEqual(byArn([aTaskRecord('a', { version: 3 }), aTaskRecord('b'), aTaskRecord('c', { version: 5 })]));
  });

  it('resync marks gone what the full read does not list, unless an event stored it after the read started', async () => {
    // Prepare
    await store.applyTask(cluster, aTaskRecord('old', { version: 3 }), at(-600));
    await store.applyInstance(cluster, anInstanceRecord('1', { version: 2 }), at(-600));
    await store.applyTask(cluster, aTaskRecord('new', { version: 1 }), at(5));
    // Act
    const result = await store.resync(cluster, { tasks: [], instances: [] }, at(0));
    // Assess
    expect(result).toEqual({ written: 0, markedGone: 2, keptNewer: 1 });
    const state = await store.read(cluster);
    expect(state.tasks).toEqual([aTaskRecord('new', { version: 1 })]);
    expect(state.instances).toEqual([]);
    expect(await store.task(cluster, aTaskRecord('old').taskArn)).toEqual(aTaskRecord('old', { version: 3, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }));
    // The tombstone still blocks a late event of the same version, and a newer one brings it back.
    expect(await store.applyInstance(cluster, anInstanceRecord('1', { version: 2 }), at(10))).toEqual({ verdict: 'duplicate', gap: false });
    expect(await store.applyInstance(cluster, anInstanceRecord('1', { version: 3 }), at(10))).toEqual({ verdict: 'apply', gap: false });
    expect((await store.read(cluster)).instances).toEqual([anInstanceRecord('1', { version: 3 })]);
  });

  it('resync takes a listed stopped task as a tombstone (hidden, blocking older events)', async () => {
    await store.applyTask(cluster, aTaskRecord('a', { version: 2 }), at(-60));
    const stopped = aTaskRecord('a', { version: 4, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' });
    expect(await store.resync(cluster, { tasks: [stopped], instances: [] }, at(0))).toEqual({ written: 1, markedGone: 0, keptNewer: 0 });
    expect((await store.read(cluster)).tasks).toEqual([]);
    expect(await store.applyTask(cluster, aTaskRecord('a', { version: 3 }), at(1))).toEqual({ verdict: 'stale', gap: false });
  });

  it('resync clears a gap seen before the read started, keeps one seen after it, and never moves resyncedAt back', async () => {
    // A gap before the read: cleared.
    await store.applyTask(cluster, aTaskRecord('a', { version: 1 }), at(-120));
    await store.applyTask(cluster, aTaskRecord('a', { version: 3 }), at(-60));
    expect(await store.meta(cluster)).toEqual({ gapAt: at(-60).toISOString() });
    await store.resync(cluster, { tasks: [aTaskRecord('a', { version: 3 })], instances: [] }, at(0));
    expect(await store.meta(cluster)).toEqual({ resyncedAt: at(0).toISOString() });
    // A gap after the next read started: kept.
    await store.applyTask(cluster, aTaskRecord('a', { version: 5 }), at(130));
    await store.resync(cluster, { tasks: [aTaskRecord('a', { version: 5 })], instances: [] }, at(120));
    expect(await store.meta(cluster)).toEqual({ resyncedAt: at(120).toISOString(), gapAt: at(130).toISOString() });
    // An older read finishing late records nothing.
    await store.resync(cluster, { tasks: [aTaskRecord('a', { version: 5 })], instances: [] }, at(60));
    expect(await store.meta(cluster)).toEqual({ resyncedAt: at(120).toISOString(), gapAt: at(130).toISOString() });
  });

  it('resync keeps a gap seen after the read started even when an earlier gap was already recorded', async () => {
    // A gap before the read (recorded), then another after the read started, before the read is written back.
    await store.applyTask(cluster, aTaskRecord('a', { version: 1 }), at(-120));
    await store.applyTask(cluster, aTaskRecord('a', { version: 3 }), at(-60));
    await store.applyInstance(cluster, anInstanceRecord('1', { version: 1 }), at(-120));
    await store.applyInstance(cluster, anInstanceRecord('1', { version: 4 }), at(30));
    expect(await store.meta(cluster)).toEqual({ gapAt: at(-60).toISOString() });
    await store.resync(cluster, { tasks: [aTaskRecord('a', { version: 3 })], instances: [anInstanceRecord('1', { version: 4 })] }, at(0));
    // The second gap's lost event may be after the read's start: a gap is still recorded.
    expect(await store.meta(cluster)).toEqual({ resyncedAt: at(0).toISOString(), gapAt: at(30).toISOString() });
    // The next read, started after it, clears it.
    await store.resync(cluster, { tasks: [aTaskRecord('a', { version: 3 })], instances: [anInstanceRecord('1', { version: 4 })] }, at(60));
    expect(await store.meta(cluster)).toEqual({ resyncedAt: at(60).toISOString() });
  });

  it('answers an unknown cluster with an empty state', async () => {
    expect(await store.read(cluster)).toEqual({ tasks: [], instances: [], meta: {} });
    expect(await store.meta(cluster)).toEqual({});
    expect(await store.task(cluster, aTaskRecord('a').taskArn)).toBeUndefined();
  });

  it('reads a partition larger than one Query page (1 MB) whole', async () => {
    // Prepare: 1 100 tasks of about 1 KB each, over 1 MB of records.
    const padding = 'x'.repeat(700);
    const tasks = Array.from({ length: 1100 }, (_, i) => aTaskRecord(`big-${i}`, { version: 1 + (i % 5), startedBy: padding }));
    const instances = Array.from({ length: 20 }, (_, i) => anInstanceRecord(String(i)));
    expect(tasks.reduce((n, t) => n + JSON.stringify(t).length, 0)).toBeGreaterThan(1024 * 1024);
    await store.resync(cluster, { tasks, instances }, at(0));
    queries = 0;
    // Act
    const state = await store.read(cluster);
    // Assess
    expect(state.tasks).toHaveLength(1100);
    expect(byArn(state.tasks)).toEqual(byArn(tasks));
    expect(byArn(state.instances)).toEqual(byArn(instances));
    expect(state.meta).toEqual({ resyncedAt: at(0).toISOString() });
    if (store instanceof DynamoStateStore) expect(queries).toBeGreaterThan(1);
  });
});
