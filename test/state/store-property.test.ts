/**
 * Properties of the state store on a real DynamoDB-compatible server (dynalite, jest's global setup):
 * random cluster histories whose events arrive with duplicates, reordering and drops; then a resync
 * with the full read of the final state. Each run uses a fresh cluster key in the one table.
 * Runs: FC_RUNS (default 200).
 */
import fc from 'fast-check';
import { DynamoStateStore } from '../../src/aws/state-store.js';
import { resyncDue, type StoreMeta } from '../../src/core/state/freshness.js';
import { MemoryStateStore } from '../../src/state/memory-store.js';
import type { InstanceRecord, TaskRecord } from '../../src/state/records.js';
import type { ApplyResult } from '../../src/state/store.js';
import { dynaliteClient, type Dynalite } from '../support/dynalite-client.js';
import { aTaskRecord, anInstanceRecord, byArn } from './record-builders.js';

const RUNS = Math.max(1, Number(process.env.FC_RUNS ?? 200));
const T0 = Date.parse('2026-12-01T10:00:00.000Z');

let dynamo: Dynalite;
beforeAll(() => {
  dynamo = dynaliteClient();
});
afterAll(() => dynamo.destroy());

type Event = { kind: 'task'; record: TaskRecord } | { kind: 'instance'; record: InstanceRecord };
const arnOf = (e: Event) => (e.kind === 'task' ? e.record.taskArn : e.record.containerInstanceArn);

/** An instance's states: registers ACTIVE, maybe a few task-count changes, then maybe DRAINING, then maybe INACTIVE. */
const instanceHistory = (id: string) =>
  fc.record({ updates: fc.integer({ min: 0, max: 2 }), stage: fc.constantFrom('ACTIVE', 'DRAINING', 'INACTIVE') }).map(({ updates, stage }) => {
    const statuses = ['ACTIVE', ...Array.from({ length: updates }, () => 'ACTIVE'), ...(stage === 'ACTIVE' ? [] : ['DRAINING']), ...(stage === 'INACTIVE' ? ['INACTIVE'] : [])];
    return statuses.map((status, i): Event => ({ kind: 'instance', record: anInstanceRecord(id, { version: i + 1, status, runningTasksCount: i }) }));
  });

/** A task's states: PROVISIONING → PENDING → RUNNING → (desired STOPPED) → STOPPED, as far as it got. */
const TASK_STAGES = [
  ['PROVISIONING', 'RUNNING'],
  ['PENDING', 'RUNNING'],
  ['RUNNING', 'RUNNING'],
  ['RUNNING', 'STOPPED'],
  ['STOPPED', 'STOPPED'],
] as const;
const taskHistory = (id: string, instances: number) =>
  fc.record({ stages: fc.integer({ min: 1, max: TASK_STAGES.length }), on: fc.integer({ min: 1, max: Math.max(1, instances) }) }).map(({ stages, on }) =>
    TASK_STAGES.slice(0, stages).map(([lastStatus, desiredStatus], i): Event => ({
      kind: 'task',
      record: aTaskRecord(id, { version: i + 1, lastStatus, desiredStatus, containerInstanceArn: anInstanceRecord(String(on)).containerInstanceArn }),
    })),
  );

/** A history, and how its events arrive: each dropped or delivered once or twice, in a random order. */
const scenario = fc
  .record({ instances: fc.integer({ min: 0, max: 3 }), tasks: fc.integer({ min: 0, max: 5 }) })
  .chain(({ instances, tasks }) =>
    fc.tuple(fc.tuple(...Array.from({ length: instances }, (_, i) => instanceHistory(String(i + 1)))), fc.tuple(...Array.from({ length: tasks }, (_, i) => taskHistory(`t${i + 1}`, instances)))),
  )
  .chain(([instances, tasks]) => {
    const histories = [...instances, ...tasks];
    const events = histories.flat();
    return fc.record({
      histories: fc.constant(histories),
      copies: fc.array(fc.constantFrom(0, 1, 1, 1, 2), { minLength: events.length, maxLength: events.length }),
      order: fc.array(fc.nat(), { minLength: events.length * 2, maxLength: events.length * 2 }),
    });
  });

function deliveries(histories: Event[][], copies: number[], order: number[]): Event[] {
  const sent = histories.flat().flatMap((e, i) => Array.from({ length: copies[i]! }, () => e));
  return sent.map((e, i) => ({ e, key: order[i] ?? 0, i })).sort((a, b) => a.key - b.key || a.i - b.i).map((x) => x.e);
}

/** What the APIs would list at the end: tasks not yet stopped (desired RUNNING or STOPPED), instances not deregistered. */
function fullRead(histories: Event[][]): { tasks: TaskRecord[]; instances: InstanceRecord[] } {
  const finals = histories.map((h) => h[h.length - 1]!);
  return {
    tasks: finals.flatMap((e) => (e.kind === 'task' && e.record.lastStatus !== 'STOPPED' ? [e.record] : [])),
    instances: finals.flatMap((e) => (e.kind === 'instance' && e.record.status !== 'INACTIVE' ? [e.record] : [])),
  };
}

let runs = 0;

const apply = (store: DynamoStateStore, cluster: string, e: Event, now: Date): Promise<ApplyResult> => (e.kind === 'task' ? store.applyTask(cluster, e.record, now) : store.applyInstance(cluster, e.record, now));

/** Delivers `width` events at a time, concurrently (the state function runs batches in parallel). */
async function deliverConcurrently(store: DynamoStateStore, cluster: string, events: Event[], fromMs: number, width: number): Promise<ApplyResult[]> {
  const results: ApplyResult[] = [];
  for (let i = 0; i < events.length; i += width) results.push(...(await Promise.all(events.slice(i, i + width).map((e, j) => apply(store, cluster, e, new Date(fromMs + (i + j) * 1000))))));
  return results;
}

const live = (e: Event) => (e.kind === 'task' ? e.record.lastStatus !== 'STOPPED' : e.record.status !== 'INACTIVE');

describe('Property: DynamoStateStore on dynalite', () => {
  it('after events with duplicates, reordering and drops, holds the latest delivered version of each record; after a resync with the full read, equals it', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ histories, copies, order }) => {
        // Prepare
        runs += 1;
        const cluster = `property-${process.pid}-${runs}`;
        const store = new DynamoStateStore(dynamo.client, dynamo.tableName);
        const reference = new MemoryStateStore();
        const arrived = deliveries(histories, copies, order);
        // Act: deliver, one event a second.
        const results: ApplyResult[] = [];
        const expected: ApplyResult[] = [];
        for (const [i, e] of arrived.entries()) {
          const now = new Date(T0 + i * 1000);
          results.push(e.kind === 'task' ? await store.applyTask(cluster, e.record, now) : await store.applyInstance(cluster, e.record, now));
          expected.push(e.kind === 'task' ? await reference.applyTask(cluster, e.record, now) : await reference.applyInstance(cluster, e.record, now));
        }
        // Assess: the same answers as the reference store, event by event.
        expect(results).toEqual(expected);
        // Each record is exactly the latest version delivered (older than the history's last only where its later events were dropped).
        const latest = histories.flatMap((h) => {
          const delivered = h.filter((e) => arrived.includes(e));
          return delivered.length > 0 ? [delivered[delivered.length - 1]!] : [];
        });
        const before = await store.read(cluster);
        expect(byArn(before.tasks)).toEqual(byArn(latest.flatMap((e) => (e.kind === 'task' && e.record.lastStatus !== 'STOPPED' ? [e.record] : []))));
        expect(byArn(before.instances)).toEqual(byArn(latest.flatMap((e) => (e.kind === 'instance' && e.record.status !== 'INACTIVE' ? [e.record] : []))));
        for (const h of histories.filter((x) => x[0]!.kind === 'task')) {
          const last = latest.find((e) => arnOf(e) === arnOf(h[0]!));
          expect(await store.task(cluster, arnOf(h[0]!))).toEqual(last?.record);
        }
        expect(before.meta).toEqual(await reference.meta(cluster));

        // Act: a full read that started after the last event.
        const live = fullRead(histories);
        const startedAt = new Date(T0 + (arrived.length + 10) * 1000);
        const resynced = await store.resync(cluster, live, startedAt);
        // Assess
        expect(resynced).toEqual(await reference.resync(cluster, live, startedAt));
        const after = await store.read(cluster);
        expect(byArn(after.tasks)).toEqual(byArn(live.tasks));
        expect(byArn(after.instances)).toEqual(byArn(live.instances));
        expect(after.meta).toEqual({ resyncedAt: startedAt.toISOString() });
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});

describe('Property: DynamoStateStore on dynalite, concurrent writers', () => {
  // Each history is cut where the full read happens: events before it arrive (concurrently, with
  // duplicates, reordering and drops) before the read starts, events after it arrive while the resync runs.
  const concurrent = scenario.chain(({ histories, copies, order }) =>
    fc.record({
      histories: fc.constant(histories),
      copies: fc.constant(copies),
      order: fc.constant(order),
      cuts: fc.tuple(...histories.map((h) => fc.integer({ min: 0, max: h.length }))),
      // A live record the read does not list (it changed between the read's pages): marked gone, unless an event writes it after the start.
      missed: fc.tuple(...histories.map(() => fc.boolean())),
      width: fc.integer({ min: 2, max: 6 }),
    }),
  );

  it('ends, after a resync racing late events, with the newest of the read and the events for each record, and a gap recorded exactly when a late event saw one', async () => {
    await fc.assert(
      fc.asyncProperty(concurrent, async ({ histories, copies, order, cuts, missed, width }) => {
        // Prepare
        runs += 1;
        const cluster = `concurrent-${process.pid}-${runs}`;
        const store = new DynamoStateStore(dynamo.client, dynamo.tableName, { resyncConcurrency: 4 });
        const arrived = deliveries(histories, copies, order);
        const isLate = (e: Event) => histories.some((h, i) => h.indexOf(e) >= cuts[i]!);
        const atRead = histories.flatMap((h, i) => (cuts[i]! > 0 ? [h[cuts[i]! - 1]!] : []));
        const listed = (e: Event) => live(e) && !histories.some((h, i) => missed[i] && h[cuts[i]! - 1] === e);
        const startedAt = T0 + 3_600_000;
        // Act
        await deliverConcurrently(store, cluster, arrived.filter((e) => !isLate(e)), T0, width);
        const read = { tasks: atRead.flatMap((e) => (e.kind === 'task' && listed(e) ? [e.record] : [])), instances: atRead.flatMap((e) => (e.kind === 'instance' && listed(e) ? [e.record] : [])) };
        const [, late] = await Promise.all([store.resync(cluster, read, new Date(startedAt)), deliverConcurrently(store, cluster, arrived.filter(isLate), startedAt + 1000, width)]);
        // Assess: per record, the highest version among the read and every delivered event — for a
        // live record the read missed, among the events after the start only (the rest it marked gone).
        const newest = histories.flatMap((h, i) => {
          const atCut = cuts[i]! > 0 ? h[cuts[i]! - 1]! : undefined;
          const wasMissed = atCut !== undefined && live(atCut) && !listed(atCut);
          const candidates = wasMissed ? h.filter((e) => arrived.includes(e) && isLate(e)) : [...h.filter((e) => arrived.includes(e)), ...(atCut ? [atCut] : [])];
          return candidates.length > 0 ? [candidates.reduce((a, b) => (b.record.version > a.record.version ? b : a))] : [];
        });
        const state = await store.read(cluster);
        expect(byArn(state.tasks)).toEqual(byArn(newest.flatMap((e) => (e.kind === 'task' && live(e) ? [e.record] : []))));
        expect(byArn(state.instances)).toEqual(byArn(newest.flatMap((e) => (e.kind === 'instance' && live(e) ? [e.record] : []))));
        expect(state.meta.resyncedAt).toBe(new Date(startedAt).toISOString());
        expect(state.meta.gapAt !== undefined).toBe(late.some((r) => r.gap));
      }),
      { numRuns: Math.max(10, Math.round(RUNS / 2)) },
    );
  }, 120_000);
});

describe('Property: resyncDue', () => {
  const policy = fc.record({ everyMinutes: fc.integer({ min: 1, max: 24 * 60 }), gapResyncMinutes: fc.integer({ min: 1, max: 120 }), offsetMinutes: fc.option(fc.integer({ min: 0, max: 24 * 60 }), { nil: undefined }) });
  const minutes = (m: number) => m * 60_000;

  it('never allows a state whose last full read is one period old or older, nor one with a gap once gapResyncMinutes have passed', () => {
    fc.assert(
      fc.property(
        policy,
        fc.option(fc.integer({ min: 0, max: 10 * 365 * 24 * 60 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
        fc.integer({ min: -5, max: 3 * 24 * 60 * 60 }),
        (p, resyncedMin, gapAfterMin, ageSeconds) => {
          // Prepare
          const resynced = resyncedMin === undefined ? undefined : T0 + minutes(resyncedMin);
          const meta: StoreMeta = {
            ...(resynced !== undefined ? { resyncedAt: new Date(resynced).toISOString() } : {}),
            ...(resynced !== undefined && gapAfterMin !== undefined ? { gapAt: new Date(resynced + minutes(gapAfterMin)).toISOString() } : {}),
          };
          const now = new Date((resynced ?? T0) + ageSeconds * 1000);
          // Act
          const due = resyncDue(meta, now, p);
          // Assess
          if (resynced === undefined) return expect(due).toBeDefined();
          const age = now.getTime() - resynced;
          if (age >= minutes(p.everyMinutes)) expect(due).toBeDefined();
          if (meta.gapAt !== undefined && age >= minutes(p.gapResyncMinutes)) expect(due).toBeDefined();
          if (due === undefined) expect(age).toBeLessThan(minutes(p.everyMinutes));
        },
      ),
      { numRuns: Math.max(RUNS, 1000) },
    );
  });
});
