/**
 * Capacity shortages in the simulator (docs/simulation.md, "Capacity shortages"): failed launches as
 * EC2 Auto Scaling documents them, the fall-over to pools not short, the on-demand base, instances that
 * never register, the PROVISIONING timeout.
 */
import { DescribeAutoScalingGroupsCommand, DescribeScalingActivitiesCommand, SetDesiredCapacityCommand, UpdateAutoScalingGroupCommand, type Activity } from '@aws-sdk/client-auto-scaling';
import { ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { parseScenario } from '../../src/sim/scenario.js';
import { SimulatedCluster } from '../../src/sim/world.js';
import { aGroup, anInstance, aSnapshot } from '../support/builders.js';

const cluster = () =>
  aSnapshot({
    cluster: 'x',
    groups: [aGroup({ name: 'spot', asg: 'asg-spot', lifecycle: 'spot', desired: 1, instanceTypes: [{ type: 'm5.large', weight: 1 }, { type: 'm5.xlarge', weight: 1 }] })],
    instances: [anInstance({ id: 'arn:aws:ecs:us-east-1:123456789012:container-instance/x/1', ec2InstanceId: 'i-0a00000000000001', group: 'spot', az: 'us-east-1a' })],
  });

function world(settings: Record<string, unknown> = {}, managedScaling = false, services: unknown[] = []): SimulatedCluster {
  return new SimulatedCluster(cluster(), parseScenario({ name: 't', cluster: 'x', durationMinutes: 60, settings: { instanceLaunchSeconds: 60, ...settings }, services }), { hooks: false, managedScaling });
}

const send = (w: SimulatedCluster, command: object) => w.client('autoscaling').send(command as never) as Promise<Record<string, unknown>>;
const activities = async (w: SimulatedCluster): Promise<Activity[]> => ((await send(w, new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'asg-spot' }))) as { Activities: Activity[] }).Activities;
const launched = (w: SimulatedCluster) => w.members('spot').filter((i) => i.ec2InstanceId !== 'i-0a00000000000001');
const launchEvents = (w: SimulatedCluster) => w.outbox.filter((e) => e.event['detail-type'] === 'EC2 Instance Launch Unsuccessful');

describe('Model: failed launches', () => {
  it('keeps desired, records a Failed activity with AWS text, sends the event 2 s later and retries after asgRetrySeconds', async () => {
    // Prepare
    const w = world({ asgRetrySeconds: 180 });
    w.capacityShortage({ group: 'spot', forSeconds: 200, error: 'spot-capacity' });
    // Act
    await send(w, new SetDesiredCapacityCommand({ AutoScalingGroupName: 'asg-spot', DesiredCapacity: 3 }));
    w.advance(w.startMs + 5_000);
    w.advance(w.startMs + 7_000);
    const first = await activities(w);
    w.advance(w.startMs + 150_000);
    const beforeRetry = launched(w).length;
    w.advance(w.startMs + 185_000); // still short: the retry fails again
    w.advance(w.startMs + 370_000); // the shortage is over: the next retry launches
    // Assess
    expect(w.groupOf('asg-spot')?.desired).toBe(3);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      StatusCode: 'Failed',
      StatusMessage: 'Could not launch Spot Instances. InsufficientInstanceCapacity - There is no Spot capacity available that matches your request. Launching EC2 instance failed.',
      Description: expect.stringMatching(/^Launching a new EC2 instance\. {2}Status Reason: Could not launch Spot Instances\./),
      Cause: expect.stringMatching(/an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 1 to 3\.$/),
      Progress: 100,
    });
    expect(launchEvents(w)[0]?.event).toMatchObject({ source: 'aws.autoscaling', time: new Date(w.startMs + 7_000).toISOString(), detail: { StatusCode: 'Failed', AutoScalingGroupName: 'asg-spot', ActivityId: first[0]?.ActivityId, EC2InstanceId: '' } });
    expect(beforeRetry).toBe(0);
    expect((await activities(w)).filter((a) => a.StatusCode === 'Failed')).toHaveLength(2);
    expect(launched(w)).toHaveLength(2);
  });

  it('answers newest first within MaxRecords and the start-time filter', async () => {
    // Prepare
    const w = world({ asgRetrySeconds: 60 });
    w.capacityShortage({ group: 'spot', forSeconds: 3600, error: 'config' });
    await send(w, new SetDesiredCapacityCommand({ AutoScalingGroupName: 'asg-spot', DesiredCapacity: 2 }));
    for (let s = 5; s <= 200; s += 5) w.advance(w.startMs + s * 1000);
    // Act
    const out = (await send(w, new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'asg-spot', MaxRecords: 2, Filters: [{ Name: 'StartTimeLowerBound', Values: [new Date(w.startMs + 60_000).toISOString()] }] }))) as { Activities: Activity[]; NextToken?: string };
    // Assess
    expect(out.Activities.map((a) => a.StartTime?.getTime())).toEqual([w.startMs + 185_000, w.startMs + 125_000]);
    expect(out.NextToken).toBeDefined();
    expect(out.Activities[0]?.StatusMessage).toMatch(/security group .* does not exist/);
  });

  it('falls over to a pool that is not short: another type when one type is short in every AZ', async () => {
    // Prepare
    const w = world();
    w.capacityShortage({ group: 'spot', forSeconds: 600, error: 'spot-capacity', types: ['m5.large'] });
    // Act
    await send(w, new SetDesiredCapacityCommand({ AutoScalingGroupName: 'asg-spot', DesiredCapacity: 3 }));
    w.advance(w.startMs + 5_000);
    // Assess
    expect(launched(w).map((i) => i.type)).toEqual(['m5.xlarge', 'm5.xlarge']);
    expect(await activities(w)).not.toContainEqual(expect.objectContaining({ StatusCode: 'Failed' }));
  });

  it('launches on-demand for the base UpdateAutoScalingGroup sets, while spot is short', async () => {
    // Prepare
    const w = world();
    w.capacityShortage({ group: 'spot', forSeconds: 600, error: 'spot-capacity' });
    // Act
    await send(w, new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'asg-spot', DesiredCapacity: 3, MixedInstancesPolicy: { InstancesDistribution: { OnDemandBaseCapacity: 2 } } }));
    w.advance(w.startMs + 5_000);
    const described = (await send(w, new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['asg-spot'] }))) as { AutoScalingGroups: Array<{ MixedInstancesPolicy?: { InstancesDistribution?: Record<string, unknown> } }> };
    // Assess
    expect(launched(w).map((i) => w.launches.market.get(i.arn))).toEqual(['on-demand', 'on-demand']);
    expect(described.AutoScalingGroups[0]?.MixedInstancesPolicy?.InstancesDistribution).toMatchObject({ OnDemandBaseCapacity: 2, OnDemandPercentageAboveBaseCapacity: 0 });
  });

  it('loses every launch event at launchEventDropRate 1 (the activity stays)', async () => {
    // Prepare
    const w = world({ launchEventDropRate: 1 });
    w.capacityShortage({ group: 'spot', forSeconds: 600, error: 'spot-quota' });
    // Act
    await send(w, new SetDesiredCapacityCommand({ AutoScalingGroupName: 'asg-spot', DesiredCapacity: 2 }));
    w.advance(w.startMs + 5_000);
    w.advance(w.startMs + 10_000);
    // Assess
    expect(launchEvents(w)).toHaveLength(0);
    expect((await activities(w))[0]?.StatusMessage).toMatch(/MaxSpotInstanceCountExceeded/);
  });

  it('lists a never-registering instance InService in its group and never in ECS', async () => {
    // Prepare
    const w = world();
    w.neverRegister('spot', 1);
    // Act
    await send(w, new SetDesiredCapacityCommand({ AutoScalingGroupName: 'asg-spot', DesiredCapacity: 2 }));
    w.advance(w.startMs + 5_000);
    w.advance(w.startMs + 70_000);
    const listed = (await w.client('ecs').send(new ListContainerInstancesCommand({ cluster: 'x' }))) as { containerInstanceArns: string[] };
    // Assess
    expect(launched(w)[0]?.lifecycleState).toBe('InService');
    expect(listed.containerInstanceArns).toHaveLength(1);
  });

  it('with managed scaling on, stops a task left in PROVISIONING after provisioningTimeoutSeconds', () => {
    // Prepare: no room for the second task, and no launch.
    const w = world({ provisioningTimeoutSeconds: 600 }, true, [{ name: 'web', desired: 2, cpu: 2048, memoryMiB: 1024, capacityProvider: 'spot' }]);
    w.capacityShortage({ group: 'spot', forSeconds: 3600, error: 'spot-capacity' });
    // Act
    w.advance(w.startMs + 5_000);
    const waiting = w.allTasks().filter((t) => t.lastStatus === 'PROVISIONING').length;
    w.advance(w.startMs + 610_000);
    // Assess
    expect(waiting).toBe(1);
    expect(w.allTasks().filter((t) => t.stopCode === 'TaskFailedToStart')).toHaveLength(1);
  });
});
