/**
 * The simulator's composed models (docs: the simulator's models): the service APIs answer from the
 * model the scheduler keeps, stopped tasks keep ECS's stop code, and every command passes through the
 * one bus where the fault layer plugs in.
 */
import { CreateOrUpdateTagsCommand, DeleteTagsCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeServicesCommand, DescribeTasksCommand, UpdateServiceCommand, type Service } from '@aws-sdk/client-ecs';
import { parseScenario } from '../../src/sim/scenario.js';
import { SimulatedAws, SimulatedServiceError } from '../../src/sim/simulated-aws.js';
import { SimulatedCluster } from '../../src/sim/world.js';
import { AutoScalingGroups } from '../../src/sim/world/auto-scaling.js';
import { EventDelivery, Sequence, Timeline } from '../../src/sim/world/clock.js';
import { noCounts } from '../../src/sim/world/counters.js';
import { demoSnapshot } from '../support/aws-mocks.js';
import { aGroup, anInstance, aSnapshot } from '../support/builders.js';

/** Three m5.large (2 vCPU) that take two one-vCPU tasks each. */
const cluster = () =>
  aSnapshot({
    cluster: 'x',
    groups: [aGroup({ desired: 3 })],
    instances: [1, 2, 3].map((n) => anInstance({ id: `arn:aws:ecs:us-east-1:123456789012:container-instance/x/${n}`, ec2InstanceId: `i-0a0000000000000${n}`, az: `us-east-1${'abc'[n - 1]}` })),
  });
const world = (desired: number) =>
  new SimulatedCluster(cluster(), parseScenario({ name: 't', cluster: 'x', durationMinutes: 10, settings: { instanceLaunchSeconds: 60, taskStartSeconds: 15 }, services: [{ name: 'web', desired, cpu: 1024, memoryMiB: 2048, capacityProvider: 'general' }] }), { hooks: true, managedScaling: true });

async function describeWeb(w: SimulatedCluster): Promise<Service> {
  const out = await w.client('ecs').send(new DescribeServicesCommand({ cluster: 'x', services: ['web'] }));
  return (out as { services: Service[] }).services[0]!;
}

const count = (w: SimulatedCluster, lastStatus: string) => w.allTasks().filter((t) => t.group === 'service:web' && t.lastStatus === lastStatus).length;

describe('Model: one ECS service model', () => {
  it('DescribeServices counts what the scheduler made of the service: PENDING tasks in pendingCount, PROVISIONING ones in neither count', async () => {
    // Prepare: 10 desired, room for 6.
    const w = world(10);
    // Act
    w.advance(w.startMs + 5_000);
    const placed = await describeWeb(w);
    w.advance(w.startMs + 20_000);
    const started = await describeWeb(w);
    // Assess
    expect(count(w, 'PROVISIONING')).toBe(4);
    expect(placed).toMatchObject({ desiredCount: 10, runningCount: 0, pendingCount: 6 });
    expect(started).toMatchObject({ desiredCount: 10, runningCount: 6, pendingCount: 0 });
  });

  it('UpdateService through the SDK is what the scheduler keeps', async () => {
    const w = world(4);
    w.advance(w.startMs + 20_000);
    await w.client('ecs').send(new UpdateServiceCommand({ cluster: 'x', service: 'web', desiredCount: 6 }));
    w.advance(w.startMs + 25_000);
    w.advance(w.startMs + 40_000);
    expect(count(w, 'RUNNING')).toBe(6);
    expect((await describeWeb(w)).desiredCount).toBe(6);
  });

  it('the account over a snapshot answers by the same rule: its PROVISIONING tasks are not pending, a placed one is', () => {
    // Prepare: the demo's web service has 1 task running and 4 waiting in PROVISIONING.
    const aws = new SimulatedAws(demoSnapshot());
    const web = () => (aws.handle('ecs', 'DescribeServices', { cluster: 'demo', services: ['web'] }) as { services: Service[] }).services[0];
    const before = web();
    // Act: ECS places one of them.
    aws.setTaskStatus(aws.tasksWithStatus('PROVISIONING').find((t) => t.group === 'service:web')!.arn, 'PENDING');
    // Assess
    expect(before).toMatchObject({ desiredCount: 5, runningCount: 1, pendingCount: 0 });
    expect(web()).toMatchObject({ desiredCount: 5, runningCount: 1, pendingCount: 1 });
  });
});

describe('Model: stopped tasks keep their stop code', () => {
  it('a scale-in stop says ServiceSchedulerInitiated, a spot reclaim SpotInterruption', async () => {
    const w = world(6);
    w.advance(w.startMs + 20_000);
    w.setServiceDesired('web', 5);
    w.advance(w.startMs + 25_000);
    w.spotWave('general', 1 / 3, 0);
    w.advance(w.startMs + 30_000);
    w.advance(w.startMs + 30_000 + 120_000);
    const stopped = w.allTasks().filter((t) => t.lastStatus === 'STOPPED');
    const out = (await w.client('ecs').send(new DescribeTasksCommand({ cluster: 'x', tasks: stopped.map((t) => t.arn) }))) as { tasks: Array<{ stopCode?: string }> };
    const codes = out.tasks.map((t) => t.stopCode).sort();
    expect(codes[0]).toBe('ServiceSchedulerInitiated');
    expect(codes.filter((c) => c === 'SpotInterruption').length).toBeGreaterThan(0);
    expect(codes.every((c) => c === 'ServiceSchedulerInitiated' || c === 'SpotInterruption')).toBe(true);
  });
});

describe('Model: every command passes through one bus', () => {
  it('an interceptor sees the write and can lose its response after it was applied (the fault layer seam)', () => {
    const aws = new SimulatedAws(demoSnapshot());
    const asg = demoSnapshot().groups[0]!;
    aws.bus.intercept((call, next) => {
      const out = next();
      if (call.command === 'SetDesiredCapacity') throw new SimulatedServiceError('RequestTimeout', 'response lost', 'server');
      return out;
    });
    expect(() => aws.handle('autoscaling', 'SetDesiredCapacity', { AutoScalingGroupName: asg.asg, DesiredCapacity: asg.desired + 1 })).toThrow('response lost');
    expect(aws.desired(asg.asg)).toBe(asg.desired + 1);
    expect(aws.log.map((c) => c.command)).toEqual(['SetDesiredCapacity']);
  });

  it('a command no table answers is an UnsupportedOperation', () => {
    const aws = new SimulatedAws(demoSnapshot());
    expect(() => aws.handle('ecs', 'DeleteCluster', { cluster: 'demo' })).toThrow(expect.objectContaining({ name: 'UnsupportedOperation' }));
  });
});

describe('Model: Auto Scaling groups', () => {
  it('reacts to SetDesiredCapacity through the bus; a launch whose instance never registers stays Pending and is not launched again', () => {
    // Prepare: the group at 3; the first instance it launches never registers (the launch-fault seam).
    const aws = new SimulatedAws(cluster());
    const settings = parseScenario({ name: 't', cluster: 'x', durationMinutes: 1 }).settings;
    const counters = noCounts();
    let launches = 0;
    const ids = new Sequence();
    const asgs = new AutoScalingGroups({
      state: aws.state,
      bus: aws.bus,
      delivery: new EventDelivery(aws.state, settings, ids),
      timeline: new Timeline(),
      ids,
      counters,
      settings,
      spotDraining: false,
      registersAfterMs: () => (++launches === 1 ? undefined : 30_000),
    });
    // Act
    aws.handle('autoscaling', 'SetDesiredCapacity', { AutoScalingGroupName: 'asg-general', DesiredCapacity: 5 });
    asgs.step();
    aws.now += 60_000;
    asgs.step();
    // Assess
    const before = new Set(cluster().instances.map((i) => i.id));
    const launched = [...aws.state.instances.values()].filter((i) => !before.has(i.arn));
    expect(counters.scalingActions).toBe(1);
    expect(launched.map((i) => [i.lifecycleState, i.status])).toEqual([
      ['Pending', 'LAUNCHING'],
      ['InService', 'ACTIVE'],
    ]);
  });
});

describe('Simulated Auto Scaling: group tags', () => {
  it('answers CreateOrUpdateTags / DeleteTags and lists the tags in DescribeAutoScalingGroups', async () => {
    const aws = new SimulatedAws(demoSnapshot());
    const asg = aws.client('autoscaling');
    const group = aws.toSnapshot().groups[0]!.asg;
    const tag = (Key: string, Value?: string) => ({ ResourceId: group, ResourceType: 'auto-scaling-group', Key, ...(Value !== undefined ? { Value, PropagateAtLaunch: false } : {}) });
    await asg.send(new CreateOrUpdateTagsCommand({ Tags: [tag('ecs-pilot:unavailable', 'a'), tag('team', 'x')] }));
    await asg.send(new CreateOrUpdateTagsCommand({ Tags: [tag('ecs-pilot:unavailable', 'b')] }));
    await asg.send(new DeleteTagsCommand({ Tags: [tag('team'), tag('absent')] }));
    const out = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }))) as { AutoScalingGroups: Array<{ Tags: Array<{ Key: string; Value: string }> }> };
    expect(out.AutoScalingGroups[0]!.Tags.map((t) => [t.Key, t.Value])).toEqual([['ecs-pilot:unavailable', 'b']]);
    await expect(asg.send(new CreateOrUpdateTagsCommand({ Tags: [{ ...tag('k', 'v'), ResourceType: 'instance' }] }))).rejects.toThrow(/Invalid resource type/);
  });
});
