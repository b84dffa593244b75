import { DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { ListContainerInstancesCommand, PutAttributesCommand, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import { DUTIES } from '../../src/duties/index.js';
import { EventValidationError } from '../../src/events/index.js';
import { demoSnapshot, mockAws, type MockedAws } from '../support/aws-mocks.js';
import { demoConfig, event, invoke } from '../support/handlers.js';

const ARN3 = 'arn:aws:ecs:us-east-1:123456789012:container-instance/demo/00000000000000000000000000000003';
const SPOT_ASG = 'ecs-pilot-demo-spot-general';

describe('Handler: spot interruption warning', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('drains the instance first, before any other read, then raises the group for its replacement in the same invocation', async () => {
    // Act
    const record = await invoke(DUTIES.spot, event('events/demo/01-spot-interruption-warning.json'));
    // Assess
    expect(record.outcome).toBe('acted');
    expect(aws.autoscaling).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['ecs-pilot-demo-spot-general', 'ecs-pilot-demo-ondemand-general', 'ecs-pilot-demo-gpu'] });
    expect(aws.ecs).toHaveReceivedCommandWith(ListContainerInstancesCommand, { cluster: 'demo', filter: 'ec2InstanceId == i-0a1b2c3d4e5f60003', status: 'ACTIVE' });
    expect(aws.ecs).toHaveReceivedCommandTimes(UpdateContainerInstancesStateCommand, 1);
    expect(aws.ecs).toHaveReceivedCommandWith(UpdateContainerInstancesStateCommand, { cluster: 'demo', containerInstances: [ARN3], status: 'DRAINING' });
    // 2 awsvpc api tasks + 1 worker (3072 CPU, 8 GiB, 2 ENIs) → 2 × m5.large spot (weight 1 each): 4 → 6.
    expect(aws.autoscaling).toHaveReceivedCommandTimes(SetDesiredCapacityCommand, 1);
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: SPOT_ASG, DesiredCapacity: 6, HonorCooldown: false });
    expect(aws.writes()).toEqual(['UpdateContainerInstancesState', 'SetDesiredCapacity', 'PutAttributes']);
    expect(aws.ecs).toHaveReceivedCommandWith(PutAttributesCommand, {
      cluster: 'demo',
      attributes: [{ name: 'ecs-pilot.replacement-requested', value: '2026-11-24T12:00:10.000Z', targetType: 'container-instance', targetId: ARN3 }],
    });
    // The drain first (its container instance found, ACTIVE), then the instance read fresh, then (a small
    // cluster, no state store) the whole cluster: the spot group keeps spare room, and the room is used
    // only if it launches less than the instance's own replacement.
    expect(aws.sim.log.map((c) => c.command)).toEqual([
      'ListContainerInstances', 'UpdateContainerInstancesState',
      'DescribeAutoScalingGroups', 'ListContainerInstances', 'DescribeContainerInstances', 'ListTasks', 'ListTasks', 'DescribeTasks', 'DescribeInstanceTypes',
      'DescribeAutoScalingGroups', 'ListContainerInstances', 'DescribeContainerInstances', 'ListTasks', 'DescribeTasks',
      ...Array(8).fill('DescribeTaskDefinition'), 'ListServices', 'DescribeServices', 'DescribeCapacityProviders',
      'DescribeAutoScalingGroups', 'SetDesiredCapacity', 'PutAttributes',
    ]);
  });

  it('with no spare room kept (spotSpareInstances 0) reads only its instance: a constant number of calls whatever the cluster size', async () => {
    const c = demoConfig();
    const config = { ...c, clusters: c.clusters.map((x) => ({ ...x, spotSpareInstances: 0 })) };
    const record = await invoke(DUTIES.spot, event('events/demo/01-spot-interruption-warning.json'), { config });
    expect(record.outcome).toBe('acted');
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: SPOT_ASG, DesiredCapacity: 6, HonorCooldown: false });
    expect(aws.sim.log.map((c) => c.command)).toEqual([
      'ListContainerInstances', 'UpdateContainerInstancesState',
      'DescribeAutoScalingGroups', 'ListContainerInstances', 'DescribeContainerInstances', 'ListTasks', 'ListTasks', 'DescribeTasks',
      'DescribeInstanceTypes', 'DescribeAutoScalingGroups', 'SetDesiredCapacity', 'PutAttributes',
    ]);
  });

  it('changes nothing when the same event is delivered again', async () => {
    const e = event('events/demo/01-spot-interruption-warning.json');
    await invoke(DUTIES.spot, e);
    const before = aws.sim.log.length;
    const again = await invoke(DUTIES.spot, e);
    const second = aws.sim.log.slice(before).map((c) => c.command);
    expect(again.outcome).toBe('nothing-to-do');
    expect(second).not.toContain('UpdateContainerInstancesState');
    expect(second).not.toContain('SetDesiredCapacity');
    expect(aws.sim.desired(SPOT_ASG)).toBe(6);
  });

  it('a wave: each interrupted instance gets its own replacement, even while earlier ones are still launching', async () => {
    const warning = (id: string, instance: string) => {
      const e = event('events/demo/01-spot-interruption-warning.json');
      e.id = id;
      e.detail['instance-id'] = instance;
      return e;
    };
    await invoke(DUTIES.spot, warning('w-1', 'i-0a1b2c3d4e5f60003'));
    expect(aws.sim.desired(SPOT_ASG)).toBe(6);
    // i-…0001 runs a web task (512 CPU, port 80) and a worker (1024 CPU, 4 GiB): one more m5.large.
    await invoke(DUTIES.spot, warning('w-2', 'i-0a1b2c3d4e5f60001'));
    expect(aws.sim.desired(SPOT_ASG)).toBe(7);
    // Duplicates of both: nothing more.
    await invoke(DUTIES.spot, warning('w-1', 'i-0a1b2c3d4e5f60003'));
    await invoke(DUTIES.spot, warning('w-2', 'i-0a1b2c3d4e5f60001'));
    expect(aws.sim.desired(SPOT_ASG)).toBe(7);
  });

  it('rejects the documentation template (placeholder time and action) with the event id and fields, writing nothing', async () => {
    const e = event('events/samples/ec2-spot-instance-interruption-warning.docs-template.json');
    await expect(invoke(DUTIES.spot, e)).rejects.toThrow(EventValidationError);
    await expect(invoke(DUTIES.spot, e)).rejects.toThrow(/event 12345678-1234-1234-1234-123456789012 rejected: \$\.time: Invalid ISO datetime; \$\.detail\["instance-action"\]: Invalid option/);
    expect(aws.sim.log).toEqual([]);
  });

  it.each([
    ['missing instance id', (e: any) => delete e.detail['instance-id'], '$.detail["instance-id"]'],
    ['instance id of the wrong type', (e: any) => (e.detail['instance-id'] = 42), '$.detail["instance-id"]'],
    ['no detail-type', (e: any) => delete e['detail-type'], '$["detail-type"]'],
  ])('rejects a malformed event (%s) naming the field, writing nothing', async (_name, mutate, path) => {
    const e = event('events/demo/01-spot-interruption-warning.json');
    mutate(e);
    const error = await invoke(DUTIES.spot, e).catch((x: unknown) => x);
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as EventValidationError).eventId).toBe(e.id);
    expect((error as EventValidationError).issues.map((i) => i.path)).toContain(path);
    expect(aws.sim.log).toEqual([]);
  });

  it('ignores an instance outside the configured clusters and groups with two reads (the drain finds no container instance)', async () => {
    const e = event('events/demo/01-spot-interruption-warning.json');
    e.detail['instance-id'] = 'i-0ffffffffffffffff';
    const record = await invoke(DUTIES.spot, e);
    expect(record.outcome).toBe('ignored');
    expect(record.reason).toBe('i-0ffffffffffffffff is in none of the configured Auto Scaling groups');
    expect(aws.writes()).toEqual([]);
    expect(aws.sim.log.map((c) => c.command)).toEqual(['ListContainerInstances', 'DescribeAutoScalingGroups']);
  });

  it('ignores events of other types with one log line', async () => {
    const record = await invoke(DUTIES.spot, event('events/samples/ec2-instance-launch-successful.basic.json'));
    expect(record).toEqual(expect.objectContaining({ outcome: 'ignored', reason: expect.stringContaining('no handler for aws.autoscaling "EC2 Instance Launch Successful"') }));
    expect(aws.sim.log).toEqual([]);
  });

  it('in dry-run sends no write and reports what it would have sent', async () => {
    const record = await invoke(DUTIES.spot, event('events/demo/01-spot-interruption-warning.json'), { config: demoConfig({ dryRun: true }) });
    expect(aws.writes()).toEqual([]);
    // The drain's lookup is shown; nothing drained, the decision on the read instance drains it.
    expect(record.calls.map((c) => c.command)).toEqual(['ListContainerInstances', 'SetDesiredCapacity', 'UpdateContainerInstancesState', 'PutAttributes']);
    expect(record.calls[1]?.input).toEqual({ AutoScalingGroupName: SPOT_ASG, DesiredCapacity: 6, HonorCooldown: false });
  });
});

describe('Handler: spot interruption warning in a large cluster without the state store', () => {
  let aws: MockedAws;
  afterEach(() => aws.restore());

  it('reads only its instance (no whole-cluster listing) and launches its own replacement: the drain never waits on a full read', async () => {
    // Prepare: the demo with its on-demand group at 120 capacity units (over the 100 a warning may list itself)
    const snapshot = demoSnapshot();
    aws = mockAws({ ...snapshot, groups: snapshot.groups.map((g) => (g.name === 'ondemand-general' ? { ...g, desired: 120, max: 200 } : g)) });
    // Act
    const record = await invoke(DUTIES.spot, event('events/demo/01-spot-interruption-warning.json'));
    // Assess
    expect(record.outcome).toBe('acted');
    expect(aws.ecs.commandCalls(ListContainerInstancesCommand).map((c) => c.args[0].input)).toStrictEqual([
      { cluster: 'demo', filter: 'ec2InstanceId == i-0a1b2c3d4e5f60003', status: 'ACTIVE' },
      { cluster: 'demo', filter: 'ec2InstanceId == i-0a1b2c3d4e5f60003' },
    ]);
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: SPOT_ASG, DesiredCapacity: 6, HonorCooldown: false });
  });
});
