import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ListServicesCommand } from '@aws-sdk/client-ecs';
import { DUTIES } from '../../src/duties/index.js';
import { demoSnapshot, mockAws, type MockedAws } from '../support/aws-mocks.js';
import { event, invoke } from '../support/handlers.js';

describe('Handler: capacity in own mode (managed scaling off)', () => {
  let aws: MockedAws;
  afterEach(() => aws.restore());

  it('sizes every service\'s deficit on one placement failure (a multi-service burst in one step)', async () => {
    aws = mockAws();
    // Prepare: three services on spot-general want more than they run; the event names only worker.
    for (const [service, count] of [['web', 30], ['api', 20], ['worker', 25]] as const) aws.sim.handle('ecs', 'UpdateService', { cluster: 'demo', service, desiredCount: count });
    // Act
    const record = await invoke(DUTIES.capacity, event('events/demo/02-service-task-placement-failure.json'));
    // Assess: one ListServices, DescribeServices in tens, and one SetDesiredCapacity for the group.
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
    expect(aws.ecs).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: 'worker:1' });
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: 'ecs-pilot-demo-spot-general', HonorCooldown: false });
    expect(aws.writes()).toContain('SetDesiredCapacity');
    expect(aws.writes()).not.toContain('RunTask');
  });

  it.each([
    ['no RESOURCE failure', { responseElements: { tasks: [{ taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/demo/x' }], failures: [] } }, 'RunTask listed no RESOURCE:* failure'],
    ['another API call', { eventName: 'StopTask' }, 'CloudTrail StopTask needs no capacity'],
    ['a job attempt of ecs-pilot', { requestParameters: { cluster: 'demo', taskDefinition: 'worker:1', startedBy: 'ecs-pilot:nightly:r1:1' } }, 'a job attempt of ecs-pilot: the batch duty sizes its own'],
  ])('ignores %s, with no write', async (_name, detail, reason) => {
    aws = mockAws();
    const e = event('events/samples/cloudtrail-runtask-resource-failure.json');
    e.detail = { ...e.detail, ...detail };
    const record = await invoke(DUTIES.capacity, e);
    expect(record.outcome).toBe('ignored');
    expect(record.reason).toBe(reason);
    expect(aws.writes()).toEqual([]);
  });
});
