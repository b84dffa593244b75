/**
 * No decision is taken from a store older than its bound: whatever the order of reconcile ticks and
 * other duties' reads, their times, and the gaps seen, a whole-cluster read served from the store
 * always has a full read no older than resyncMinutes + the 5-minute grace (the reconcile: no older
 * than one slot), and after a gap a full read follows once gapResyncMinutes have passed.
 */
import fc from 'fast-check';
import { clusterRecords } from '../../src/aws/cluster-state.js';
import { awsClients } from '../../src/aws/clients.js';
import { MemoryStateStore } from '../../src/state/memory-store.js';
import { FULL_READ_GRACE_MINUTES, type StateAccess } from '../../src/state/store.js';
import { demoConfig, NOW } from '../support/handlers.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';

const RUNS = Number(process.env.FC_RUNS ?? 200);
const MARGIN_MINUTES = 1;

describe('Store reads stay within their bound (property)', () => {
  let aws: MockedAws;
  beforeAll(() => {
    aws = mockAws();
  });
  afterAll(() => aws.restore());

  it(`holds over random invocation sequences (${RUNS} runs)`, async () => {
    const cluster = demoConfig().clusters[0]!;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 5, max: 120 }),
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.record({ gapMinutes: fc.integer({ min: 1, max: 90 }), reconcile: fc.boolean(), gap: fc.boolean() }), { minLength: 1, maxLength: 40 }),
        async (everyMinutes, gapResyncMinutes, steps) => {
          const store = new MemoryStateStore();
          const state: StateAccess = { store, policy: { everyMinutes, gapResyncMinutes } };
          let t = NOW.getTime();
          for (const step of steps) {
            t += step.gapMinutes * 60_000;
            const now = new Date(t);
            if (step.gap) {
              // An instance event that skips versions (or a first event: no gap).
              const stored = (await store.read(cluster.name)).instances[0];
              if (stored) await store.applyInstance(cluster.name, { ...stored, version: stored.version + 3 }, now);
            }
            const before = await store.meta(cluster.name);
            const ctx = { clients: awsClients(), cluster, now, state: step.reconcile ? { ...state, fullReads: true } : state };
            const read = await clusterRecords(ctx, () => false);
            if (read.source === 'store') {
              const age = (t - Date.parse(before.resyncedAt!)) / 60_000 - MARGIN_MINUTES;
              expect(age).toBeLessThan(everyMinutes + (step.reconcile ? 0 : FULL_READ_GRACE_MINUTES));
              if (step.reconcile && before.gapAt) expect(age).toBeLessThan(gapResyncMinutes);
            } else {
              // A full read: recorded, and what the store now holds is that read.
              const after = await store.meta(cluster.name);
              expect(Date.parse(after.resyncedAt!)).toBe(t - MARGIN_MINUTES * 60_000);
              expect((await store.read(cluster.name)).instances).toHaveLength(read.instances.length);
            }
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
