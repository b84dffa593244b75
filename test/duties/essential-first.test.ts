/**
 * Issue 21, F3: essential writes first and independent of optional reads; partial observations give
 * partial decisions, with the reason; the calls that matter are retried in the invocation.
 * aws-sdk-client-mock at the SDK edge, answered by the simulated AWS; errors injected per command
 * (as they reach the code after the SDK's own retries).
 */
import { CompleteLifecycleActionCommand, DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { ListServicesCommand, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import { ActuationError, type DecisionRecord } from '../../src/controller.js';
import { DUTIES } from '../../src/duties/index.js';
import { SimulatedServiceError } from '../../src/sim/simulated-aws.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';
import { event, invoke } from '../support/handlers.js';

const SPOT = 'events/demo/01-spot-interruption-warning.json';
const HOOK = 'events/demo/04-terminate-lifecycle-action.json';
const TICK = 'events/demo/07-reconcile-tick.json';
const WARNED = 'i-0a1b2c3d4e5f60003';
const SPOT_ASG = 'ecs-pilot-demo-spot-general';
const server = (name = 'InternalFailure') => new SimulatedServiceError(name, 'injected', 'server');

async function recordOf(run: Promise<DecisionRecord>): Promise<DecisionRecord> {
  try {
    return await run;
  } catch (e) {
    if (e instanceof ActuationError) return e.record;
    throw e;
  }
}

describe('Duty: spot — the drain first, the replacement with what could be read (F3)', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('the drain is the first write and needs two calls, before any Auto Scaling or task read', async () => {
    await invoke(DUTIES.spot, event(SPOT));
    expect(aws.sim.log.slice(0, 2).map((c) => c.command)).toEqual(['ListContainerInstances', 'UpdateContainerInstancesState']);
  });

  it('the whole-cluster read for spare room fails: the instance gets its own replacement, and the record says why', async () => {
    aws.ecs.on(ListServicesCommand).rejects(server('ServiceUnavailableException'));
    const record = await invoke(DUTIES.spot, event(SPOT));
    expect(record.outcome).toBe('acted');
    expect(aws.sim.instance(WARNED)?.status).toBe('DRAINING');
    // Its own replacement: 2 × m5.large for its 3 tasks (as with no spare room kept).
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: SPOT_ASG, DesiredCapacity: 6, HonorCooldown: false });
    expect(record.notes?.join(' ')).toMatch(/the rest of cluster demo could not be read \(.*ServiceUnavailableException.*\): the instance's own replacement/);
  });

  it('a drain that fails with a server error is retried in the invocation, not 60 s later by Lambda', async () => {
    aws.sim.failNext('UpdateContainerInstancesState', server());
    const record = await invoke(DUTIES.spot, event(SPOT));
    expect(record.outcome).toBe('acted');
    expect(record.failures).toEqual([]);
    expect(aws.ecs).toHaveReceivedCommandTimes(UpdateContainerInstancesStateCommand, 2);
    expect(aws.sim.instance(WARNED)?.status).toBe('DRAINING');
  });

  it('the replacement is still sized for the tasks the drain is already stopping', async () => {
    // The service scheduler reacts to the drain before the read: the tasks are STOPPING, not gone.
    aws.ecs.on(UpdateContainerInstancesStateCommand).callsFake(async (input) => {
      const out = aws.sim.handle('ecs', 'UpdateContainerInstancesState', input);
      for (const t of ['api0000000000000000000000000001', 'api0000000000000000000000000002', 'wrk0000000000000000000000000002']) {
        aws.sim.setTaskStatus(`arn:aws:ecs:us-east-1:123456789012:task/demo/${t}`, 'STOPPING', 'STOPPED');
      }
      return out;
    });
    await invoke(DUTIES.spot, event(SPOT));
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: SPOT_ASG, DesiredCapacity: 6, HonorCooldown: false });
  });
});

describe('Duty: lifecycle — a hook on an empty instance with few reads (F3)', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('completes with the instance alone read: no Auto Scaling, instance-type or cluster read', async () => {
    aws.sim.setLifecycleState('i-0a1b2c3d4e5f60002', 'Terminating:Wait');
    const record = await invoke(DUTIES.lifecycle, event(HOOK));
    expect(record.outcome).toBe('acted');
    expect(aws.sim.log.map((c) => c.command)).toEqual([
      'ListContainerInstances', 'DescribeContainerInstances', 'ListTasks', 'ListTasks', 'DescribeTasks',
      'UpdateContainerInstancesState', 'CompleteLifecycleAction', 'PutAttributes',
      'DescribeCapacityProviders', // after acting: the conflicting-settings check of the record (cached per warm container)
    ]);
    expect(aws.autoscaling).not.toHaveReceivedCommand(DescribeAutoScalingGroupsCommand);
  });

  it('CompleteLifecycleAction failing with a server error is retried in the invocation', async () => {
    aws.sim.setLifecycleState('i-0a1b2c3d4e5f60002', 'Terminating:Wait');
    aws.sim.failNext('CompleteLifecycleAction', server('ServiceUnavailable'));
    const record = await invoke(DUTIES.lifecycle, event(HOOK));
    expect(record.failures).toEqual([]);
    expect(aws.autoscaling).toHaveReceivedCommandTimes(CompleteLifecycleActionCommand, 2);
    expect(aws.sim.instance('i-0a1b2c3d4e5f60002')?.lifecycleState).toBe('Terminated');
  });
});

describe('Duty: reconcile — partial observations, partial decisions (F3)', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('the whole cluster cannot be read: the terminate hooks are still decided, and the record says why', async () => {
    aws.sim.setLifecycleState('i-0a1b2c3d4e5f60002', 'Terminating:Wait');
    aws.ecs.on(ListServicesCommand).rejects(server('ServiceUnavailableException'));
    const record = await recordOf(invoke(DUTIES.reconcile, event(TICK)));
    expect(record.outcome).toBe('acted');
    expect(record.actions.map((a) => a.kind)).toEqual(['drain', 'markInstance', 'completeLifecycleAction']);
    expect(aws.sim.instance('i-0a1b2c3d4e5f60002')?.lifecycleState).toBe('Terminated');
    expect(record.notes?.join(' ')).toMatch(/cluster demo could not be read whole \(.*ServiceUnavailableException.*\): only its 1 instance\(s\) waiting on a terminate hook were decided/);
    expect(aws.autoscaling).not.toHaveReceivedCommand(SetDesiredCapacityCommand);
  });
});
