import { CompleteLifecycleActionCommand, RecordLifecycleActionHeartbeatCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeContainerInstancesCommand, DescribeTasksCommand, ListContainerInstancesCommand, ListTasksCommand, PutAttributesCommand, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import { DUTIES } from '../../src/duties/index.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';
import { event, invoke, NOW } from '../support/handlers.js';

const ASG = 'ecs-pilot-demo-spot-general';
const ARN = (n: number) => `arn:aws:ecs:us-east-1:123456789012:container-instance/demo/${n.toString(16).padStart(32, '0')}`;
const TASK = (id: string) => `arn:aws:ecs:us-east-1:123456789012:task/demo/${id}`;

function hookEvent(instanceId: string) {
  const e = event('events/demo/04-terminate-lifecycle-action.json');
  e.detail.EC2InstanceId = instanceId;
  return e;
}

describe('Handler: terminate lifecycle action', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('drains an instance with only daemon tasks and completes the hook with CONTINUE', async () => {
    aws.sim.setLifecycleState('i-0a1b2c3d4e5f60002', 'Terminating:Wait');
    const record = await invoke(DUTIES.lifecycle, event('events/demo/04-terminate-lifecycle-action.json'));
    expect(record.outcome).toBe('acted');
    expect(aws.ecs).toHaveReceivedCommandWith(UpdateContainerInstancesStateCommand, { cluster: 'demo', containerInstances: [ARN(2)], status: 'DRAINING' });
    expect(aws.autoscaling).toHaveReceivedCommandWith(CompleteLifecycleActionCommand, {
      AutoScalingGroupName: ASG,
      LifecycleHookName: 'ecs-pilot-drain',
      InstanceId: 'i-0a1b2c3d4e5f60002',
      LifecycleActionResult: 'CONTINUE',
    });
  });

  it('heartbeats while tasks run, and completes once the last one stopped (container instance event)', async () => {
    aws.sim.setLifecycleState('i-0a1b2c3d4e5f60001', 'Terminating:Wait');
    const first = await invoke(DUTIES.lifecycle, hookEvent('i-0a1b2c3d4e5f60001'));
    expect(first.outcome).toBe('acted');
    expect(aws.ecs).toHaveReceivedCommandWith(PutAttributesCommand, {
      cluster: 'demo',
      attributes: [{ name: 'ecs-pilot.drain-started', value: NOW.toISOString(), targetType: 'container-instance', targetId: ARN(1) }],
    });
    expect(aws.autoscaling).toHaveReceivedCommandWith(RecordLifecycleActionHeartbeatCommand, { AutoScalingGroupName: ASG, LifecycleHookName: 'ecs-pilot-drain', InstanceId: 'i-0a1b2c3d4e5f60001' });
    expect(aws.autoscaling).not.toHaveReceivedCommand(CompleteLifecycleActionCommand);

    // A task told to stop but still stopping holds the hook too.
    aws.sim.setTaskStatus(TASK('web0000000000000000000000000001'), 'STOPPED', 'STOPPED');
    aws.sim.setTaskStatus(TASK('wrk0000000000000000000000000001'), 'DEACTIVATING', 'STOPPED');
    const ciEvent = event('events/demo/05-container-instance-draining.json');
    ciEvent.detail.ec2InstanceId = 'i-0a1b2c3d4e5f60001';
    ciEvent.detail.containerInstanceArn = ARN(1);
    await invoke(DUTIES.lifecycle, ciEvent);
    expect(aws.autoscaling).not.toHaveReceivedCommand(CompleteLifecycleActionCommand);

    aws.sim.setTaskStatus(TASK('wrk0000000000000000000000000001'), 'STOPPED');
    const last = await invoke(DUTIES.lifecycle, ciEvent);
    expect(last.outcome).toBe('acted');
    expect(aws.autoscaling).toHaveReceivedCommandWith(CompleteLifecycleActionCommand, { InstanceId: 'i-0a1b2c3d4e5f60001', LifecycleActionResult: 'CONTINUE' });
    // Drained only once: the second and third events found it DRAINING.
    expect(aws.ecs).toHaveReceivedCommandTimes(UpdateContainerInstancesStateCommand, 1);
  });

  it('answers a draining instance that no hook holds from the ASG read alone: no ECS read (issue 14)', async () => {
    // Prepare: i-…0001 drains (consolidation, a spot warning) and stays InService.
    const ciEvent = event('events/demo/05-container-instance-draining.json');
    ciEvent.detail.ec2InstanceId = 'i-0a1b2c3d4e5f60001';
    ciEvent.detail.containerInstanceArn = ARN(1);
    // Act
    const record = await invoke(DUTIES.lifecycle, ciEvent);
    // Assess
    expect(record.outcome).toBe('ignored');
    expect(record.reason).toBe('i-0a1b2c3d4e5f60001 is not waiting on a terminate lifecycle hook (InService)');
    expect(aws.ecs.commandCalls(ListContainerInstancesCommand)).toHaveLength(0);
    expect(aws.ecs.commandCalls(ListTasksCommand)).toHaveLength(0);
    expect(aws.ecs.commandCalls(DescribeTasksCommand)).toHaveLength(0);
    expect(aws.ecs.commandCalls(DescribeContainerInstancesCommand)).toHaveLength(0);
  });

  it('sends the configured result once the drain timeout has passed', async () => {
    aws.sim.setLifecycleState('i-0a1b2c3d4e5f60001', 'Terminating:Wait');
    await invoke(DUTIES.lifecycle, hookEvent('i-0a1b2c3d4e5f60001'));
    const later = new Date(NOW.getTime() + 901_000);
    const record = await invoke(DUTIES.lifecycle, hookEvent('i-0a1b2c3d4e5f60001'), { now: later });
    expect(aws.autoscaling).toHaveReceivedCommandWith(CompleteLifecycleActionCommand, { InstanceId: 'i-0a1b2c3d4e5f60001', LifecycleActionResult: 'CONTINUE' });
    expect(record.actions.map((a) => a.description).join('\n')).toContain('drain timed out after 901 s with 2 task(s) still on i-0a1b2c3d4e5f60001');
  });

  it('treats a hook that is already complete as done when the event comes again', async () => {
    aws.sim.setLifecycleState('i-0a1b2c3d4e5f60002', 'Terminating:Wait');
    const e = event('events/demo/04-terminate-lifecycle-action.json');
    await invoke(DUTIES.lifecycle, e);
    const again = await invoke(DUTIES.lifecycle, e);
    expect(again.failures).toEqual([]);
    expect(again.outcome).not.toBe('failed');
  });

  it('ignores hooks of groups and hook names it does not own', async () => {
    const foreign = event('events/samples/ec2-instance-terminate-lifecycle-action.basic.json');
    expect((await invoke(DUTIES.lifecycle, foreign)).reason).toBe('my-asg is not a configured group');
    const otherHook = event('events/demo/04-terminate-lifecycle-action.json');
    otherHook.detail.LifecycleHookName = 'someone-elses-hook';
    expect((await invoke(DUTIES.lifecycle, otherHook)).reason).toContain('hook someone-elses-hook is not ecs-pilot-drain');
    expect(aws.writes()).toEqual([]);
  });
});
