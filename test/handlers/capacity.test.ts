import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeTasksCommand } from '@aws-sdk/client-ecs';
import { composeDemand } from '../../src/core/capacity/demand.js';
import { plan } from '../../src/core/capacity/index.js';
import { DUTIES } from '../../src/duties/index.js';
import { demoSnapshot, mockAws, type MockedAws } from '../support/aws-mocks.js';
import { event, invoke } from '../support/handlers.js';

const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/demo/wrk0000000000000000000000000003';

describe('Handler: capacity (PROVISIONING tasks, placement failures)', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('plans every waiting task and sets each group\'s desired capacity once', async () => {
    const record = await invoke(DUTIES.capacity, event('events/demo/03-task-provisioning.json'));
    expect(record.outcome).toBe('acted');
    expect(aws.ecs).toHaveReceivedCommandWith(DescribeTasksCommand, { cluster: 'demo', tasks: [TASK] });
    // The same numbers as planning the demo snapshot directly, tasks on its draining GPU instance included.
    const expected = plan(composeDemand(demoSnapshot()).snapshot).groups.filter((g) => g.desired > g.current);
    expect(expected.find((g) => g.name === 'gpu-ondemand')?.desired).toBe(4);
    expect(expected.length).toBeGreaterThan(0);
    expect(aws.autoscaling).toHaveReceivedCommandTimes(SetDesiredCapacityCommand, expected.length);
    for (const g of expected) {
      expect(aws.autoscaling).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: g.asg, DesiredCapacity: g.desired, HonorCooldown: false });
    }
  });

  it('a second delivery, and the next task\'s event, scale out nothing more', async () => {
    await invoke(DUTIES.capacity, event('events/demo/03-task-provisioning.json'));
    const writes = aws.writes().length;
    await invoke(DUTIES.capacity, event('events/demo/03-task-provisioning.json'));
    const other = event('events/demo/03-task-provisioning.json');
    other.id = 'another-event';
    other.detail.taskArn = TASK.replace('03', '04');
    await invoke(DUTIES.capacity, other);
    expect(aws.writes().length).toBe(writes);
  });

  it('ignores an out-of-order event: the task has moved on since', async () => {
    aws.sim.setTaskStatus(TASK, 'PENDING');
    const record = await invoke(DUTIES.capacity, event('events/demo/03-task-provisioning.json'));
    expect(record.outcome).toBe('ignored');
    expect(record.reason).toBe('stale event: the task is at version 2 (PENDING), this event is version 1');
    expect(aws.sim.log.map((c) => c.command)).toEqual(['DescribeTasks']);
  });

  it('turns a service placement failure into demand for the service', async () => {
    const record = await invoke(DUTIES.capacity, event('events/demo/02-service-task-placement-failure.json'));
    expect(record.outcome).toBe('acted');
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: 'ecs-pilot-demo-spot-general' });
  });

  // Each ignored event is on the configured cluster, so what ignores it is the rule the name says, not
  // the cluster check; and nothing is asked of AWS: the event alone decides.
  const expectNoAwsCall = () => {
    expect(aws.sim.log).toEqual([]);
    for (const client of [aws.ecs, aws.autoscaling, aws.ec2, aws.cloudwatch]) expect(client).not.toHaveReceivedAnyCommand();
  };

  it('ignores a placement failure on a Fargate capacity provider (no instance to launch), asking AWS nothing', async () => {
    const fargate = event('events/demo/02-service-task-placement-failure.json');
    // The capacity provider of the AWS sample event, on the demo cluster.
    fargate.detail.capacityProviderArns = event('events/samples/ecs-service-action.service-task-placement-failure.fargate-spot.json').detail.capacityProviderArns;
    expect(fargate.detail.capacityProviderArns).toEqual(['arn:aws:ecs:us-west-2:111122223333:capacity-provider/FARGATE_SPOT']);
    const record = await invoke(DUTIES.capacity, fargate);
    expect(record.outcome).toBe('ignored');
    expect(record.reason).toContain('Fargate');
    expectNoAwsCall();
  });

  it('ignores a steady-state service action, asking AWS nothing', async () => {
    const steady = event('events/demo/02-service-task-placement-failure.json');
    const sample = event('events/samples/ecs-service-action.service-steady-state.json');
    steady['detail-type'] = sample['detail-type'];
    steady.detail = { ...sample.detail, clusterArn: steady.detail.clusterArn };
    const record = await invoke(DUTIES.capacity, steady);
    expect(record.outcome).toBe('ignored');
    expect(record.reason).toContain('SERVICE_STEADY_STATE');
    expect(record.reason).toContain('needs no capacity');
    expectNoAwsCall();
  });

  it('ignores a RUNNING task without reading it', async () => {
    const running = event('events/demo/03-task-provisioning.json');
    running.detail.lastStatus = 'RUNNING';
    running.detail.version = 3;
    const record = await invoke(DUTIES.capacity, running);
    expect(record.outcome).toBe('ignored');
    expect(record.reason).toContain('RUNNING');
    expect(aws.ecs).not.toHaveReceivedCommand(DescribeTasksCommand);
    expectNoAwsCall();
  });

  it.each([
    ['a Fargate placement failure', 'events/samples/ecs-service-action.service-task-placement-failure.fargate-spot.json', 'cluster arn:aws:ecs:us-west-2:111122223333:cluster/default is not configured'],
    ['a steady-state service action', 'events/samples/ecs-service-action.service-steady-state.json', 'cluster arn:aws:ecs:us-west-2:111122223333:cluster/default is not configured'],
    ['a RUNNING task', 'events/samples/ecs-task-state-change.running-ec2-launchtype.json', 'cluster arn:aws:ecs:us-east-1:111122223333:cluster/default is not configured'],
  ])('ignores %s of a cluster it does not manage, asking AWS nothing', async (_name, path, reason) => {
    const record = await invoke(DUTIES.capacity, event(path));
    expect(record.outcome).toBe('ignored');
    expect(record.reason).toContain(reason);
    expect(aws.writes()).toEqual([]);
    expectNoAwsCall();
  });
});
