import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { PutAttributesCommand, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import { DUTIES } from '../../src/duties/index.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';
import { demoConfig, event, invoke, NOW } from '../support/handlers.js';

const REBALANCE = 'events/demo/06-rebalance-recommendation.json';
const ARN1 = 'arn:aws:ecs:us-east-1:123456789012:container-instance/demo/00000000000000000000000000000001';

function withPolicy(policy: 'drain' | 'prescale' | 'ignore') {
  const config = demoConfig();
  return { ...config, clusters: config.clusters.map((c) => ({ ...c, groups: c.groups.map((g) => (g.name === 'spot-general' ? { ...g, rebalance: policy } : g)) })) };
}

describe('Handler: rebalance recommendation', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('prescale: launches the replacement now and marks the instance; reconcile drains it later', async () => {
    const record = await invoke(DUTIES.rebalance, event(REBALANCE), { config: withPolicy('prescale') });
    expect(record.outcome).toBe('acted');
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: 'ecs-pilot-demo-spot-general', DesiredCapacity: 5 });
    expect(aws.ecs).not.toHaveReceivedCommand(UpdateContainerInstancesStateCommand);
    expect(aws.ecs).toHaveReceivedCommandWith(PutAttributesCommand, {
      attributes: expect.arrayContaining([
        { name: 'ecs-pilot.drain-reason', value: 'prescale', targetType: 'container-instance', targetId: ARN1 },
        { name: 'ecs-pilot.replacement-requested', value: NOW.toISOString(), targetType: 'container-instance', targetId: ARN1 },
      ]),
    });
    // Duplicate: nothing more.
    const again = await invoke(DUTIES.rebalance, event(REBALANCE), { config: withPolicy('prescale') });
    expect(again.outcome).toBe('nothing-to-do');
    expect(aws.sim.desired('ecs-pilot-demo-spot-general')).toBe(5);
  });

  it('drain: drains and replaces at once, like an interruption', async () => {
    await invoke(DUTIES.rebalance, event(REBALANCE), { config: withPolicy('drain') });
    expect(aws.ecs).toHaveReceivedCommandWith(UpdateContainerInstancesStateCommand, { containerInstances: [ARN1], status: 'DRAINING' });
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { DesiredCapacity: 5 });
  });

  it('ignore: does nothing', async () => {
    const record = await invoke(DUTIES.rebalance, event(REBALANCE), { config: withPolicy('ignore') });
    expect(record.outcome).toBe('nothing-to-do');
    expect(aws.writes()).toEqual([]);
  });
});
