import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { DeleteAttributesCommand, PutAttributesCommand, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import { DUTIES } from '../../src/duties/index.js';
import { deployedRouter } from '../../src/duties/routes.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';
import { demoConfig, event, invoke } from '../support/handlers.js';

const CI = (n: number) => `arn:aws:ecs:us-east-1:123456789012:container-instance/demo/0000000000000000000000000000000${n}`;
const EC2 = (n: number) => `i-0a1b2c3d4e5f6000${n}`;
const NOW = new Date('2026-11-24T12:00:10Z');

function retirement(n: number, extra: Record<string, unknown> = {}) {
  const e = event('events/samples/aws-health-event.ec2-persistent-instance-retirement.custodian.json');
  e.time = '2026-11-24T12:00:05Z';
  e.resources = [EC2(n)];
  e.detail.affectedEntities = [{ entityValue: EC2(n), tags: {} }];
  e.detail.startTime = 'Tue, 1 Dec 2026 22:00:00 GMT';
  Object.assign(e.detail, extra);
  return e;
}

/** The desired capacity a spot warning for the instance would set: the same replacement, planned the same way. */
async function spotReplacement(n: number): Promise<number> {
  const other = mockAws();
  try {
    const warning = event('events/demo/01-spot-interruption-warning.json');
    warning.detail['instance-id'] = EC2(n);
    await invoke(DUTIES.spot, warning, { now: NOW });
    return other.sim.desired('ecs-pilot-demo-ondemand-general') ?? 0;
  } finally {
    other.restore();
  }
}

function stateChange(n: number, state: string) {
  const e = event('events/samples/ec2-instance-state-change-notification.terminated.json');
  e.id = `state-${n}-${state}`;
  e.time = '2026-11-24T12:00:05Z';
  e.detail = { 'instance-id': EC2(n), state };
  return e;
}

let replacementOf4 = 0;
beforeAll(async () => {
  replacementOf4 = await spotReplacement(4);
  expect(replacementOf4).toBeGreaterThan(2);
});

describe('Handler: AWS Health scheduled changes (spot function)', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('is routed to the spot function by the deployed rules', async () => {
    expect((await deployedRouter(demoConfig())).duties(retirement(3))).toEqual(['spot']);
  });

  it('launches the replacement first, then drains the instance, ahead of the start time', async () => {
    const record = await invoke(DUTIES.spot, retirement(4), { now: NOW });
    expect(record.outcome).toBe('acted');
    expect(aws.writes()).toEqual(['SetDesiredCapacity', 'UpdateContainerInstancesState', 'PutAttributes']);
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: 'ecs-pilot-demo-ondemand-general', DesiredCapacity: replacementOf4, HonorCooldown: false });
    expect(aws.ecs).toHaveReceivedCommandWith(UpdateContainerInstancesStateCommand, { cluster: 'demo', containerInstances: [CI(4)], status: 'DRAINING' });
    expect(aws.ecs).toHaveReceivedCommandWith(PutAttributesCommand, { cluster: 'demo', attributes: [expect.objectContaining({ name: 'ecs-pilot.replacement-requested', targetId: CI(4) })] });
    expect(record.actions[0]?.description).toContain('AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED for i-0a1b2c3d4e5f60004 at 2026-12-01T22:00:00.000Z');
  });

  it('a second delivery changes nothing', async () => {
    await invoke(DUTIES.spot, retirement(4), { now: NOW });
    const writes = aws.writes().length;
    const again = await invoke(DUTIES.spot, retirement(4), { now: NOW });
    expect(again.outcome).toBe('nothing-to-do');
    expect(aws.writes().length).toBe(writes);
  });

  it.each([
    ['another service', { service: 'RDS' }, 'AWS Health RDS scheduledChange event: not an EC2 scheduled change'],
    ['an issue, not a scheduled change', { eventTypeCategory: 'issue' }, 'not an EC2 scheduled change'],
    ['a closed change', { statusCode: 'closed' }, 'is closed'],
  ])('ignores %s with no call', async (_name, extra, reason) => {
    const record = await invoke(DUTIES.spot, retirement(4, extra), { now: NOW });
    expect(record.outcome).toBe('ignored');
    expect(record.reason).toContain(reason);
    expect(aws.sim.log).toEqual([]);
  });

  it('ignores an instance of no configured group', async () => {
    const record = await invoke(DUTIES.spot, { ...retirement(4), resources: [], detail: { ...retirement(4).detail, affectedEntities: [{ entityValue: 'i-0fffffffffffffff0' }] } }, { now: NOW });
    expect(record.outcome).toBe('ignored');
    expect(record.reason).toBe('i-0fffffffffffffff0 is in none of the configured Auto Scaling groups');
    expect(aws.writes()).toEqual([]);
  });
});

describe('Handler: EC2 instance stopped or terminated outside its ASG (lifecycle function)', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('is routed to the lifecycle function by the deployed rules', async () => {
    expect((await deployedRouter(demoConfig())).duties(stateChange(4, 'stopped'))).toEqual(['lifecycle']);
  });

  it('drains what is left, launches the replacement and clears stale marks', async () => {
    aws.sim.handle('ecs', 'PutAttributes', { cluster: 'demo', attributes: [{ name: 'ecs-pilot.idle-since', value: '2026-11-24T11:00:00Z', targetId: CI(4) }] });
    aws.sim.log.length = 0;
    const record = await invoke(DUTIES.lifecycle, stateChange(4, 'stopped'), { now: NOW });
    expect(record.outcome).toBe('acted');
    expect(aws.writes()).toEqual(['SetDesiredCapacity', 'UpdateContainerInstancesState', 'PutAttributes', 'DeleteAttributes']);
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: 'ecs-pilot-demo-ondemand-general', DesiredCapacity: replacementOf4 });
    expect(aws.ecs).toHaveReceivedCommandWith(DeleteAttributesCommand, { cluster: 'demo', attributes: [{ name: 'ecs-pilot.idle-since', targetType: 'container-instance', targetId: CI(4) }] });
    const again = await invoke(DUTIES.lifecycle, stateChange(4, 'terminated'), { now: NOW });
    expect(again.outcome).toBe('nothing-to-do');
  });

  it('leaves an instance the ASG is terminating to its lifecycle hook', async () => {
    aws.sim.setLifecycleState(EC2(4), 'Terminating:Wait');
    const record = await invoke(DUTIES.lifecycle, stateChange(4, 'shutting-down'), { now: NOW });
    expect(record.outcome).toBe('ignored');
    expect(record.reason).toBe('i-0a1b2c3d4e5f60004 is Terminating:Wait by its Auto Scaling group: its lifecycle hook handles it');
    expect(aws.writes()).toEqual([]);
  });

  it.each(['pending', 'running'])('ignores %s with no call', async (state) => {
    const record = await invoke(DUTIES.lifecycle, stateChange(4, state), { now: NOW });
    expect(record.outcome).toBe('ignored');
    expect(aws.sim.log).toEqual([]);
  });
});
