import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeCapacityProvidersCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, ListServicesCommand } from '@aws-sdk/client-ecs';
import { composeDemand } from '../../src/core/capacity/demand.js';
import { plan } from '../../src/core/capacity/index.js';
import type { SQSEvent } from 'aws-lambda';
import { awsClients } from '../../src/aws/clients.js';
import { DUTIES } from '../../src/duties/index.js';
import { runSqsBatch } from '../../src/handlers/sqs-batch.js';
import { demoSnapshot, mockAws, type MockedAws } from '../support/aws-mocks.js';
import { demoConfig, event, invoke, NOW } from '../support/handlers.js';

const sqs = (bodies: unknown[]): SQSEvent => ({ Records: bodies.map((b, i) => ({ messageId: `m-${i}`, body: JSON.stringify(b) }) as SQSEvent['Records'][number]) });

function runTaskFailure(id: string, count: number) {
  const e = event('events/samples/cloudtrail-runtask-resource-failure.json');
  e.id = id;
  e.detail.requestParameters.count = count;
  e.detail.responseElements.failures = Array.from({ length: count }, () => ({ arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/demo', reason: 'RESOURCE:MEMORY' }));
  return e;
}

const spotDesired = (aws: MockedAws): number | undefined => aws.sim.desired('ecs-pilot-demo-spot-general');

/** The whole-cluster read every capacity decision makes (demo cluster: 8 task definitions of waiting tasks). */
const CLUSTER_READ = [
  'DescribeAutoScalingGroups', 'ListContainerInstances', 'DescribeContainerInstances', 'ListTasks', 'DescribeTasks',
  ...Array(8).fill('DescribeTaskDefinition'), 'ListServices', 'DescribeServices', 'DescribeInstanceTypes', 'DescribeCapacityProviders',
];
/** Each group raised is re-read, then raised (the actuator's raise-only check). */
const RAISE = ['DescribeAutoScalingGroups', 'SetDesiredCapacity'];
/** After acting, the capacity duty checks the groups' own scaling policies (a conflict it reports). */
const POLICY_CHECK = Array(3).fill('DescribePolicies');

describe('Handler: capacity in own mode (managed scaling off)', () => {
  let aws: MockedAws;
  afterEach(() => aws.restore());

  it('sizes every service\'s deficit on one placement failure (a multi-service burst in one step)', async () => {
    aws = mockAws();
    // Prepare: three services on spot-general want more than they run; the event names only worker.
    for (const [service, count] of [['web', 30], ['api', 20], ['worker', 25]] as const) aws.sim.handle('ecs', 'UpdateService', { cluster: 'demo', service, desiredCount: count });
    aws.sim.log.length = 0;
    // Act
    const record = await invoke(DUTIES.capacity, event('events/demo/02-service-task-placement-failure.json'));
    // Assess: exactly the cluster read (one ListServices, DescribeServices in tens) and one SetDesiredCapacity per group raised.
    expect(aws.sim.log.map((c) => c.command)).toEqual([...CLUSTER_READ, ...RAISE, ...RAISE, ...RAISE, ...POLICY_CHECK]);
    expect(record.outcome).toBe('acted');
    expect(aws.ecs).toHaveReceivedCommandWith(ListServicesCommand, { cluster: 'demo', maxResults: 100 });
    expect(aws.ecs).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: 'demo' });
    for (const c of aws.ecs.commandCalls(DescribeServicesCommand)) expect((c.args[0].input.services ?? []).length).toBeLessThanOrEqual(10);
    const raised = aws.autoscaling.commandCalls(SetDesiredCapacityCommand).find((c) => c.args[0].input.AutoScalingGroupName === 'ecs-pilot-demo-spot-general');
    expect(raised).toBeDefined();
    aws.restore();
    // The same event with only worker short asks for fewer instances: the other services' deficits were counted.
    const single = mockAws();
    single.sim.handle('ecs', 'UpdateService', { cluster: 'demo', service: 'worker', desiredCount: 25 });
    await invoke(DUTIES.capacity, event('events/demo/02-service-task-placement-failure.json'));
    const singleRaise = single.autoscaling.commandCalls(SetDesiredCapacityCommand).find((c) => c.args[0].input.AutoScalingGroupName === 'ecs-pilot-demo-spot-general');
    expect(singleRaise?.args[0].input.DesiredCapacity ?? demoSnapshot().groups[0]!.desired).toBeLessThan(raised!.args[0].input.DesiredCapacity!);
    aws = single;
  });

  it('sizes the tasks a third-party RunTask could not place, from its CloudTrail record', async () => {
    aws = mockAws();
    const record = await invoke(DUTIES.capacity, event('events/samples/cloudtrail-runtask-resource-failure.json'));
    expect(record.outcome).toBe('acted');
    // Exactly: the failed call's task definition (its demand: no read needed without it), the cluster read, one SetDesiredCapacity per group raised.
    // worker:1 is then cached: the cluster read describes one task definition fewer.
    const cachedRead = [...CLUSTER_READ];
    cachedRead.splice(cachedRead.indexOf('DescribeTaskDefinition'), 1);
    expect(aws.sim.log.map((c) => c.command)).toEqual(['DescribeTaskDefinition', ...cachedRead, ...RAISE, ...RAISE, ...RAISE, ...POLICY_CHECK]);
    expect(aws.ecs).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: 'worker:1' });
    expect(aws.ecs).toHaveReceivedCommandWith(DescribeCapacityProvidersCommand, { capacityProviders: ['spot-general', 'ondemand-general', 'gpu-ondemand'] });
    const withoutCall = plan(composeDemand(demoSnapshot()).snapshot).groups.find((g) => g.name === 'spot-general')!.desired;
    // Three 1 vCPU / 4 GiB worker tasks on top of the cluster's own waiting demand.
    expect(aws.sim.desired('ecs-pilot-demo-spot-general')!).toBeGreaterThan(withoutCall);
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: 'ecs-pilot-demo-spot-general', DesiredCapacity: aws.sim.desired('ecs-pilot-demo-spot-general'), HonorCooldown: false });
  });

  it.each([
    ['no RESOURCE failure', { responseElements: { tasks: [{ taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/demo/x' }], failures: [] } }, 'RunTask listed no RESOURCE:* failure'],
    ['another API call', { eventName: 'StopTask' }, 'CloudTrail StopTask needs no capacity'],
    // Regression: attempts use `ecs-pilot/<job>/<attempt>`; only the legacy `ecs-pilot:` form was recognised, so current attempts were sized twice.
    ['a job attempt of ecs-pilot', { requestParameters: { cluster: 'demo', taskDefinition: 'worker:1', startedBy: 'ecs-pilot/nightly/1' } }, 'a job attempt of ecs-pilot: the batch duty sizes its own'],
    ['a job attempt of ecs-pilot (legacy startedBy)', { requestParameters: { cluster: 'demo', taskDefinition: 'worker:1', startedBy: 'ecs-pilot:nightly:1' } }, 'a job attempt of ecs-pilot: the batch duty sizes its own'],
  ])('ignores %s, with no write', async (_name, detail, reason) => {
    aws = mockAws();
    const e = event('events/samples/cloudtrail-runtask-resource-failure.json');
    e.detail = { ...e.detail, ...detail };
    const record = await invoke(DUTIES.capacity, e);
    expect(record.outcome).toBe('ignored');
    expect(record.reason).toBe(reason);
    expect(aws.writes()).toEqual([]);
  });

  it('plans the failed calls of one SQS batch together, and a second delivery of the batch raises nothing more', async () => {
    aws = mockAws();
    const calls = Array.from({ length: 6 }, (_, k) => runTaskFailure(`call-${k}`, 10));
    // Act: both deliveries in one warm container.
    const clients = awsClients();
    const first = await runSqsBatch(DUTIES.capacity, sqs(calls), { config: demoConfig(), clients, now: NOW });
    const raised = spotDesired(aws);
    const again = await runSqsBatch(DUTIES.capacity, sqs(calls), { config: demoConfig(), clients, now: NOW });
    // Assess: one plan for the 60 tasks (the others covered), the same desired capacity after the duplicate.
    expect(first.records.map((r) => r.outcome)).toEqual(['acted', ...Array(5).fill('ignored')]);
    expect(first.records[1]?.reason).toBe('covered by event call-0 in the same batch');
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: 'ecs-pilot-demo-spot-general', DesiredCapacity: raised });
    expect(raised!).toBeGreaterThan(demoSnapshot().groups[0]!.desired);
    // Within the hold the duplicate is only remembered (no read, no write); after it, planned again: nothing more.
    expect(again.records[0]?.outcome).toBe('ignored');
    expect(again.records[0]?.reason).toMatch(/^held: 60 task\(s\) of failed RunTask call\(s\)/);
    const afterHold = await runSqsBatch(DUTIES.capacity, sqs(calls), { config: demoConfig(), clients, now: new Date(NOW.getTime() + 61_000) });
    expect(afterHold.records[0]?.outcome).toBe('nothing-to-do');
    expect(spotDesired(aws)).toBe(raised);
    // Sixty tasks of 1 vCPU / 4 GiB ask for more than one call's ten.
    aws.restore();
    aws = mockAws();
    await runSqsBatch(DUTIES.capacity, sqs([calls[0]]), { config: demoConfig(), clients: awsClients(), now: NOW });
    expect(spotDesired(aws)!).toBeLessThan(raised!);
  });

  it('sizes a burst whose failed calls arrive in three SQS batches in two raises: the first at once, the held rest after the hold', async () => {
    // One SQS batch with the six calls: the reference raise.
    aws = mockAws();
    const calls = Array.from({ length: 6 }, (_, k) => runTaskFailure(`call-${k}`, 10));
    await runSqsBatch(DUTIES.capacity, sqs(calls), { config: demoConfig(), clients: awsClients(), now: NOW });
    const once = spotDesired(aws)!;
    aws.restore();
    // The same calls split over three SQS batches in one warm container (nothing registered in between).
    aws = mockAws();
    const clients = awsClients();
    const at = (s: number) => new Date(NOW.getTime() + s * 1000);
    await runSqsBatch(DUTIES.capacity, sqs(calls.slice(0, 2)), { config: demoConfig(), clients, now: NOW });
    const afterFirst = spotDesired(aws)!;
    aws.sim.log.length = 0;
    const second = await runSqsBatch(DUTIES.capacity, sqs(calls.slice(2, 4)), { config: demoConfig(), clients, now: at(30) });
    // Held: remembered from the event alone (the task definition is cached), nothing read or written.
    expect(second.records[0]?.outcome).toBe('ignored');
    expect(aws.sim.log).toEqual([]);
    expect(spotDesired(aws)).toBe(afterFirst);
    const third = await runSqsBatch(DUTIES.capacity, sqs(calls.slice(4)), { config: demoConfig(), clients, now: at(61) });
    expect(afterFirst).toBeLessThan(once);
    expect(third.records[0]?.outcome).toBe('acted');
    expect(spotDesired(aws)).toBe(once);
    aws.restore();
    // A cold container (no memory of the first batches) takes the first batch's launching capacity as free.
    aws = mockAws();
    await runSqsBatch(DUTIES.capacity, sqs(calls.slice(0, 3)), { config: demoConfig(), clients: awsClients(), now: NOW });
    await runSqsBatch(DUTIES.capacity, sqs(calls.slice(3)), { config: demoConfig(), clients: awsClients(), now: at(30) });
    expect(spotDesired(aws)!).toBeLessThan(once);
  });

  it('holds only the request it sized: another request, a service placement failure or a PROVISIONING task in the batch is planned at once', async () => {
    aws = mockAws();
    const clients = awsClients();
    await runSqsBatch(DUTIES.capacity, sqs([runTaskFailure('call-0', 10)]), { config: demoConfig(), clients, now: NOW });
    const other = runTaskFailure('other-0', 10);
    other.detail.requestParameters.startedBy = 'reporter';
    const { records } = await runSqsBatch(DUTIES.capacity, sqs([runTaskFailure('call-1', 10), other]), { config: demoConfig(), clients, now: new Date(NOW.getTime() + 20_000) });
    expect(records[0]?.outcome).toBe('acted');
  });

  it('sizes nothing for a RunTask failure older than 300 s (an SQS batch redelivered after its visibility timeout): its tasks may already run', async () => {
    aws = mockAws();
    const late = new Date(Date.parse(runTaskFailure('old', 10).time) + 360_000);
    const { records } = await runSqsBatch(DUTIES.capacity, sqs([runTaskFailure('old', 10)]), { config: demoConfig(), clients: awsClients(), now: late });
    expect(records[0]?.outcome).toBe('ignored');
    expect(records[0]?.reason).toBe('stale RunTask failure: the call failed 360 s ago (more than 300 s); a caller that still wants its tasks fails again, as a new event');
    // Decided from the event alone: no read, no write.
    expect(aws.sim.log).toEqual([]);
  });

});
