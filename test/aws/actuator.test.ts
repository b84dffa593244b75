import { SetDesiredCapacityCommand, SetInstanceProtectionCommand } from '@aws-sdk/client-auto-scaling';
import { UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import { ESSENTIAL_RETRY, execute } from '../../src/aws/actuator.js';
import { awsClients } from '../../src/aws/clients.js';
import type { Action } from '../../src/core/actions.js';
import { aGroup, anInstance, aSnapshot } from '../support/builders.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';

const many = (n: number) => Array.from({ length: n }, (_, i) => anInstance({ id: `arn:aws:ecs:us-east-1:123456789012:container-instance/test/${i}`, ec2InstanceId: `i-${String(i).padStart(8, '0')}` }));

describe('Function: execute', () => {
  let aws: MockedAws;
  afterEach(() => aws.restore());

  it('drains 25 instances in batches of 10; a batch failing every in-invocation attempt does not stop the others and is reported', async () => {
    // Prepare
    const instances = many(25);
    aws = mockAws(aSnapshot({ groups: [aGroup({ desired: 25 })], instances }));
    aws.ecs.on(UpdateContainerInstancesStateCommand).callsFake(async (input: { containerInstances: string[] }) => {
      if (input.containerInstances.includes(instances[20]?.id ?? '')) throw Object.assign(new Error('Service unavailable'), { name: 'ServerException' });
      return aws.sim.handle('ecs', 'UpdateContainerInstancesState', input);
    });
    const drain: Action = { kind: 'drain', cluster: 'test', containerInstanceArns: instances.map((i) => i.id), reason: 'test' };
    const waits: number[] = [];
    // Act
    const report = await execute(awsClients(), [drain], { dryRun: false, sleep: async (ms) => void waits.push(ms), clock: () => 0, random: () => 0 });
    // Assess: two batches, then the third three times (back-off 250 ms, 500 ms)
    expect(aws.ecs).toHaveReceivedCommandTimes(UpdateContainerInstancesStateCommand, 2 + ESSENTIAL_RETRY.attempts);
    expect(waits).toEqual([250, 500]);
    expect(report.failures).toEqual([{ action: 'drain', items: instances.slice(20).map((i) => i.id), error: 'ServerException: Service unavailable' }]);
    expect(instances.filter((i) => aws.sim.instance(i.ec2InstanceId)?.status === 'DRAINING')).toHaveLength(20);
  });

  it('reports per-instance failures ECS returns in a successful call', async () => {
    aws = mockAws(aSnapshot({ groups: [aGroup({ desired: 1 })], instances: many(1) }));
    const report = await execute(awsClients(), [{ kind: 'drain', cluster: 'test', containerInstanceArns: ['arn:gone'], reason: 't' }], { dryRun: false });
    expect(report.failures).toEqual([{ action: 'drain', items: ['arn:gone'], error: 'MISSING' }]);
  });

  it('protects in batches of 50', async () => {
    const instances = many(120);
    aws = mockAws(aSnapshot({ groups: [aGroup({ desired: 120, max: 200 })], instances }));
    await execute(awsClients(), [{ kind: 'protectInstances', asg: 'asg-general', instanceIds: instances.map((i) => i.ec2InstanceId), protect: true, reason: 't' }], { dryRun: false });
    expect(aws.autoscaling).toHaveReceivedCommandTimes(SetInstanceProtectionCommand, 3);
    const sizes = aws.autoscaling.commandCalls(SetInstanceProtectionCommand).map((c) => c.args[0].input.InstanceIds?.length);
    expect(sizes).toEqual([50, 50, 20]);
  });

  it('in dry-run sends nothing and returns every call it would have made', async () => {
    aws = mockAws(aSnapshot({ groups: [aGroup({ desired: 1 })], instances: many(12) }));
    const report = await execute(awsClients(), [{ kind: 'drain', cluster: 'test', containerInstanceArns: many(12).map((i) => i.id), reason: 't' }], { dryRun: true });
    expect(aws.sim.log).toEqual([]);
    expect(report.calls.map((c) => [c.command, (c.input.containerInstances as string[]).length])).toEqual([
      ['UpdateContainerInstancesState', 10],
      ['UpdateContainerInstancesState', 2],
    ]);
  });

  it('skips a termination when the fresh re-check finds tasks on the instance', async () => {
    const inst = anInstance({ id: 'arn:ci/busy', ec2InstanceId: 'i-0000busy', tasks: [{ id: 'arn:task/1', cpu: 256, memoryMiB: 256 }] });
    aws = mockAws(aSnapshot({ groups: [aGroup({ desired: 1 })], instances: [inst] }));
    const report = await execute(
      awsClients(),
      [{ kind: 'terminateInstance', asg: 'asg-general', instanceId: 'i-0000busy', cluster: 'test', containerInstanceArn: 'arn:ci/busy', daemonTasks: 0, reason: 't' }],
      { dryRun: false },
    );
    expect(report.skipped).toEqual([{ action: 'terminateInstance', items: ['i-0000busy'], reason: 'tasks were placed on it since the decision' }]);
    expect(aws.writes()).toEqual([]);
  });

  describe('in-invocation retries of the calls that matter (issue 21)', () => {
    const one = () => many(1);
    const drain = (arn: string): Action => ({ kind: 'drain', cluster: 'test', containerInstanceArns: [arn], reason: 't' });

    it('does not retry an error a later attempt cannot get past (a client error)', async () => {
      const instances = one();
      aws = mockAws(aSnapshot({ groups: [aGroup({ desired: 1 })], instances }));
      aws.ecs.on(UpdateContainerInstancesStateCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $fault: 'client' }));
      const report = await execute(awsClients(), [drain(instances[0]!.id)], { dryRun: false, sleep: async () => {}, clock: () => 0 });
      expect(aws.ecs).toHaveReceivedCommandTimes(UpdateContainerInstancesStateCommand, 1);
      expect(report.failures).toHaveLength(1);
    });

    it('starts no wait that would end past the deadline', async () => {
      const instances = one();
      aws = mockAws(aSnapshot({ groups: [aGroup({ desired: 1 })], instances }));
      aws.ecs.on(UpdateContainerInstancesStateCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
      // The first attempt took 3.9 s: a 250 ms wait would end past the 4 s deadline.
      const times = [0, 3_900];
      const clock = () => times.shift() ?? 3_900;
      const report = await execute(awsClients(), [drain(instances[0]!.id)], { dryRun: false, sleep: async () => {}, clock, random: () => 0 });
      expect(aws.ecs).toHaveReceivedCommandTimes(UpdateContainerInstancesStateCommand, 1);
      expect(report.failures).toEqual([{ action: 'drain', items: [instances[0]!.id], error: 'ThrottlingException: slow down' }]);
    });

    it('does not retry the calls that do not matter as much (a raise: the redelivery or the next tick decides again)', async () => {
      aws = mockAws(aSnapshot({ groups: [aGroup({ desired: 1 })], instances: one() }));
      aws.sim.failNext('SetDesiredCapacity', Object.assign(new Error('boom'), { name: 'InternalFailure', $fault: 'server' }));
      const report = await execute(awsClients(), [{ kind: 'setDesiredCapacity', asg: 'asg-general', desired: 2, previous: 1, reason: 't' }], { dryRun: false, sleep: async () => {}, clock: () => 0 });
      expect(report.failures).toHaveLength(1);
      expect(aws.autoscaling).toHaveReceivedCommandTimes(SetDesiredCapacityCommand, 1);
    });

    it("writes a drain's reason before the drain, and drains nothing whose mark failed", async () => {
      const instances = many(2);
      aws = mockAws(aSnapshot({ groups: [aGroup({ desired: 2 })], instances }));
      aws.sim.failNext('PutAttributes', Object.assign(new Error('no'), { name: 'AccessDeniedException', $fault: 'client' }));
      const report = await execute(awsClients(), [{ kind: 'drain', cluster: 'test', containerInstanceArns: instances.map((i) => i.id), drainReason: 'scale-in', reason: 't' }], { dryRun: false });
      expect(aws.ecs).not.toHaveReceivedCommand(UpdateContainerInstancesStateCommand);
      expect(report.failures.map((f) => f.action)).toEqual(['drain']);
    });
  });
});
