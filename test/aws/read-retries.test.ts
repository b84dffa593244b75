import { DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { isRead, READ_RETRY, withReadRetries } from '../../src/aws/read-retries.js';
import { withColdCaches } from '../../src/aws/clients.js';
import { SimulatedServiceError } from '../../src/sim/simulated-aws.js';

/** Clients whose Auto Scaling `send` fails `failures` times with `error`, then answers. */
function flaky(failures: number, error: Error) {
  const calls: string[] = [];
  let left = failures;
  const send = async (command: { constructor: { name: string } }) => {
    calls.push(command.constructor.name);
    if (left-- > 0) throw error;
    return {};
  };
  const never = { send: async () => ({}) };
  const clients = withColdCaches({ ecs: never, ec2: never, cloudwatch: never, autoscaling: { send } } as never);
  const waits: number[] = [];
  let now = 0;
  const retrying = withReadRetries(clients, { sleep: async (ms) => { waits.push(ms); now += ms; }, clock: () => now, random: () => 0 });
  return { retrying, calls, waits, caches: clients.caches };
}

const throttled = new SimulatedServiceError('ThrottlingException', 'Rate exceeded');

describe('Function: withReadRetries', () => {
  it('retries a read that fails after the SDK, with back-off, and keeps the caches', async () => {
    const f = flaky(2, throttled);
    await f.retrying.autoscaling.send(new DescribeAutoScalingGroupsCommand({}));
    expect(f.calls).toEqual(Array(3).fill('DescribeAutoScalingGroupsCommand'));
    expect(f.waits).toEqual([READ_RETRY.firstDelayMs, READ_RETRY.firstDelayMs * 2]);
    expect(f.retrying.caches).toBe(f.caches);
  });

  it(`gives up after ${READ_RETRY.attempts} attempts with the last error`, async () => {
    const f = flaky(READ_RETRY.attempts, throttled);
    await expect(f.retrying.autoscaling.send(new DescribeAutoScalingGroupsCommand({}))).rejects.toThrow('Rate exceeded');
    expect(f.calls).toHaveLength(READ_RETRY.attempts);
  });

  it('never retries a write, nor an error a retry cannot get past', async () => {
    const write = flaky(1, throttled);
    await expect(write.retrying.autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'g', DesiredCapacity: 1 }))).rejects.toThrow();
    expect(write.calls).toHaveLength(1);
    const denied = flaky(1, new SimulatedServiceError('AccessDeniedException', 'not allowed'));
    await expect(denied.retrying.autoscaling.send(new DescribeAutoScalingGroupsCommand({}))).rejects.toThrow('not allowed');
    expect(denied.calls).toHaveLength(1);
  });

  it.each([
    ['DescribeTasksCommand', true],
    ['ListContainerInstancesCommand', true],
    ['GetTaskProtectionCommand', true],
    ['UpdateContainerInstancesStateCommand', false],
    ['CompleteLifecycleActionCommand', false],
  ])('%s is a read: %s', (name, read) => {
    const command = new (class {})();
    Object.defineProperty(command.constructor, 'name', { value: name });
    expect(isRead(command)).toBe(read);
  });
});
