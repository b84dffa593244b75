/** The reconcile's launch backstop (issue 20): exact DescribeScalingActivities calls, and none when nothing is stalled. */
import { AutoScalingClient, DescribeScalingActivitiesCommand } from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { awsClients } from '../../src/aws/clients.js';
import { observeLaunchFailures } from '../../src/duties/launch-backstop.js';
import { failureFromActivities, stalledGroups } from '../../src/core/reconcile/launch-backstop.js';
import { aGroup, anInstance, aSnapshot } from '../support/builders.js';
import { demoConfig, NOW } from '../support/handlers.js';

const asgMock = mockClient(AutoScalingClient);
const cluster = demoConfig().clusters[0]!;
const spot = cluster.groups.find((g) => g.name === 'spot-general')!;
const FAILED = 'Could not launch Spot Instances. InsufficientInstanceCapacity - There is no Spot capacity available that matches your request. Launching EC2 instance failed.';

/** The spot group with two instances listed and `desired` units asked for; `launching` instances the ASG lists as Pending. */
function spotSnapshot(desired: number, launching = 0) {
  return aSnapshot({
    groups: [aGroup({ name: spot.name, asg: spot.asg, lifecycle: 'spot', desired, launching: launching > 0 ? [{ type: 'm5.large', count: launching }] : [] })],
    instances: [anInstance({ group: spot.name }), anInstance({ group: spot.name })],
  });
}

describe('Function: observeLaunchFailures', () => {
  afterEach(() => asgMock.reset());

  it('asks a stalled group for its newest activities once, with its name, a start-time cut-off and a small MaxRecords', async () => {
    // Prepare
    asgMock.on(DescribeScalingActivitiesCommand).resolves({ Activities: [{ ActivityId: 'act-2', AutoScalingGroupName: spot.asg, StatusCode: 'Failed', StatusMessage: FAILED, StartTime: new Date('2026-11-24T11:58:00Z'), Cause: 'c' }] });
    // Act
    const found = await observeLaunchFailures({ clients: awsClients(), now: NOW }, cluster, spotSnapshot(5));
    // Assess
    expect(asgMock).toHaveReceivedCommandTimes(DescribeScalingActivitiesCommand, 1);
    expect(asgMock).toHaveReceivedCommandWith(DescribeScalingActivitiesCommand, {
      AutoScalingGroupName: spot.asg,
      MaxRecords: 5,
      Filters: [{ Name: 'StartTimeLowerBound', Values: ['2026-11-24T11:50:10.000Z'] }],
    });
    expect(found).toEqual([{ group: spot.name, asg: spot.asg, at: '2026-11-24T11:58:00.000Z', activityId: 'act-2', statusMessage: FAILED, class: 'spot-capacity', source: 'activity' }]);
  });

  it.each([
    ['desired equals the listed units', spotSnapshot(2)],
    ['an instance is launching', spotSnapshot(5, 1)],
  ])('sends no call when nothing is stalled (%s)', async (_why, snapshot) => {
    // Act
    const found = await observeLaunchFailures({ clients: awsClients(), now: NOW }, cluster, snapshot);
    // Assess
    expect(asgMock).not.toHaveReceivedCommand(DescribeScalingActivitiesCommand);
    expect(found).toEqual([]);
  });
});

describe('Function: failureFromActivities', () => {
  const group = { name: 'spot', asg: 'spot-asg', lifecycle: 'spot' as const };
  it('reads a failure only when the newest activity failed', () => {
    // Prepare
    const failed = { ActivityId: 'a1', StatusCode: 'Failed', StatusMessage: FAILED, StartTime: new Date('2026-01-01T00:00:00Z') };
    const later = { ActivityId: 'a2', StatusCode: 'Successful', StartTime: new Date('2026-01-01T00:03:00Z') };
    // Act & Assess
    expect(failureFromActivities(group, [failed])?.activityId).toBe('a1');
    expect(failureFromActivities(group, [later, failed])).toBeUndefined();
    expect(failureFromActivities(group, [])).toBeUndefined();
  });

  it('counts no partial snapshot as stalled', () => {
    // Prepare
    const partial = aSnapshot({ groups: [aGroup({ desired: 9, inServiceUnits: 3 })] });
    // Act & Assess
    expect(stalledGroups(partial)).toEqual([]);
  });
});
