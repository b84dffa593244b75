import { SetDesiredCapacityCommand, SetInstanceProtectionCommand, TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { DeleteAttributesCommand, DescribeContainerInstancesCommand, PutAttributesCommand, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import { parseSnapshot } from '../../src/core/model.js';
import { awsClients } from '../../src/aws/clients.js';
import { DUTIES } from '../../src/duties/index.js';
import { loadJson } from '../support/builders.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';
import { demoConfig, event, invoke, NOW } from '../support/handlers.js';

const ARN = (n: number) => `arn:aws:ecs:us-east-1:123456789012:container-instance/demo/${n.toString(16).padStart(32, '0')}`;
const TICK = 'events/demo/07-reconcile-tick.json';

/** The demo cluster with nothing waiting, so scale-in may run. */
function quietDemo(mutate: (doc: any) => void = () => {}) {
  const doc = loadJson('events/clusters/demo.json');
  doc.pending = [];
  mutate(doc);
  return parseSnapshot(doc);
}

describe('Handler: reconcile', () => {
  let aws: MockedAws;
  afterEach(() => aws.restore());

  it('repairs missed scale-outs and protects the instances that will receive waiting tasks', async () => {
    aws = mockAws();
    const record = await invoke(DUTIES.reconcile, event(TICK));
    expect(record.outcome).toBe('acted');
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: 'ecs-pilot-demo-spot-general', DesiredCapacity: 12 });
    // ci-2 runs only a daemon, but waiting tasks fit on it: protected, not idle.
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetInstanceProtectionCommand, { AutoScalingGroupName: 'ecs-pilot-demo-spot-general', InstanceIds: ['i-0a1b2c3d4e5f60002'], ProtectedFromScaleIn: true });
    expect(aws.ecs).not.toHaveReceivedCommand(PutAttributesCommand);
  });

  it('starts the idle clock on an instance with only daemon tasks', async () => {
    aws = mockAws(quietDemo());
    await invoke(DUTIES.reconcile, event(TICK));
    expect(aws.ecs).toHaveReceivedCommandWith(PutAttributesCommand, {
      cluster: 'demo',
      attributes: expect.arrayContaining([{ name: 'ecs-pilot.idle-since', value: NOW.toISOString(), targetType: 'container-instance', targetId: ARN(2) }]),
    });
    expect(aws.autoscaling).not.toHaveReceivedCommand(TerminateInstanceInAutoScalingGroupCommand);
  });

  it('drains and terminates (desired −1) an instance idle past the delay, re-checking it first', async () => {
    aws = mockAws(quietDemo((d) => (d.instances[1].attributes = { 'ecs-pilot.idle-since': '2026-11-24T11:50:00Z' })));
    await invoke(DUTIES.reconcile, event(TICK));
    expect(aws.ecs).toHaveReceivedCommandWith(UpdateContainerInstancesStateCommand, { cluster: 'demo', containerInstances: [ARN(2)], status: 'DRAINING' });
    expect(aws.autoscaling).toHaveReceivedCommandWith(TerminateInstanceInAutoScalingGroupCommand, { InstanceId: 'i-0a1b2c3d4e5f60002', ShouldDecrementDesiredCapacity: true });
    expect(aws.sim.desired('ecs-pilot-demo-spot-general')).toBe(3);
    // A running reconcile converges: the next tick finds nothing more to remove from that instance.
    const next = await invoke(DUTIES.reconcile, event(TICK), { now: new Date(NOW.getTime() + 60_000) });
    expect(next.actions.filter((a) => a.kind === 'terminateInstance')).toEqual([]);
  });

  it('never terminates an instance that runs a non-daemon task, nor goes below min', async () => {
    aws = mockAws(
      quietDemo((d) => {
        for (const i of d.instances) i.attributes = { 'ecs-pilot.idle-since': '2026-11-24T11:00:00Z' };
        d.groups[1].min = 2; // ondemand-general: its only instance (weight 2) is its min
      }),
    );
    const record = await invoke(DUTIES.reconcile, event(TICK));
    const terminated = record.actions.filter((a) => a.kind === 'terminateInstance').map((a) => (a.action as { instanceId: string }).instanceId);
    expect(terminated).toEqual(['i-0a1b2c3d4e5f60002']);
    // Busy instances had their idle mark cleared.
    expect(aws.ecs).toHaveReceivedCommandWith(DeleteAttributesCommand, { cluster: 'demo' });
  });

  it('moves scale-in protection with occupancy', async () => {
    aws = mockAws(
      quietDemo((d) => {
        d.instances[1].protected = true; // empty but protected
        d.instances[3].protected = false; // busy but unprotected
      }),
    );
    await invoke(DUTIES.reconcile, event(TICK));
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetInstanceProtectionCommand, { AutoScalingGroupName: 'ecs-pilot-demo-spot-general', InstanceIds: ['i-0a1b2c3d4e5f60002'], ProtectedFromScaleIn: false });
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetInstanceProtectionCommand, { AutoScalingGroupName: 'ecs-pilot-demo-ondemand-general', InstanceIds: ['i-0a1b2c3d4e5f60004'], ProtectedFromScaleIn: true });
  });

  it('completes lifecycle hooks that events missed', async () => {
    aws = mockAws(quietDemo());
    aws.sim.setLifecycleState('i-0a1b2c3d4e5f60002', 'Terminating:Wait');
    const record = await invoke(DUTIES.reconcile, event(TICK));
    expect(record.actions.map((a) => a.kind)).toContain('completeLifecycleAction');
    expect(aws.sim.instance('i-0a1b2c3d4e5f60002')?.lifecycleState).toBe('Terminated');
  });

  it('drains a pre-scaled instance once its replacement is up', async () => {
    aws = mockAws(quietDemo((d) => (d.instances[0].attributes = { 'ecs-pilot.drain-reason': 'prescale' })));
    await invoke(DUTIES.reconcile, event(TICK));
    expect(aws.ecs).toHaveReceivedCommandWith(UpdateContainerInstancesStateCommand, { containerInstances: [ARN(1)], status: 'DRAINING' });
  });
});

describe('Handler: reconcile — one tick per cluster (issue 14)', () => {
  let aws: MockedAws;
  afterEach(() => aws.restore());

  it('reads and decides only the cluster its schedule names; an unknown one is ignored, unread', async () => {
    aws = mockAws();
    const tick = (cluster: string) => {
      const e = event(TICK);
      e.detail = { cluster };
      return e;
    };
    const record = await invoke(DUTIES.reconcile, tick('demo'));
    expect(record.cluster).toBe('demo');
    expect(record.outcome).toBe('acted');
    aws.ecs.resetHistory();
    const other = await invoke(DUTIES.reconcile, tick('elsewhere'));
    expect(other).toMatchObject({ outcome: 'ignored', reason: 'cluster elsewhere is not configured' });
    expect(aws.ecs.calls()).toHaveLength(0);
  });
});

describe('Handler: reconcile — consolidation', () => {
  let aws: MockedAws;
  afterEach(() => aws.restore());
  // No spot spare room kept (spotSpareInstances 0): the demo's spot group is small; its default is tested below.
  const consolidating = (spotSpareInstances = 0) => {
    const c = demoConfig();
    return { ...c, clusters: c.clusters.map((x) => ({ ...x, spotSpareInstances, consolidation: { ...x.consolidation, enabled: true } })) };
  };

  it('with the default spot spare room (3 busiest instances) drains nothing from the demo spot group: there would be no room left', async () => {
    aws = mockAws(quietDemo());
    const record = await invoke(DUTIES.reconcile, event(TICK), { config: consolidating(3) });
    expect(aws.ecs).not.toHaveReceivedCommand(UpdateContainerInstancesStateCommand);
    expect(record.actions.filter((a) => a.kind === 'drain')).toEqual([]);
  });

  it('drains an under-used instance whose tasks fit elsewhere, after a fresh re-check; terminates it once empty', async () => {
    aws = mockAws(quietDemo());
    await invoke(DUTIES.reconcile, event(TICK), { config: consolidating() });
    // i-…0001 (web + worker on an m5.large) fits on the empty m5.large i-…0002; i-…0003's tasks fit nowhere.
    expect(aws.ecs).toHaveReceivedCommandWith(DescribeContainerInstancesCommand, { cluster: 'demo', containerInstances: [ARN(1)] });
    expect(aws.ecs).toHaveReceivedCommandWith(UpdateContainerInstancesStateCommand, { cluster: 'demo', containerInstances: [ARN(1)], status: 'DRAINING' });
    expect(aws.ecs).toHaveReceivedCommandWith(PutAttributesCommand, {
      cluster: 'demo',
      attributes: expect.arrayContaining([{ name: 'ecs-pilot.drain-reason', value: 'consolidate', targetType: 'container-instance', targetId: ARN(1) }]),
    });
    expect(aws.autoscaling).not.toHaveReceivedCommand(TerminateInstanceInAutoScalingGroupCommand);
    // ECS moved its tasks: the next run terminates it, desired −1.
    for (const t of ['web0000000000000000000000000001', 'wrk0000000000000000000000000001']) aws.sim.setTaskStatus(`arn:aws:ecs:us-east-1:123456789012:task/demo/${t}`, 'STOPPED', 'STOPPED');
    await invoke(DUTIES.reconcile, event(TICK), { config: consolidating(), now: new Date(NOW.getTime() + 60_000) });
    expect(aws.autoscaling).toHaveReceivedCommandWith(TerminateInstanceInAutoScalingGroupCommand, { InstanceId: 'i-0a1b2c3d4e5f60001', ShouldDecrementDesiredCapacity: true });
  });

  it('skips the drain when the re-check finds the instance changed', async () => {
    aws = mockAws(quietDemo());
    aws.ecs.on(DescribeContainerInstancesCommand).callsFake(async (input) => {
      const out = aws.sim.handle('ecs', 'DescribeContainerInstances', input) as { containerInstances: Array<{ runningTasksCount: number }> };
      if (input.containerInstances?.length === 1) out.containerInstances[0]!.runningTasksCount += 1; // a task landed meanwhile
      return out;
    });
    const record = await invoke(DUTIES.reconcile, event(TICK), { config: consolidating() });
    expect(record.skipped).toContainEqual({ action: 'drain', items: [ARN(1)], reason: 'its tasks changed since the decision' });
    expect(aws.ecs).not.toHaveReceivedCommand(UpdateContainerInstancesStateCommand);
  });

  it('does not consolidate again a state it found nothing to move in (issue 14), and does once the state changes', async () => {
    // Prepare: without the empty m5.large, nothing can move.
    aws = mockAws(quietDemo((d) => d.instances.splice(2, 1)));
    // Every tick in one warm container: it remembers how far consolidation got.
    const warm = awsClients();
    const tick = (minutes: number) => invoke(DUTIES.reconcile, event(TICK), { config: consolidating(), now: new Date(NOW.getTime() + minutes * 60_000), clients: warm });
    const unchanged = (r: { reason?: string }) => (r.reason ?? '').includes('nothing changed since a pass found nothing to move');
    // Act: the first ticks act (a raise, an idle clock) and change the state; then it settles.
    const records: Array<Awaited<ReturnType<typeof tick>>> = [];
    for (let minute = 0; minute < 5 && !records.some(unchanged); minute += 1) records.push(await tick(minute));
    const stillSame = await tick(5);
    aws.sim.setTaskStatus('arn:aws:ecs:us-east-1:123456789012:task/demo/wrk0000000000000000000000000001', 'STOPPED', 'STOPPED');
    const afterChange = await tick(6);
    // Assess: a tick ran the pass and found nothing, the next one on the same state skipped it.
    const skippedAt = records.findIndex(unchanged);
    expect(skippedAt).toBeGreaterThan(0);
    expect(records[skippedAt - 1]?.outcome).toBe('nothing-to-do');
    expect(unchanged(stillSame)).toBe(true);
    expect(unchanged(afterChange)).toBe(false);
    expect(aws.ecs).not.toHaveReceivedCommand(UpdateContainerInstancesStateCommand);
  });
});

describe('Handler: reconcile — instances ecs-pilot drained itself', () => {
  let aws: MockedAws;
  afterEach(() => aws.restore());

  it('terminates a pre-scaled instance that EC2 never reclaimed, once drained and empty', async () => {
    aws = mockAws(quietDemo((d) => (d.instances[1].attributes = { 'ecs-pilot.drain-reason': 'prescale' })));
    await invoke(DUTIES.reconcile, event(TICK)); // drains it: its replacement is up
    expect(aws.ecs).toHaveReceivedCommandWith(UpdateContainerInstancesStateCommand, { containerInstances: [ARN(2)], status: 'DRAINING' });
    await invoke(DUTIES.reconcile, event(TICK), { now: new Date(NOW.getTime() + 60_000) });
    expect(aws.autoscaling).toHaveReceivedCommandWith(TerminateInstanceInAutoScalingGroupCommand, { InstanceId: 'i-0a1b2c3d4e5f60002', ShouldDecrementDesiredCapacity: true });
  });
});
