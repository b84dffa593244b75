/**
 * npm run bench:scale [-- --json] [-- --max=<instances>] — ecs-pilot at the largest ECS clusters: 100 → 5 000 container
 * instances of 10 tasks each, and 3 clusters of 5 000, through the real duties' code against the
 * simulated AWS. Per reconcile tick (one invocation per cluster) and per event: ECS bucket reads
 * (ListTasks, DescribeTasks, List/DescribeContainerInstances), in-process time and peak heap; the
 * day-average read rate against ECS's ~20/s read bucket, from the event rates below.
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
 */
import { clearReaderCaches } from '../src/aws/snapshot-reader.js';
import { ApiBudgetSchema, type ControllerConfig } from '../src/config/schema.js';
import { parseConfig } from '../src/config/load.js';
import { runDuty, type AnyDuty } from '../src/controller.js';
import { parseSnapshot, type Snapshot } from '../src/core/model.js';
import { DUTIES } from '../src/duties/index.js';
import { runSqsBatch } from '../src/handlers/sqs-batch.js';
import { SimulatedAws } from '../src/sim/simulated-aws.js';
import type { SQSEvent } from 'aws-lambda';

const TASKS_PER_INSTANCE = 10;
const BUCKET_REFILL = 20;
const BUDGET = ApiBudgetSchema.parse({});
const BUDGET_BURST = Math.floor(BUDGET.ecsReadBurst * BUDGET.ecsReadShare);
const BUDGET_REFILL = BUDGET.ecsReadRefillPerSecond * BUDGET.ecsReadShare;
const BUCKET_READS = new Set(['ListTasks', 'DescribeTasks', 'ListContainerInstances', 'DescribeContainerInstances']);
const TYPES = { 'm5.large': { cpu: 2048, memoryMiB: 7680, enis: 2, gpus: 0 }, 'm5.xlarge': { cpu: 4096, memoryMiB: 15576, enis: 3, gpus: 0 } };
const NOW = new Date('2026-11-24T12:00:10Z');
const gc = (globalThis as { gc?: () => void }).gc;

function cluster(name: string, instances: number): Snapshot {
  const groups = [
    { name: 'spot', asg: `${name}-spot`, lifecycle: 'spot', min: 0, max: instances * 2, desired: 0, instanceTypes: [{ type: 'm5.large', weight: 1 }, { type: 'm5.xlarge', weight: 2 }] },
    { name: 'od', asg: `${name}-od`, min: 0, max: instances * 2, desired: 0, instanceTypes: [{ type: 'm5.xlarge', weight: 2 }] },
  ];
  const list = Array.from({ length: instances }, (_, i) => {
    const group = i % 4 === 0 ? 'od' : 'spot';
    const type = group === 'od' || i % 2 === 0 ? 'm5.xlarge' : 'm5.large';
    const g = groups.find((x) => x.name === group)!;
    g.desired += type === 'm5.xlarge' ? 2 : 1;
    return {
      id: `arn:aws:ecs:us-east-1:123456789012:container-instance/${name}/${i.toString(16).padStart(32, '0')}`,
      ec2InstanceId: `i-${name}${i.toString(16).padStart(12, '0')}`,
      group,
      type,
      az: `us-east-1${'abc'[i % 3]}`,
      status: 'ACTIVE',
      protected: true,
      tasks: Array.from({ length: TASKS_PER_INSTANCE }, (_, k) => ({ id: `arn:aws:ecs:us-east-1:123456789012:task/${name}/${i}-${k}`, cpu: 128, memoryMiB: 512, group: `service:svc${k}`, startedBy: 'ecs-svc/1', capacityProvider: group })),
    };
  });
  const pending = [{ id: `arn:aws:ecs:us-east-1:123456789012:task/${name}/new-0`, cpu: 128, memoryMiB: 512, group: 'service:svc0', capacityProvider: 'spot' }];
  return parseSnapshot({ version: 1, cluster: name, takenAt: NOW.toISOString(), instanceTypes: TYPES, groups, instances: list, pending });
}

const configFor = (name: string): ControllerConfig =>
  parseConfig({ clusters: [{ name, groups: [{ name: 'spot', asg: `${name}-spot`, lifecycle: 'spot', fallbackGroup: 'od' }, { name: 'od', asg: `${name}-od` }], consolidation: { enabled: true } }] });

const envelope = (detailType: string, source: string, detail: object) => ({ version: '0', id: `bench-${detailType}-${Math.random()}`, 'detail-type': detailType, source, account: '123456789012', time: NOW.toISOString(), region: 'us-east-1', resources: [], detail });

interface Measure {
  reads: number;
  calls: number;
  ms: number;
  heapMB: number;
}

/** One invocation: bucket reads, all calls, in-process ms and the heap it added at its peak (sampled at each call). */
async function measure(sim: SimulatedAws, run: (clients: ReturnType<typeof clientsOf>) => Promise<unknown>): Promise<Measure> {
  gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const sample = <T extends { send: (...a: never[]) => unknown }>(c: T): T => ({
    send: ((...a: never[]) => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
      return c.send(...a);
    }) as T['send'],
  }) as T;
  const raw = clientsOf(sim);
  const clients = { ecs: sample(raw.ecs), autoscaling: sample(raw.autoscaling), ec2: sample(raw.ec2), cloudwatch: sample(raw.cloudwatch) };
  const before = sim.log.length;
  const t0 = performance.now();
  await run(clients);
  const ms = performance.now() - t0;
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  const calls = sim.log.slice(before);
  return { reads: calls.filter((c) => c.service === 'ecs' && BUCKET_READS.has(c.command)).length, calls: calls.length, ms, heapMB: (peak - base) / 2 ** 20 };
}

const clientsOf = (sim: SimulatedAws) => ({ ecs: sim.client('ecs'), autoscaling: sim.client('autoscaling'), ec2: sim.client('ec2'), cloudwatch: sim.client('cloudwatch') }) as never as import('../src/aws/clients.js').Clients;

async function oneCluster(name: string, instances: number) {
  const snapshot = cluster(name, instances);
  const sim = new SimulatedAws(snapshot);
  const config = configFor(name);
  const duty = (d: AnyDuty, event: unknown) => (clients: import('../src/aws/clients.js').Clients) => runDuty(d, event, { config, clients, now: NOW });
  clearReaderCaches();
  const tick = await measure(sim, duty(DUTIES.reconcile, envelope('Scheduled Event', 'aws.events', { cluster: name })));
  // The first tick acts (protection, the waiting task's capacity) and so changes the state; the third
  // is the steady state: consolidation does not run again on a state it found nothing to move in.
  await measure(sim, duty(DUTIES.reconcile, envelope('Scheduled Event', 'aws.events', { cluster: name })));
  const warmTick = await measure(sim, duty(DUTIES.reconcile, envelope('Scheduled Event', 'aws.events', { cluster: name })));
  const provisioning = envelope('ECS Task State Change', 'aws.ecs', { clusterArn: `arn:aws:ecs:us-east-1:123456789012:cluster/${name}`, taskArn: snapshot.pending[0]!.id, lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING', version: 1, capacityProviderName: 'spot', group: 'service:svc0', containers: [] });
  const batch = { Records: [{ messageId: 'm0', body: JSON.stringify(provisioning) }] } as unknown as SQSEvent;
  const capacity = await measure(sim, (clients) => runSqsBatch(DUTIES.capacity, batch, { config, clients, now: NOW }));
  const inst = snapshot.instances[7]!;
  const draining = envelope('ECS Container Instance State Change', 'aws.ecs', { clusterArn: `arn:aws:ecs:us-east-1:123456789012:cluster/${name}`, containerInstanceArn: inst.id, ec2InstanceId: inst.ec2InstanceId, status: 'DRAINING', agentConnected: true, version: 3, attributes: [], registeredResources: [], remainingResources: [], versionInfo: {}, accountType: 'ec2' });
  const drainEvent = await measure(sim, duty(DUTIES.lifecycle, draining));
  const hookInst = snapshot.instances[9]!;
  sim.setLifecycleState(hookInst.ec2InstanceId, 'Terminating:Wait');
  const hook = await measure(sim, duty(DUTIES.lifecycle, envelope('EC2 Instance-terminate Lifecycle Action', 'aws.autoscaling', { LifecycleActionToken: 't', AutoScalingGroupName: hookInst.group === 'od' ? `${name}-od` : `${name}-spot`, LifecycleHookName: 'ecs-pilot-drain', EC2InstanceId: hookInst.ec2InstanceId, LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING' })));
  return { instances, tasks: instances * TASKS_PER_INSTANCE, tick, warmTick, capacity, drainEvent, hook };
}

/** Reads a day for one cluster, from the assumptions in the header. */
function dayReads(c: Awaited<ReturnType<typeof oneCluster>>): number {
  const replacedTasksPerDay = c.tasks * 0.02 * 24;
  const capacityBatches = Math.min(replacedTasksPerDay, 8640);
  const replacedInstances = c.instances * 0.05;
  return 1440 * c.warmTick.reads + capacityBatches * c.capacity.reads + replacedInstances * ((TASKS_PER_INSTANCE + 1) * c.drainEvent.reads + c.hook.reads);
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const only = process.argv.find((a) => a.startsWith('--max='));
  const max = only ? Number(only.slice(6)) : Number.POSITIVE_INFINITY;
  const sizes = [100, 500, 1000, 2000, 5000].map((instances) => ({ clusters: 1, instances })).concat([{ clusters: 3, instances: 5000 }]).filter((s) => s.instances <= max);
  if (!json) console.log(`ecs-pilot at scale, real duties on the simulated AWS, ${TASKS_PER_INSTANCE} tasks per instance; reads = ECS bucket reads (List/Describe Tasks and ContainerInstances); bucket ~${BUCKET_REFILL}/s; budget ${BUDGET_BURST} burst, ${BUDGET_REFILL}/s${gc ? '' : ' (run with --expose-gc for heap figures)'}`);
  for (const size of sizes) {
    // Fanned out, each cluster's tick is its own invocation on its own cluster: the clusters are alike,
    // so one is measured and counted once per cluster.
    const one = await oneCluster('c0', size.instances);
    const per = Array.from({ length: size.clusters }, () => one);
    const readsPerDay = per.reduce((a, c) => a + dayReads(c), 0);
    const worst = per.reduce((a, c) => (c.tick.ms > a.tick.ms ? c : a));
    const maxHeap = Math.max(...per.map((c) => Math.max(c.tick.heapMB, c.warmTick.heapMB)));
    const tickReads = Math.max(...per.map((c) => c.tick.reads));
    const row = {
      clusters: size.clusters,
      instances: size.instances * size.clusters,
      tasks: size.instances * size.clusters * TASKS_PER_INSTANCE,
      readCallsPerSecond: Number((readsPerDay / 86400).toFixed(3)),
      bucketShare: Number((readsPerDay / 86400 / BUCKET_REFILL).toFixed(3)),
      peakBurstCalls: Math.min(tickReads, BUDGET_BURST + BUDGET_REFILL),
      reconcileReads: tickReads,
      reconcileBudgetWaitSeconds: Math.max(0, (tickReads - BUDGET_BURST) / BUDGET_REFILL),
      reconcileMs: Math.round(worst.tick.ms),
      steadyReconcileMs: Math.round(Math.max(...per.map((c) => c.warmTick.ms))),
      reconcileHeapMB: Math.round(maxHeap),
      perEventReads: { capacityBatch: worst.capacity.reads, drainingInstanceEvent: worst.drainEvent.reads, lifecycleHook: worst.hook.reads },
    };
    if (json) console.log(JSON.stringify(row));
    else {
      console.log(`\n${size.clusters} × ${size.instances} instances (${row.tasks} tasks)`);
      console.log(`  reconcile tick per cluster: ${row.reconcileReads} reads (${worst.tick.calls} calls), ${row.reconcileMs} ms in process (steady state ${row.steadyReconcileMs} ms), +${row.reconcileHeapMB} MB heap; under the budget ≥ ${row.reconcileBudgetWaitSeconds.toFixed(1)} s of waits`);
      console.log(`  per event: capacity batch ${worst.capacity.reads} reads, draining-instance event ${worst.drainEvent.reads}, lifecycle hook ${worst.hook.reads}`);
      console.log(`  day average: ${row.readCallsPerSecond} reads/s = ${(row.bucketShare * 100).toFixed(1)} % of the ${BUCKET_REFILL}/s bucket; peak burst ${row.peakBurstCalls} in any second (bucket 100)`);
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
