/**
 * Issue 9: after a spot warning ecs-pilot has launched the replacement; once the instance is drained
 * empty it terminates it with desired −1, so the ASG does not replace it a second time when EC2
 * reclaims it (in accelerate only above what ECS's managed scaling asks for).
 */
import { CompleteLifecycleActionCommand, DescribeAutoScalingGroupsCommand, TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeCapacityProvidersCommand, DescribeContainerInstancesCommand, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { execute } from '../../src/aws/actuator.js';
import { awsClients } from '../../src/aws/clients.js';
import { ActuationError } from '../../src/controller.js';
import type { Action } from '../../src/core/actions.js';
import { DUTIES } from '../../src/duties/index.js';
import { SimulatedServiceError } from '../../src/sim/state.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';
import { demoConfig, event, invoke } from '../support/handlers.js';

const SPOT_ASG = 'ecs-pilot-demo-spot-general';
const ID = 'i-0a1b2c3d4e5f60003';
const ARN3 = 'arn:aws:ecs:us-east-1:123456789012:container-instance/demo/00000000000000000000000000000003';
const TASK = (id: string) => `arn:aws:ecs:us-east-1:123456789012:task/demo/${id}`;
const MOVED = ['api0000000000000000000000000001', 'api0000000000000000000000000002', 'wrk0000000000000000000000000002'];

/** The container instance state change ECS sends when the last non-daemon task left: the daemon still runs. */
function drainedEvent(runningTasksCount = 1) {
  const e = event('events/demo/05-container-instance-draining.json');
  e.id = `ci-${runningTasksCount}`;
  e.detail.ec2InstanceId = ID;
  e.detail.containerInstanceArn = ARN3;
  e.detail.runningTasksCount = runningTasksCount;
  e.detail.attributes = [...e.detail.attributes, { name: 'ecs-pilot.replacement-requested', value: '2026-11-24T12:00:10.000Z' }];
  return e;
}

/** The warning (replacement launched, instance drained and marked), then its service tasks moved away. */
async function warnedAndDrained(aws: MockedAws): Promise<void> {
  await invoke(DUTIES.spot, event('events/demo/01-spot-interruption-warning.json'));
  for (const t of MOVED) aws.sim.setTaskStatus(TASK(t), 'STOPPED', 'STOPPED');
  aws.sim.log.length = 0;
  aws.autoscaling.resetHistory();
  aws.ecs.resetHistory();
}

describe('Handler: a replaced spot instance drained empty (own mode)', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('terminates it with desired −1 after a fresh re-check; the terminate hook then completes as any scale-in', async () => {
    // Prepare
    await warnedAndDrained(aws);
    expect(aws.sim.desired(SPOT_ASG)).toBe(6); // 4 + 2 units of replacement
    // Act
    const record = await invoke(DUTIES.lifecycle, drainedEvent());
    // Assess
    expect(record.outcome).toBe('acted');
    expect(record.actions.map((a) => a.kind)).toEqual(['terminateReplacedInstance']);
    expect(aws.autoscaling).toHaveReceivedCommandWith(TerminateInstanceInAutoScalingGroupCommand, { InstanceId: ID, ShouldDecrementDesiredCapacity: true });
    expect(aws.autoscaling).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: [SPOT_ASG] });
    expect(aws.ecs).toHaveReceivedCommandWith(DescribeContainerInstancesCommand, { cluster: 'demo', containerInstances: [ARN3] });
    expect(aws.sim.log.map((c) => c.command)).toEqual([
      'DescribeAutoScalingGroups', 'ListContainerInstances', 'DescribeContainerInstances', 'ListTasks', 'ListTasks', 'DescribeTasks', 'DescribeInstanceTypes', 'DescribeCapacityProviders',
      'DescribeAutoScalingGroups', 'DescribeContainerInstances', 'TerminateInstanceInAutoScalingGroup',
    ]);
    expect(aws.sim.desired(SPOT_ASG)).toBe(4); // m5.xlarge: weight 2
    expect(aws.sim.instance(ID)?.lifecycleState).toBe('Terminating:Wait');

    // The same event again (at-least-once delivery): no second terminate, the hook is moved on instead.
    const duplicate = await invoke(DUTIES.lifecycle, drainedEvent());
    expect(duplicate.actions.map((a) => a.kind)).not.toContain('terminateReplacedInstance');
    expect(aws.autoscaling).toHaveReceivedCommandTimes(TerminateInstanceInAutoScalingGroupCommand, 1);
    expect(aws.autoscaling).toHaveReceivedCommandWith(CompleteLifecycleActionCommand, { AutoScalingGroupName: SPOT_ASG, LifecycleHookName: 'ecs-pilot-drain', InstanceId: ID, LifecycleActionResult: 'CONTINUE' });
    expect(aws.sim.desired(SPOT_ASG)).toBe(4);
  });

  it('an event that still counts a non-daemon task is answered without any read', async () => {
    await warnedAndDrained(aws);
    const record = await invoke(DUTIES.lifecycle, drainedEvent(2));
    expect(record.outcome).toBe('ignored');
    expect(aws.sim.log).toEqual([expect.objectContaining({ command: 'DescribeAutoScalingGroups' })]);
    expect(aws.ecs).not.toHaveReceivedCommand(ListContainerInstancesCommand);
    expect(aws.writes()).toEqual([]);
  });

  it('leaves an instance with a task still running (the event was stale) and says why', async () => {
    await invoke(DUTIES.spot, event('events/demo/01-spot-interruption-warning.json'));
    aws.sim.setTaskStatus(TASK(MOVED[0] as string), 'STOPPED', 'STOPPED');
    const record = await invoke(DUTIES.lifecycle, drainedEvent());
    expect(record.outcome).toBe('nothing-to-do');
    expect(record.reason).toBe(`${ID} still holds 2 task(s)`);
    expect(aws.autoscaling).not.toHaveReceivedCommand(TerminateInstanceInAutoScalingGroupCommand);
  });

  it('leaves an instance already Terminating alone', async () => {
    await warnedAndDrained(aws);
    aws.sim.setLifecycleState(ID, 'Terminating');
    const record = await invoke(DUTIES.lifecycle, drainedEvent());
    expect(record.outcome).toBe('nothing-to-do');
    expect(record.reason).toBe(`${ID} is Terminating in its Auto Scaling group`);
    expect(aws.writes()).toEqual([]);
  });

  it('a throttled terminate fails the invocation for redelivery; the redelivery terminates once', async () => {
    await warnedAndDrained(aws);
    aws.sim.failNext('TerminateInstanceInAutoScalingGroup', new SimulatedServiceError('ThrottlingException', 'Rate exceeded'));
    const error = await invoke(DUTIES.lifecycle, drainedEvent()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActuationError);
    expect((error as ActuationError).record.failures).toEqual([{ action: 'terminateReplacedInstance', items: [ID], error: 'ThrottlingException: Rate exceeded' }]);
    expect(aws.sim.desired(SPOT_ASG)).toBe(6);

    const retry = await invoke(DUTIES.lifecycle, drainedEvent());
    expect(retry.outcome).toBe('acted');
    expect(aws.autoscaling).toHaveReceivedCommandTimes(TerminateInstanceInAutoScalingGroupCommand, 2);
    expect(aws.sim.desired(SPOT_ASG)).toBe(4);
  });

  describe('in accelerate mode (managed scaling on: ECS sets desired capacity too)', () => {
    const accelerate = () =>
      aws.ecs.on(DescribeCapacityProvidersCommand).resolves({
        capacityProviders: ['spot-general', 'ondemand-general', 'gpu-ondemand'].map((name) => ({ name, autoScalingGroupProvider: { autoScalingGroupArn: 'arn', managedScaling: { status: 'ENABLED', targetCapacity: 100 } } })),
      });

    it('takes back its own replacement raise when ECS would not ask for it: nothing waits, desired stays at or above ECS target', async () => {
      // Prepare: the demo's waiting tasks placed or gone, so ECS is not scaling out
      await warnedAndDrained(aws);
      for (const t of aws.sim.tasksWithStatus('PROVISIONING')) aws.sim.setTaskStatus(t.arn, 'STOPPED', 'STOPPED');
      aws.sim.log.length = 0;
      accelerate();
      // Act
      const record = await invoke(DUTIES.lifecycle, drainedEvent());
      // Assess: the instance read fresh, then the whole cluster (ECS target needs the group), then the re-check
      expect(record.outcome).toBe('acted');
      expect(record.actions.map((a) => a.kind)).toEqual(['terminateReplacedInstance']);
      expect(record.actions[0]?.description).toContain('mode accelerate');
      const calls = aws.sim.log.map((c) => c.command);
      expect(calls.slice(0, 7)).toEqual(['DescribeAutoScalingGroups', 'ListContainerInstances', 'DescribeContainerInstances', 'ListTasks', 'ListTasks', 'DescribeTasks', 'DescribeInstanceTypes']);
      expect(calls).toContain('ListServices');
      expect(calls.slice(-3)).toEqual(['DescribeAutoScalingGroups', 'DescribeContainerInstances', 'TerminateInstanceInAutoScalingGroup']);
      expect(aws.autoscaling).toHaveReceivedCommandWith(TerminateInstanceInAutoScalingGroupCommand, { InstanceId: ID, ShouldDecrementDesiredCapacity: true });
      expect(aws.sim.desired(SPOT_ASG)).toBe(4);
    });

    it('leaves it while tasks wait in PROVISIONING for more than is launching: ECS is scaling out', async () => {
      await warnedAndDrained(aws);
      accelerate();
      const record = await invoke(DUTIES.lifecycle, drainedEvent());
      expect(record.outcome).toBe('nothing-to-do');
      expect(record.reason).toMatch(new RegExp(`^${ID}: group spot-general is in accelerate mode and the \\d+ task\\(s\\) waiting in PROVISIONING need \\d+ unit\\(s\\) more than is launching: ECS is scaling out$`));
      expect(aws.autoscaling).not.toHaveReceivedCommand(TerminateInstanceInAutoScalingGroupCommand);
      expect(aws.sim.desired(SPOT_ASG)).toBe(6);
    });
  });

  it('in dry-run sends nothing and records the call it would make', async () => {
    await warnedAndDrained(aws);
    const record = await invoke(DUTIES.lifecycle, drainedEvent(), { config: demoConfig({ dryRun: true }) });
    expect(record.calls).toContainEqual({ service: 'autoscaling', command: 'TerminateInstanceInAutoScalingGroup', input: { InstanceId: ID, ShouldDecrementDesiredCapacity: true } });
    expect(aws.autoscaling).not.toHaveReceivedCommand(TerminateInstanceInAutoScalingGroupCommand);
    expect(aws.sim.desired(SPOT_ASG)).toBe(6);
  });

  it('the reconcile loop is the backstop: a missed event still ends in one terminate', async () => {
    await warnedAndDrained(aws);
    const record = await invoke(DUTIES.reconcile, event('events/demo/07-reconcile-tick.json'));
    expect(record.actions.filter((a) => a.kind === 'terminateReplacedInstance').map((a) => (a.action as { instanceId: string }).instanceId)).toEqual([ID]);
    expect(aws.autoscaling).toHaveReceivedCommandWith(TerminateInstanceInAutoScalingGroupCommand, { InstanceId: ID, ShouldDecrementDesiredCapacity: true });
    const again = await invoke(DUTIES.reconcile, event('events/demo/07-reconcile-tick.json'));
    expect(again.actions.filter((a) => a.kind === 'terminateReplacedInstance')).toEqual([]);
  });
});

describe('Function: execute (terminateReplacedInstance re-check)', () => {
  let aws: MockedAws;
  afterEach(() => aws.restore());

  const action: Action = { kind: 'terminateReplacedInstance', asg: SPOT_ASG, instanceId: ID, cluster: 'demo', containerInstanceArn: ARN3, daemonTasks: 1, reason: 't' };

  it.each([
    ['the ASG started terminating it since the decision', (m: MockedAws) => m.sim.setLifecycleState(ID, 'Terminating:Wait'), 'it is Terminating:Wait in ecs-pilot-demo-spot-general'],
    ['its container instance is not DRAINING (made ACTIVE again, tasks placed)', (_m: MockedAws) => undefined, 'its container instance is ACTIVE'],
  ])('skips the terminate when %s', async (_name, prepare, reason) => {
    aws = mockAws();
    prepare(aws);
    const report = await execute(awsClients(), [action], { dryRun: false });
    expect(report.skipped).toEqual([{ action: 'terminateReplacedInstance', items: [ID], reason }]);
    expect(aws.autoscaling).not.toHaveReceivedCommand(TerminateInstanceInAutoScalingGroupCommand);
  });
});
