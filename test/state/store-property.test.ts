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
