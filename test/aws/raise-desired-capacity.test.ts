import { DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { execute } from '../../src/aws/actuator.js';
import { awsClients } from '../../src/aws/clients.js';
import type { Action } from '../../src/core/actions.js';
import { aGroup, aSnapshot } from '../support/builders.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';

const raise = (desired: number, previous = 3): Action => ({ kind: 'setDesiredCapacity', asg: 'asg-general', desired, previous, reason: `to ${desired}` });
const desiredNow = (aws: MockedAws) => aws.sim.toSnapshot().groups.find((g) => g.asg === 'asg-general')?.desired;

describe('Function: execute (setDesiredCapacity)', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws(aSnapshot({ groups: [aGroup({ desired: 3 })], instances: [] }));
  });
  afterEach(() => aws.restore());

  it('re-reads the group right before writing, then raises it', async () => {
    // Act
    const report = await execute(awsClients(), [raise(6)], { dryRun: false });
    // Assess
    expect(aws.sim.log.map((c) => c.command)).toEqual(['DescribeAutoScalingGroups', 'SetDesiredCapacity']);
    expect(aws.autoscaling).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['asg-general'] });
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: 'asg-general', DesiredCapacity: 6, HonorCooldown: false });
    expect(report.failures).toEqual([]);
    expect(desiredNow(aws)).toBe(6);
  });

  it('two planners that decided on the same state converge on the larger target, whichever writes first', async () => {
    for (const order of [[6, 5], [5, 6]]) {
      aws.restore();
      aws = mockAws(aSnapshot({ groups: [aGroup({ desired: 3 })], instances: [] }));
      // Act: each planner saw desired 3
      const reports = [];
      for (const target of order) reports.push(await execute(awsClients(), [raise(target)], { dryRun: false }));
      // Assess
      expect(desiredNow(aws)).toBe(6);
      expect(reports.flatMap((r) => r.failures)).toEqual([]);
    }
  });

  it('leaves a group another decision already raised at or above the target, and says why', async () => {
    // Prepare: another planner raised it to 8 after this decision was made on desired 3
    await execute(awsClients(), [raise(8)], { dryRun: false });
    aws.autoscaling.resetHistory();
    // Act
    const report = await execute(awsClients(), [raise(6)], { dryRun: false });
    // Assess
    expect(aws.autoscaling).not.toHaveReceivedCommand(SetDesiredCapacityCommand);
    expect(report.skipped).toEqual([{ action: 'setDesiredCapacity', items: ['asg-general'], reason: 'desired capacity is already 8 (≥ 6): another decision raised it' }]);
    expect(desiredNow(aws)).toBe(8);
  });

  it('still raises when the re-read fails (a failed read is no failed action)', async () => {
    // Prepare
    aws.autoscaling.on(DescribeAutoScalingGroupsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    // Act
    const report = await execute(awsClients(), [raise(6)], { dryRun: false });
    // Assess
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: 'asg-general', DesiredCapacity: 6 });
    expect(report.failures).toEqual([]);
  });

  it('in dry-run reads nothing and sends nothing, and shows the write', async () => {
    const report = await execute(awsClients(), [raise(6)], { dryRun: true });
    expect(aws.sim.log).toEqual([]);
    expect(report.calls).toEqual([{ service: 'autoscaling', command: 'SetDesiredCapacity', input: { AutoScalingGroupName: 'asg-general', DesiredCapacity: 6, HonorCooldown: false } }]);
  });
});
