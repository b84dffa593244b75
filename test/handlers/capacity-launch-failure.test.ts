/** The capacity duty on EC2 Instance Launch Unsuccessful (issue 20): a LaunchFailure in the record, no extra read for it. */
import { DescribeScalingActivitiesCommand } from '@aws-sdk/client-auto-scaling';
import { DUTIES } from '../../src/duties/index.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';
import { demoConfig, event, invoke } from '../support/handlers.js';

const SAMPLE = 'events/samples/ec2-instance-launch-unsuccessful.basic.json';
const ICE = 'Could not launch Spot Instances. InsufficientInstanceCapacity - There is no Spot capacity available that matches your request. Launching EC2 instance failed.';

function launchFailed(asg: string) {
  const e = event(SAMPLE);
  e.time = '2026-11-24T12:00:05Z';
  e.detail.AutoScalingGroupName = asg;
  e.detail.StatusMessage = ICE;
  e.detail.StartTime = '2026-11-24T12:00:03Z';
  e.detail.EndTime = '2026-11-24T12:00:05Z';
  return e;
}

describe('Handler: capacity (EC2 Instance Launch Unsuccessful)', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('records the failed activity with its class and group, and reads no scaling activity for it', async () => {
    // Prepare
    const spot = demoConfig().clusters[0]!.groups.find((g) => g.lifecycle === 'spot')!;
    // Act
    const record = await invoke(DUTIES.capacity, launchFailed(spot.asg));
    // Assess
    const reported = record.actions.filter((a) => a.kind === 'reportLaunchFailure');
    expect(reported).toHaveLength(1);
    expect(reported[0]?.action).toMatchObject({ failure: { group: spot.name, asg: spot.asg, activityId: '87654321-4321-4321-4321-210987654321', class: 'spot-capacity', source: 'event', at: '2026-11-24T12:00:03Z' } });
    expect(reported[0]?.description).toContain('87654321-4321-4321-4321-210987654321');
    expect(aws.autoscaling).not.toHaveReceivedCommand(DescribeScalingActivitiesCommand);
  });

  it('ignores a group that is not configured, reading nothing', async () => {
    // Act
    const record = await invoke(DUTIES.capacity, launchFailed('someone-elses-asg'));
    // Assess
    expect(record.outcome).toBe('ignored');
    expect(record.reason).toMatch(/group someone-elses-asg is not configured/);
    expect(aws.sim.log).toHaveLength(0);
  });
});
