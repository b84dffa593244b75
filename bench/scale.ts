/**
 * npm run bench:scale [-- --json] [-- --max=<instances>] [-- --no-store] — ecs-pilot at the largest ECS
 * clusters: 100 → 5 000 container instances of 10 tasks each, and 3 clusters of 5 000, through the real
 * duties' code against the simulated AWS. Per reconcile tick (one invocation per cluster) and per event:
 * ECS bucket reads (ListTasks, DescribeTasks, List/DescribeContainerInstances, ListAttributes), in-process time and peak
 * heap; the day-average read rate against ECS's ~20/s read bucket, from the event rates below.
 *
 * With the state store (default, as deployed; `--no-store`: every duty reads the APIs, as before the
 * store): the duties read the cluster from an in-memory store (src/state/memory-store.ts, the same rules
 * as the DynamoDB one). Measured per cluster: the full-read tick (the reconcile reads the APIs in full and
 * resyncs the store: once per `stateStore.resyncMinutes`, 60 by default, each cluster in its own minute of
 * the hour), the store tick (no ECS read for the cluster) and its steady state, and the per-event paths.
 *
 * Assumptions (stated, not measured — AWS publishes no event rates):
 * - reconcile: one tick per cluster per minute (1 440 a day);
 * - task churn: 2 % of the tasks replaced per hour; their PROVISIONING events reach the capacity
 *   function in SQS batches (10 s window), so at most one batch per 10 s per cluster;
 * - instance churn: 5 % of the instances replaced per day (spot interruptions, scale-in); each sends
 *   one ECS Container Instance State Change per task stop while DRAINING (tasks + 1), one terminate hook;
 * - agent reconnects and other ACTIVE container-instance events: the rule passes only DRAINING ones,
 *   so they invoke nothing;
 * - reads happen under the default API budget (half the bucket: 50 burst, 10/s), so ecs-pilot sends at
 *   most burst + refill = 60 reads in any second; in-process time excludes both AWS latency and the
 *   budget's waits (the minimum wait is printed).
 * With the store, also:
 * - one full-read tick per cluster per hour (24 a day); no event lost. A lost event (a version skipped)
 *   makes a full read due once `gapResyncMinutes` (10) have passed: the worst case, a gap every period,
 *   is 6 full reads an hour, printed as `worst case`;
 * - the state function's events: per replaced task 8 (the old one desired STOPPED and STOPPED, the new
 *   one PROVISIONING, PENDING, RUNNING; three of its instance for the resources and counts); per replaced
 *   instance 3 (registration, DRAINING, deregistration); agent reconnects: ECS says the agent disconnects
 *   and reconnects "several times per hour" — 6 an hour, 2 events each (the less favourable reading);
 * - heap: the heap an invocation adds, sampled at each AWS call and at its end, with a full GC every 25
 *   calls: garbage not yet collected is included (it over-states the live heap at those moments; a
 *   peak between two samples may be missed). The live heap after those GCs is printed beside it. It
 *   includes the in-memory store's records, which on AWS are the DynamoDB Query's items;
 * - DynamoDB requests: one conditional write per event (duplicates and gaps rarely add a read or an
 *   update, not counted); per store read a GetItem (meta) and the Query's pages (1 MB each, the stored
 *   items' JSON size); per full read the Query, a conditional write per changed record and the meta update.
 */
import { withColdCaches, type Clients } from '../src/aws/clients.js';
import { ApiBudgetSchema, type ControllerConfig } from '../src/config/schema.js';
import { parseConfig } from '../src/config/load.js';
import { runDuty, type AnyDuty } from '../src/controller.js';
import type { Snapshot } from '../src/core/model.js';
import { generatedCluster } from './generated-cluster.js';
import { DUTIES } from '../src/duties/index.js';
import { runSqsBatch } from '../src/handlers/sqs-batch.js';
import { SimulatedAws } from '../src/sim/simulated-aws.js';
import { resyncDue, resyncOffsetMinutes } from '../src/core/state/freshness.js';
import { MemoryStateStore } from '../src/state/memory-store.js';
import { instanceRecord, taskRecord, type InstanceRecord, type TaskRecord } from '../src/state/records.js';
import type { SimInstance, SimTask } from '../src/sim/state.js';
import type { StateAccess } from '../src/state/store.js';
import type { SQSEvent } from 'aws-lambda';
import { type Figures, flatten, writeFigures } from './figures.js';

const TASKS_PER_INSTANCE = 10;
const BUCKET_REFILL = 20;
const BUDGET = ApiBudgetSchema.parse({});
const BUDGET_BURST = Math.floor(BUDGET.ecsReadBurst * BUDGET.ecsReadShare);
const BUDGET_REFILL = BUDGET.ecsReadRefillPerSecond * BUDGET.ecsReadShare;
// ListAttributes (the store reads ecs-pilot's marks fresh with it): AWS does not say which bucket it
// draws on; counted in the read bucket, the less favourable reading.
const BUCKET_READS = new Set(['ListTasks', 'DescribeTasks', 'ListContainerInstances', 'DescribeContainerInstances', 'ListAttributes']);
const NOW = new Date('2026-11-24T12:00:10Z');
const RECONNECTS_PER_HOUR = 6;
const gc = (globalThis as { gc?: () => void }).gc;

const cluster = (name: string, instances: number): Snapshot =>
  generatedCluster({ name, instances, tasksPerInstance: TASKS_PER_INSTANCE, asgs: { spot: `${name}-spot`, od: `${name}-od` }, taskCpu: 128, takenAt: NOW.toISOString(), pending: 1 });

const configFor = (name: string): ControllerConfig =>
  parseConfig({ clusters: [{ name, groups: [{ name: 'spot', asg: `${name}-spot`, lifecycle: 'spot', fallbackGroup: 'od' }, { name: 'od', asg: `${name}-od` }], consolidation: { enabled: true } }] });

const envelope = (detailType: string, source: string, detail: object) => ({ version: '0', id: `bench-${detailType}-${Math.random()}`, 'detail-type': detailType, source, account: '123456789012', time: NOW.toISOString(), region: 'us-east-1', resources: [], detail });

interface Measure {
  reads: number;
  calls: number;
  ms: number;
  /** Peak heap added, garbage not yet collected included (sampled at each call and at the end). */
  heapMB: number;
  /** Peak live heap added: after a full GC every GC_EVERY calls and at the end. */
  liveHeapMB: number;
  /** Bucket reads by command. */
  readsBy: Record<string, number>;
}

/** One invocation: bucket reads, all calls, in-process ms and the heap it added at its peak (sampled at each call). */
const GC_EVERY = 25;

async function measure(sim: SimulatedAws, raw: Clients, run: (clients: Clients) => Promise<unknown>): Promise<Measure> {
  gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  let livePeak = base;
  let gcMs = 0;
  let n = 0;
  const collect = () => {
    if (!gc) return;
    const g0 = performance.now();
    gc();
    gcMs += performance.now() - g0;
    livePeak = Math.max(livePeak, process.memoryUsage().heapUsed);
  };
  const sample = <T extends { send: (...a: never[]) => unknown }>(c: T): T => ({
    send: ((...a: never[]) => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
      if (++n % GC_EVERY === 0) collect();
      return c.send(...a);
    }) as T['send'],
  }) as T;
  const clients = { ecs: sample(raw.ecs), autoscaling: sample(raw.autoscaling), ec2: sample(raw.ec2), cloudwatch: sample(raw.cloudwatch), caches: raw.caches };
  const before = sim.log.length;
  const t0 = performance.now();
  const result = await run(clients);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  // The invocation's result still held: what it built is live at its end.
  collect();
  void result;
  const ms = performance.now() - t0 - gcMs;
  const calls = sim.log.slice(before);
  const reads = calls.filter((c) => c.service === 'ecs' && BUCKET_READS.has(c.command));
  const readsBy: Record<string, number> = {};
  for (const c of reads) readsBy[c.command] = (readsBy[c.command] ?? 0) + 1;
  return { reads: reads.length, calls: calls.length, ms, heapMB: (peak - base) / 2 ** 20, liveHeapMB: (livePeak - base) / 2 ** 20, readsBy };
}

/** Clients on the simulated AWS with cold caches: one set per cluster measured, as one warm container. */
const clientsOf = (sim: SimulatedAws): Clients => withColdCaches({ ecs: sim.client('ecs'), autoscaling: sim.client('autoscaling'), ec2: sim.client('ec2'), cloudwatch: sim.client('cloudwatch') } as never);

/**
 * The simulated account with ECS's task and instance events (what the state function would write):
 * collected as records and applied to the store before the next invocation (seconds later on AWS).
 */
class EventedAws extends SimulatedAws {
  public readonly pendingRecords: Array<{ task?: TaskRecord; instance?: InstanceRecord }> = [];
  protected override taskEvent(t: SimTask): void {
    const task = taskRecord(this.describeTask(t) as Record<string, unknown>);
    if (task) this.pendingRecords.push({ task });
  }
  protected override instanceEvent(i: SimInstance): void {
    const instance = instanceRecord(this.describeInstance(i) as Record<string, unknown>);
    if (instance) this.pendingRecords.push({ instance });
  }
  public async deliver(store: MemoryStateStore, cluster: string, now: Date): Promise<number> {
    const list = this.pendingRecords.splice(0);
    for (const r of list) {
      if (r.task) await store.applyTask(cluster, r.task, now);
      if (r.instance) await store.applyInstance(cluster, r.instance, now);
    }
    return list.length;
  }
}

/** The first minute from NOW at which a full read is followed by three minutes of store ticks (this cluster's slot). */
function tickStart(name: string, policy: StateAccess['policy']): number {
  const p = { ...policy, offsetMinutes: resyncOffsetMinutes(name, policy.everyMinutes), marginMinutes: 1 };
  for (let k = 0; k < policy.everyMinutes; k++) {
    const at = NOW.getTime() + k * 60_000;
    const meta = { resyncedAt: new Date(at - 60_000).toISOString() };
    if ([1, 2, 3].every((m) => resyncDue(meta, new Date(at + m * 60_000), p) === undefined)) return at;
  }
  return NOW.getTime();
}

async function oneCluster(name: string, instances: number, withStore: boolean) {
  const snapshot = cluster(name, instances);
  const sim = new EventedAws(snapshot);
  const config = configFor(name);
  const store = new MemoryStateStore();
  const policy = { everyMinutes: config.stateStore.resyncMinutes, gapResyncMinutes: config.stateStore.gapResyncMinutes };
  const state: StateAccess | undefined = withStore ? { store, policy } : undefined;
  const t0 = withStore ? tickStart(name, policy) : NOW.getTime();
  const at = (ms: number) => {
    sim.now = ms;
    return new Date(ms);
  };
  const duty = (d: AnyDuty, event: unknown, ms: number) => async (clients: Clients) => {
    // What ECS sent about the previous invocation's changes has reached the store by now.
    if (state) await sim.deliver(store, name, new Date(ms - 5_000));
    return runDuty(d, event, { config, clients, now: at(ms), ...(state ? { state } : {}) });
  };
  const storeCalls = () => Object.fromEntries(store.calls);
  const warm = clientsOf(sim);
  // With the store the first tick finds it empty: a full read, and the resync that fills it.
  const tick = await measure(sim, warm, duty(DUTIES.reconcile, envelope('Scheduled Event', 'aws.events', { cluster: name }), t0));
  const afterFull = storeCalls();
  // The first tick acts (protection, the waiting task's capacity) and so changes the state; the third
  // is the steady state: consolidation does not run again on a state it found nothing to move in.
  const storeTick = await measure(sim, warm, duty(DUTIES.reconcile, envelope('Scheduled Event', 'aws.events', { cluster: name }), t0 + 60_000));
  const warmTick = await measure(sim, warm, duty(DUTIES.reconcile, envelope('Scheduled Event', 'aws.events', { cluster: name }), t0 + 120_000));
  const afterTicks = storeCalls();
  const provisioning = envelope('ECS Task State Change', 'aws.ecs', { clusterArn: `arn:aws:ecs:us-east-1:123456789012:cluster/${name}`, taskArn: snapshot.pending[0]!.id, lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING', version: 1, capacityProviderName: 'spot', group: 'service:svc0', containers: [] });
  const batch = { Records: [{ messageId: 'm0', body: JSON.stringify(provisioning) }] } as unknown as SQSEvent;
  const capacity = await measure(sim, warm, async (clients) => {
    if (state) await sim.deliver(store, name, new Date(t0 + 125_000));
    return runSqsBatch(DUTIES.capacity, batch, { config, clients, now: at(t0 + 130_000), ...(state ? { state } : {}) });
  });
  const inst = snapshot.instances[7]!;
  const draining = envelope('ECS Container Instance State Change', 'aws.ecs', { clusterArn: `arn:aws:ecs:us-east-1:123456789012:cluster/${name}`, containerInstanceArn: inst.id, ec2InstanceId: inst.ec2InstanceId, status: 'DRAINING', agentConnected: true, version: 3, attributes: [], registeredResources: [], remainingResources: [], versionInfo: {}, accountType: 'ec2' });
  const drainEvent = await measure(sim, warm, duty(DUTIES.lifecycle, draining, t0 + 135_000));
  const hookInst = snapshot.instances[9]!;
  sim.setLifecycleState(hookInst.ec2InstanceId, 'Terminating:Wait');
  const hook = await measure(sim, warm, duty(DUTIES.lifecycle, envelope('EC2 Instance-terminate Lifecycle Action', 'aws.autoscaling', { LifecycleActionToken: 't', AutoScalingGroupName: hookInst.group === 'od' ? `${name}-od` : `${name}-spot`, LifecycleHookName: 'ecs-pilot-drain', EC2InstanceId: hookInst.ec2InstanceId, LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING' }), t0 + 140_000));
  const stored = await store.read(name);
  const queryPages = Math.max(1, Math.ceil(JSON.stringify(stored).length / 2 ** 20));
  const resync = afterFull.resync ? { written: stored.tasks.length + stored.instances.length } : { written: 0 };
  const storeReadsPerTick = ((afterTicks.read ?? 0) - (afterFull.read ?? 0)) / 2;
  const sources = { full: tick.reads > 0 ? 'api' : 'store', store: storeTick.reads > 0 ? 'api' : 'store' };
  return { withStore, instances, tasks: instances * TASKS_PER_INSTANCE, tick, storeTick, warmTick, capacity, drainEvent, hook, queryPages, resyncWrites: resync.written, storeReadsPerTick, sources };
}

type One = Awaited<ReturnType<typeof oneCluster>>;

/** Reads a day for one cluster, from the assumptions in the header; `fullReadsPerHour` with the store. */
function dayReads(c: One, fullReadsPerHour = 1): number {
  const replacedTasksPerDay = c.tasks * 0.02 * 24;
  const capacityBatches = Math.min(replacedTasksPerDay, 8640);
  const replacedInstances = c.instances * 0.05;
  const ticks = c.withStore ? 24 * fullReadsPerHour * c.tick.reads + (1440 - 24 * fullReadsPerHour) * c.warmTick.reads : 1440 * c.warmTick.reads;
  return ticks + capacityBatches * c.capacity.reads + replacedInstances * ((TASKS_PER_INSTANCE + 1) * c.drainEvent.reads + c.hook.reads);
}

/** The state function's events a day for one cluster, and the DynamoDB requests of the store a day. */
function stateDay(c: One): { events: number; dynamoRequests: number } {
  const replacedTasks = c.tasks * 0.02 * 24;
  const replacedInstances = c.instances * 0.05;
  const events = replacedTasks * 8 + replacedInstances * 3 + c.instances * RECONNECTS_PER_HOUR * 24 * 2;
  const capacityBatches = Math.min(replacedTasks, 8640);
  // Each store read: meta GetItem + the Query's pages; the capacity path also reads the task (GetItem).
  const storeRead = 1 + c.queryPages;
  const fullReads = 24 * (c.queryPages + c.resyncWrites / 100 + 1);
  return { events, dynamoRequests: Math.round(events + 1416 * storeRead + capacityBatches * (storeRead + 1) + fullReads) };
}

async function main(): Promise<void> {
  const figures: Figures = {};
  const json = process.argv.includes('--json');
  const withStore = !process.argv.includes('--no-store');
  const only = process.argv.find((a) => a.startsWith('--max='));
  const max = only ? Number(only.slice(6)) : Number.POSITIVE_INFINITY;
  const sizes = [100, 500, 1000, 2000, 5000].map((instances) => ({ clusters: 1, instances })).concat([{ clusters: 3, instances: 5000 }]).filter((s) => s.instances <= max);
  if (!json) {
    console.log(`ecs-pilot at scale, real duties on the simulated AWS, ${TASKS_PER_INSTANCE} tasks per instance; reads = ECS bucket reads (List/Describe Tasks and ContainerInstances, ListAttributes); bucket ~${BUCKET_REFILL}/s; budget ${BUDGET_BURST} burst, ${BUDGET_REFILL}/s${gc ? '' : ' (run with --expose-gc for heap figures)'}`);
    console.log(withStore ? 'with the state store (as deployed): one full-read tick per cluster per hour, store ticks between' : 'without the state store (--no-store): every tick and event reads the APIs');
  }
  let one: One | undefined;
  for (const size of sizes) {
    // Fanned out, each cluster's tick is its own invocation on its own cluster: the clusters are alike,
    // so one is measured and counted once per cluster (3 × 5 000 reuses the 5 000 measurement).
    if (!one || one.instances !== size.instances) one = await oneCluster('c0', size.instances, withStore);
    const per = Array.from({ length: size.clusters }, () => one!);
    const readsPerDay = per.reduce((a, c) => a + dayReads(c), 0);
    const worstCaseReadsPerDay = per.reduce((a, c) => a + dayReads(c, 6), 0);
    const c = one;
    // The worse of the full-read tick and the store tick (its steady state included).
    const ticks = withStore ? [c.tick, c.storeTick, c.warmTick] : [c.tick, c.warmTick];
    const slowest = Math.max(...ticks.map((t) => t.ms));
    const maxHeap = Math.max(...ticks.map((t) => t.heapMB));
    const tickReads = c.tick.reads;
    const day = stateDay(c);
    const row = {
      clusters: size.clusters,
      instances: size.instances * size.clusters,
      tasks: size.instances * size.clusters * TASKS_PER_INSTANCE,
      store: withStore,
      readCallsPerSecond: Number((readsPerDay / 86400).toFixed(3)),
      readCallsPerSecondPerCluster: Number((readsPerDay / size.clusters / 86400).toFixed(3)),
      bucketShare: Number((readsPerDay / 86400 / BUCKET_REFILL).toFixed(3)),
      ...(withStore ? { worstCaseReadCallsPerSecond: Number((worstCaseReadsPerDay / 86400).toFixed(3)) } : {}),
      peakBurstCalls: Math.min(Math.max(tickReads, c.capacity.reads, c.hook.reads), BUDGET_BURST + BUDGET_REFILL),
      reconcileReads: tickReads,
      reconcileBudgetWaitSeconds: Math.max(0, (tickReads - BUDGET_BURST) / BUDGET_REFILL),
      reconcileMs: Math.round(slowest),
      steadyReconcileMs: Math.round(c.warmTick.ms),
      reconcileHeapMB: Math.round(maxHeap),
      reconcileLiveHeapMB: Math.round(Math.max(...ticks.map((t) => t.liveHeapMB))),
      ...(withStore
        ? {
            fullReadTick: { reads: c.tick.reads, calls: c.tick.calls, ms: Math.round(c.tick.ms), heapMB: Math.round(c.tick.heapMB) },
            storeTick: { reads: c.warmTick.reads, calls: c.warmTick.calls, ms: Math.round(Math.max(c.storeTick.ms, c.warmTick.ms)), steadyMs: Math.round(c.warmTick.ms), heapMB: Math.round(Math.max(c.storeTick.heapMB, c.warmTick.heapMB)) },
            stateEventsPerDay: Math.round(day.events * size.clusters),
            dynamoRequestsPerDay: day.dynamoRequests * size.clusters,
          }
        : {}),
      perEventReads: { capacityBatch: c.capacity.reads, drainingInstanceEvent: c.drainEvent.reads, lifecycleHook: c.hook.reads },
    };
    flatten(`${size.clusters}x${size.instances}`, row, figures);
    if (json) console.log(JSON.stringify(row));
    else {
      console.log(`\n${size.clusters} × ${size.instances} instances (${row.tasks} tasks)`);
      if (withStore) {
        console.log(`  full-read tick per cluster (once an hour): ${c.tick.reads} reads (${c.tick.calls} calls), ${Math.round(c.tick.ms)} ms in process, +${Math.round(c.tick.heapMB)} MB heap (live after GC ${Math.round(c.tick.liveHeapMB)} MB); under the budget ≥ ${row.reconcileBudgetWaitSeconds.toFixed(1)} s of waits`);
        console.log(`  store tick per cluster: ${c.storeTick.reads} reads (${c.storeTick.calls} calls), ${Math.round(c.storeTick.ms)} ms in process (steady state ${c.warmTick.reads} reads, ${Math.round(c.warmTick.ms)} ms), +${Math.round(Math.max(c.storeTick.heapMB, c.warmTick.heapMB))} MB heap (live after GC ${Math.round(Math.max(c.storeTick.liveHeapMB, c.warmTick.liveHeapMB))} MB)`);
        console.log(`  store tick reads: ${JSON.stringify(c.warmTick.readsBy)}`);
        console.log(`  reconcile: ${row.reconcileMs} ms, ${row.reconcileHeapMB} MB heap (the worse of the two)`);
      } else {
        console.log(`  reconcile tick per cluster: ${row.reconcileReads} reads (${c.tick.calls} calls), ${Math.round(c.tick.ms)} ms in process (steady state ${row.steadyReconcileMs} ms), +${row.reconcileHeapMB} MB heap; under the budget ≥ ${row.reconcileBudgetWaitSeconds.toFixed(1)} s of waits`);
      }
      console.log(`  per event: capacity batch ${c.capacity.reads} reads, draining-instance event ${c.drainEvent.reads}, lifecycle hook ${c.hook.reads} (one instance, fresh)`);
      console.log(`  day average: ${row.readCallsPerSecond} reads/s${size.clusters > 1 ? ` (${row.readCallsPerSecondPerCluster} per cluster)` : ''} = ${(row.bucketShare * 100).toFixed(1)} % of the ${BUCKET_REFILL}/s bucket${withStore ? ` (worst case, a gap every ${c.withStore ? 10 : 0} min: ${row.worstCaseReadCallsPerSecond}/s)` : ''}; peak burst ${row.peakBurstCalls} in any second (bucket 100)`);
      if (withStore) console.log(`  state function: ${row.stateEventsPerDay} events a day (${((row.stateEventsPerDay ?? 0) / 86400).toFixed(1)}/s); DynamoDB ≈ ${row.dynamoRequestsPerDay} requests a day (store read: ${c.queryPages} Query page(s) + meta)`);
    }
  }
  if (!only) writeFigures(withStore ? 'scale' : 'scale-no-store', `npm run bench:scale${withStore ? '' : ' -- --no-store'}`, figures);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
