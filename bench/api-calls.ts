/**
 * npm run bench:api — AWS calls per event on generated clusters of 100, 1 000 and 3 000 instances,
 * through the real handlers' code against the simulated AWS. Prints calls per spot warning (cold and
 * warm container), per lifecycle hook, per reconcile run and per job attempt's STOPPED event (success,
 * retry), by command.
 */
import { withColdCaches, type Clients } from '../src/aws/clients.js';
import { parseConfig } from '../src/config/load.js';
import { runDuty, type AnyDuty } from '../src/controller.js';
import type { Snapshot } from '../src/core/model.js';
import { generatedCluster } from './generated-cluster.js';
import { DUTIES } from '../src/duties/index.js';
import { SimulatedAws } from '../src/sim/simulated-aws.js';
import { runSqsBatch } from '../src/handlers/sqs-batch.js';
import type { SQSEvent } from 'aws-lambda';
import { type Figures, writeFigures } from './figures.js';

const cluster = (instances: number, tasksPerInstance: number): Snapshot =>
  generatedCluster({ name: 'big', instances, tasksPerInstance, asgs: { spot: 'asg-spot', od: 'asg-od' }, taskCpu: 256, takenAt: '2026-11-24T12:00:00Z' });

const config = parseConfig({
  clusters: [{ name: 'big', groups: [{ name: 'spot', asg: 'asg-spot', lifecycle: 'spot', fallbackGroup: 'od' }, { name: 'od', asg: 'asg-od' }] }],
  jobs: [{ name: 'sync', schedule: 'rate(1 hour)', cluster: 'big', taskDefinition: 'sync', capacityProviders: ['spot', 'od'], retryStrategy: { attempts: 3 } }],
});
const now = new Date('2026-11-24T12:00:10Z');

/** Clients on the simulated AWS with cold caches: one set per simulated account, as one warm container. */
const clientsOf = (sim: SimulatedAws): Clients => withColdCaches({ ecs: sim.client('ecs'), autoscaling: sim.client('autoscaling'), ec2: sim.client('ec2'), cloudwatch: sim.client('cloudwatch') });

async function count(sim: SimulatedAws, clients: Clients, duty: AnyDuty, event: unknown): Promise<{ total: number; by: string }> {
  const before = sim.log.length;
  await runDuty(duty, event, { config, clients, now });
  const calls = sim.log.slice(before);
  const by = new Map<string, number>();
  for (const c of calls) by.set(c.command, (by.get(c.command) ?? 0) + 1);
  return { total: calls.length, by: [...by].map(([k, v]) => `${k}×${v}`).join(' ') };
}

const envelope = (detailType: string, source: string, detail: object) => ({ version: '0', id: `bench-${Math.random()}`, 'detail-type': detailType, source, account: '123456789012', time: '2026-11-24T12:00:05Z', region: 'us-east-1', resources: [], detail });

/** A burst of `n` PROVISIONING tasks: one invocation per event, against one SQS batch of them. */
async function burst(n: number): Promise<{ perEvent: number; batched: number }> {
  const events = (snapshot: Snapshot) =>
    snapshot.pending.map((t) => envelope('ECS Task State Change', 'aws.ecs', { clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/big', taskArn: t.id, lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING', version: 1, capacityProviderName: 'spot', group: 'service:burst', containers: [] }));
  const withBurst = (): Snapshot => {
    const s = cluster(200, 4);
    return { ...s, pending: Array.from({ length: n }, (_, k) => ({ id: `arn:aws:ecs:us-east-1:123456789012:task/big/burst-${k}`, cpu: 1024, memoryMiB: 2048, gpus: 0, awsvpc: false, hostPorts: [], group: 'service:burst', capacityProvider: 'spot', constraints: [], daemon: false })) };
  };
  const a = new SimulatedAws(withBurst());
  const clientsA = clientsOf(a);
  for (const e of events(a.snapshot)) await runDuty(DUTIES.capacity, e, { config, clients: clientsA, now });
  const b = new SimulatedAws(withBurst());
  const batch = { Records: events(b.snapshot).map((e, i) => ({ messageId: `m${i}`, body: JSON.stringify(e) })) } as unknown as SQSEvent;
  await runSqsBatch(DUTIES.capacity, batch, { config, clients: clientsOf(b), now });
  return { perEvent: a.log.length, batched: b.log.length };
}

/** Calls for a job attempt's STOPPED event: `exitCode` 0 succeeds (nothing starts), 1 is retried. */
async function jobStopped(sim: SimulatedAws, clients: Clients, exitCode: number, scheduled: string): Promise<{ total: number; by: string }> {
  const started = sim.tasksStartedBy('ecs-pilot/sync/').length;
  await runDuty(DUTIES.batch, { ...envelope('Batch Job Schedule', 'ecs-pilot.scheduler', { job: 'sync' }), time: scheduled }, { config, clients, now: new Date(scheduled) });
  const attempt = sim.tasksStartedBy('ecs-pilot/sync/')[started];
  if (!attempt) throw new Error('the schedule started no attempt');
  sim.setTaskStatus(attempt.arn, 'STOPPED', 'STOPPED', { stopCode: 'EssentialContainerExited', reason: 'Essential container in task exited', exitCode });
  const detail = { clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/big', taskArn: attempt.arn, lastStatus: 'STOPPED', desiredStatus: 'STOPPED', version: 5, startedBy: attempt.startedBy, stopCode: 'EssentialContainerExited', group: 'family:sync', containers: [{ name: 'main', exitCode, lastStatus: 'STOPPED' }] };
  return count(sim, clients, DUTIES.batch, envelope('ECS Task State Change', 'aws.ecs', detail));
}

async function main(): Promise<void> {
  const tasksPerInstance = 4;
  console.log(`AWS calls per event, real handler code on the simulated AWS (${tasksPerInstance} tasks per instance)`);
  const figures: Figures = {};
  for (const n of [100, 1000, 3000]) {
    const snapshot = cluster(n, tasksPerInstance);
    const sim = new SimulatedAws(snapshot);
    const target = snapshot.instances[1]!.ec2InstanceId;
    const clients = clientsOf(sim);
    const spotCold = await count(sim, clients, DUTIES.spot, envelope('EC2 Spot Instance Interruption Warning', 'aws.ec2', { 'instance-id': target, 'instance-action': 'terminate' }));
    const spotWarm = await count(sim, clients, DUTIES.spot, envelope('EC2 Spot Instance Interruption Warning', 'aws.ec2', { 'instance-id': snapshot.instances[3]!.ec2InstanceId, 'instance-action': 'terminate' }));
    sim.setLifecycleState(snapshot.instances[5]!.ec2InstanceId, 'Terminating:Wait');
    const hook = await count(sim, clients, DUTIES.lifecycle, envelope('EC2 Instance-terminate Lifecycle Action', 'aws.autoscaling', { LifecycleActionToken: 't', AutoScalingGroupName: 'asg-spot', LifecycleHookName: 'ecs-pilot-drain', EC2InstanceId: snapshot.instances[5]!.ec2InstanceId, LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING' }));
    const reconcile = await count(sim, clients, DUTIES.reconcile, envelope('Scheduled Event', 'aws.events', {}));
    const jobOk = await jobStopped(sim, clients, 0, '2026-11-24T12:00:00Z');
    const jobRetry = await jobStopped(sim, clients, 1, '2026-11-24T13:00:00Z');
    Object.assign(figures, { [`${n}.spotWarningCold`]: spotCold.total, [`${n}.spotWarningWarm`]: spotWarm.total, [`${n}.lifecycleHook`]: hook.total, [`${n}.reconcile`]: reconcile.total, [`${n}.jobSucceeded`]: jobOk.total, [`${n}.jobRetried`]: jobRetry.total });
    console.log(`\n${n} instances, ${n * tasksPerInstance} tasks`);
    console.log(`  spot warning (cold): ${spotCold.total}  ${spotCold.by}`);
    console.log(`  spot warning (warm): ${spotWarm.total}  ${spotWarm.by}`);
    console.log(`  lifecycle hook:      ${hook.total}  ${hook.by}`);
    console.log(`  reconcile run:       ${reconcile.total}  ${reconcile.by}`);
    console.log(`  job STOPPED, success: ${jobOk.total}  ${jobOk.by}`);
    console.log(`  job STOPPED, retry:   ${jobRetry.total}  ${jobRetry.by}`);
    console.log(`  reconcile / (instances/100 + tasks/100): ${(reconcile.total / (n / 100 + (n * tasksPerInstance) / 100)).toFixed(2)}`);
  }
  const b = await burst(100);
  console.log(`\nburst of 100 PROVISIONING tasks on 200 instances (800 tasks): ${b.perEvent} calls with one invocation per event, ${b.batched} with one SQS batch`);
  writeFigures('api-calls', 'npm run bench:api', { ...figures, 'burst.perEvent': b.perEvent, 'burst.batched': b.batched });
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
