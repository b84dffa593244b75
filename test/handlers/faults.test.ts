import { DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { READ_RETRY } from '../../src/aws/read-retries.js';
import { ActuationError } from '../../src/controller.js';
import { DUTIES } from '../../src/duties/index.js';
import { SimulatedServiceError } from '../../src/sim/simulated-aws.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';
import { event, invoke } from '../support/handlers.js';

const SPOT = 'events/demo/01-spot-interruption-warning.json';

/**
 * The spot handler when AWS answers with an error: the error is simulated at the SDK edge (the error
 * the handler sees once the SDK's retries are spent; those retries are test/aws/client-retries.test.ts).
 */
describe('Handler: spot, when an AWS call fails (after the SDK retries)', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('a read that fails once more after the SDK is retried within the invocation: the decision is made as usual', async () => {
    aws.sim.failNext('DescribeAutoScalingGroups', new SimulatedServiceError('ThrottlingException', 'Rate exceeded'));
    const record = await invoke(DUTIES.spot, event(SPOT));
    expect(record.outcome).toBe('acted');
    expect(aws.writes()).toEqual(['UpdateContainerInstancesState', 'SetDesiredCapacity', 'PutAttributes']);
  });

  it('a read still throttled after the retries (the SDK\'s, then READ_RETRY.attempts of ecs-pilot\'s) fails the invocation loudly (for redelivery), after the drain, which needs none of those reads', async () => {
    aws.sim.failNext('DescribeAutoScalingGroups', new SimulatedServiceError('ThrottlingException', 'Rate exceeded'), READ_RETRY.attempts);
    await expect(invoke(DUTIES.spot, event(SPOT))).rejects.toThrow('Rate exceeded');
    expect(aws.writes()).toEqual(['UpdateContainerInstancesState']);
    expect(aws.sim.instance('i-0a1b2c3d4e5f60003')?.status).toBe('DRAINING');
    expect(aws.autoscaling).toHaveReceivedCommand(DescribeAutoScalingGroupsCommand);
  });

  it('a 5xx on a write fails the invocation after the other writes; the redelivery finishes the job without repeating them', async () => {
    aws.sim.failNext('SetDesiredCapacity', new SimulatedServiceError('InternalFailure', 'We encountered an internal error', 'server'));
    const error = await invoke(DUTIES.spot, event(SPOT)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActuationError);
    expect((error as ActuationError).record.outcome).toBe('failed');
    expect((error as ActuationError).record.failures).toEqual([{ action: 'setDesiredCapacity', items: ['ecs-pilot-demo-spot-general'], error: 'InternalFailure: We encountered an internal error' }]);
    expect(aws.sim.instance('i-0a1b2c3d4e5f60003')?.status).toBe('DRAINING');

    const retry = await invoke(DUTIES.spot, event(SPOT));
    expect(retry.outcome).toBe('acted');
    // The mark was not written after the failure, so the replacement is decided again; the drain finds the instance DRAINING.
    expect(retry.actions.map((a) => a.kind)).toEqual(['drainInstance', 'setDesiredCapacity', 'markInstance']);
    expect(retry.skipped).toContainEqual({ action: 'drainInstance', items: ['i-0a1b2c3d4e5f60003'], reason: 'no ACTIVE container instance in demo' });
    expect(aws.sim.desired('ecs-pilot-demo-spot-general')).toBe(6);
    expect(aws.autoscaling).toHaveReceivedCommandTimes(SetDesiredCapacityCommand, 2);
  });
});
