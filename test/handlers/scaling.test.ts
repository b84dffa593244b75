import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { TagResourceCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { parseConfig } from '../../src/config/load.js';
import { DUTIES } from '../../src/duties/index.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';
import { demoConfig, event, invoke } from '../support/handlers.js';

const ALARM = 'events/demo/10-alarm-worker-backlog.json';
const NOW = new Date('2026-11-24T12:10:02Z');
const WORKER_ARN = 'arn:aws:ecs:us-east-1:123456789012:service/demo/worker';

describe('Handler: service scaling', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('scales the service and raises its group for the new tasks in the same invocation', async () => {
    const record = await invoke(DUTIES.scaling, event(ALARM), { now: NOW });
    expect(record.outcome).toBe('acted');
    // 350 − 100 = 250 → step "lower 200: +100 %": 10 → 20.
    expect(aws.ecs).toHaveReceivedCommandWith(UpdateServiceCommand, { cluster: 'demo', service: 'worker', desiredCount: 20 });
    expect(aws.autoscaling).toHaveReceivedCommandTimes(SetDesiredCapacityCommand, 1);
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: 'ecs-pilot-demo-spot-general', DesiredCapacity: 17, HonorCooldown: false });
    expect(aws.ecs).toHaveReceivedCommandWith(TagResourceCommand, {
      resourceArn: WORKER_ARN,
      tags: [{ key: 'ecs-pilot:scaled-at', value: NOW.toISOString() }, { key: 'ecs-pilot:scaled-by', value: '5b2d7e10-0c4e-4b8e-9d7a-00000000000a' }],
    });
    expect(aws.writes()).toEqual(['SetDesiredCapacity', 'UpdateService', 'TagResource']);
  });

  it('changes nothing on a duplicate, nor on another alarm event inside the cooldown', async () => {
    await invoke(DUTIES.scaling, event(ALARM), { now: NOW });
    const writes = aws.writes().length;
    expect((await invoke(DUTIES.scaling, event(ALARM), { now: new Date(NOW.getTime() + 5_000) })).outcome).toBe('nothing-to-do');
    const again = event(ALARM);
    again.id = 'another-evaluation';
    const inCooldown = await invoke(DUTIES.scaling, again, { now: new Date(NOW.getTime() + 120_000) });
    expect(inCooldown).toEqual(expect.objectContaining({ outcome: 'nothing-to-do', reason: 'inside the cooldown: scaled 120 s ago, cooldown 300 s' }));
    expect(aws.writes().length).toBe(writes);
    // After the cooldown it scales again: 20 → 30 (max).
    await invoke(DUTIES.scaling, again, { now: new Date(NOW.getTime() + 301_000) });
    expect(aws.ecs).toHaveReceivedCommandWith(UpdateServiceCommand, { service: 'worker', desiredCount: 30 });
  });

  it('reads the alarm-action shape (Lambda as the alarm\'s action) too', async () => {
    const base = demoConfig();
    const config = parseConfig({
      ...JSON.parse(JSON.stringify(base)),
      jobs: [],
      serviceScaling: [{ cluster: 'demo', service: 'worker', minTasks: 1, maxTasks: 12, capacityProvider: 'spot-general', alarms: [{ alarm: 'lambda-demo-metric-alarm', steps: [{ lower: 0, add: 1 }] }] }],
    });
    const record = await invoke(DUTIES.scaling, event('events/samples/cloudwatch-alarm-lambda-action.metric.json'), { now: NOW, config });
    expect(record.eventId).toBe('arn:aws:cloudwatch:us-east-1:444455556666:alarm:lambda-demo-metric-alarm@2023-08-04T12:36:15.490+0000');
    expect(aws.ecs).toHaveReceivedCommandWith(UpdateServiceCommand, { service: 'worker', desiredCount: 11 });
  });

  it('scales in without going below the protected tasks', async () => {
    for (const id of ['wrk0000000000000000000000000001', 'wrk0000000000000000000000000002']) aws.sim.protectTask(`arn:aws:ecs:us-east-1:123456789012:task/demo/${id}`);
    const low = event(ALARM);
    low.id = 'low-1';
    low.detail.alarmName = 'demo-worker-backlog-low';
    low.detail.state.reasonData = '{"recentDatapoints":[3.0],"threshold":10.0}';
    await invoke(DUTIES.scaling, low, { now: NOW });
    expect(aws.ecs).toHaveReceivedCommandWith(UpdateServiceCommand, { service: 'worker', desiredCount: 8 });
    expect(aws.autoscaling).not.toHaveReceivedCommand(SetDesiredCapacityCommand);
  });

  it('applies a schedule: bounds kept as tags, desired clamped into them', async () => {
    const e = { version: '0', id: 'sched-1', 'detail-type': 'Service Scaling Schedule', source: 'ecs-pilot.scheduler', time: '2026-11-24T07:00:00Z', resources: [], detail: { cluster: 'demo', service: 'worker', schedule: 0 } };
    await invoke(DUTIES.scaling, e, { now: NOW });
    expect(aws.ecs).toHaveReceivedCommandWith(TagResourceCommand, { resourceArn: WORKER_ARN, tags: [{ key: 'ecs-pilot:min-tasks', value: '4' }, { key: 'ecs-pilot:max-tasks', value: '40' }] });
    expect(aws.ecs).not.toHaveReceivedCommand(UpdateServiceCommand); // 10 is within 4..40
  });

  it('ignores alarms no rule uses and OK transitions', async () => {
    expect((await invoke(DUTIES.scaling, event('events/samples/cloudwatch-alarm-state-change.single-metric.json'))).reason).toBe('alarm ServerCpuTooHigh drives no configured service');
    const ok = event(ALARM);
    ok.detail.state.value = 'OK';
    expect((await invoke(DUTIES.scaling, ok)).reason).toBe('alarm demo-worker-backlog-high is OK: nothing to do');
    expect(aws.writes()).toEqual([]);
  });
});
