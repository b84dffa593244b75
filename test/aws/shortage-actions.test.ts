import { AutoScalingClient, CreateOrUpdateTagsCommand, DeleteTagsCommand, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand, type AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { execute } from '../../src/aws/actuator.js';
import { awsClients } from '../../src/aws/clients.js';
import { toGroup } from '../../src/aws/to-model.js';
import type { Action } from '../../src/core/actions.js';
import { GroupConfigSchema } from '../../src/core/config-schema.js';

const POLICY = {
  LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateName: 'lt-spot', Version: '$Default' }, Overrides: [{ InstanceType: 'm5.large', WeightedCapacity: '1' }, { InstanceType: 'm5.xlarge', WeightedCapacity: '2' }] },
  InstancesDistribution: { OnDemandBaseCapacity: 1, OnDemandPercentageAboveBaseCapacity: 0, SpotAllocationStrategy: 'price-capacity-optimized' },
};
const group = (over: Partial<AutoScalingGroup> = {}): AutoScalingGroup => ({ AutoScalingGroupName: 'asg-spot', MinSize: 0, MaxSize: 20, DesiredCapacity: 6, MixedInstancesPolicy: POLICY, Instances: [], ...over }) as AutoScalingGroup;
const raise = (over: Partial<Extract<Action, { kind: 'setOnDemandBase' }>> = {}): Action => ({ kind: 'setOnDemandBase', asg: 'asg-spot', base: 4, previous: 1, raisedFrom: 1, at: '2026-11-24T12:00:00.000Z', reason: 'stalled', ...over });

describe('Function: execute (capacity shortage actions)', () => {
  const asg = mockClient(AutoScalingClient);
  afterEach(() => asg.reset());
  afterAll(() => asg.restore());

  it('writes the unavailable mark with CreateOrUpdateTags and removes it with DeleteTags', async () => {
    // Act
    const report = await execute(awsClients(), [
      { kind: 'markGroupUnavailable', asg: 'asg-spot', mark: 'until=2026-11-24T12:03:00.000Z;at=2026-11-24T12:00:00.000Z;class=spot-capacity;attempts=1;msg=x', reason: 'failed' },
      { kind: 'tagGroup', asg: 'asg-od', tags: { 'ecs-pilot:unavailable': null }, reason: 'recovered' },
    ], { dryRun: false });
    // Assess
    expect(report.failures).toEqual([]);
    expect(asg).toHaveReceivedCommandTimes(CreateOrUpdateTagsCommand, 1);
    expect(asg).toHaveReceivedCommandWith(CreateOrUpdateTagsCommand, {
      Tags: [{ ResourceId: 'asg-spot', ResourceType: 'auto-scaling-group', Key: 'ecs-pilot:unavailable', Value: 'until=2026-11-24T12:03:00.000Z;at=2026-11-24T12:00:00.000Z;class=spot-capacity;attempts=1;msg=x', PropagateAtLaunch: false }],
    });
    expect(asg).toHaveReceivedCommandWith(DeleteTagsCommand, { Tags: [{ ResourceId: 'asg-od', ResourceType: 'auto-scaling-group', Key: 'ecs-pilot:unavailable' }] });
  });

  it('does not fail the decision when a mark cannot be written: it is reported as skipped', async () => {
    asg.on(CreateOrUpdateTagsCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    const report = await execute(awsClients(), [{ kind: 'markGroupUnavailable', asg: 'asg-spot', mark: 'until=x', reason: 'failed' }], { dryRun: false });
    expect(report.failures).toEqual([]);
    expect(report.skipped).toEqual([{ action: 'markGroupUnavailable', items: ['asg-spot'], reason: "tag ecs-pilot:unavailable not written (AccessDenied: not authorized): ecs-pilot's memory of the shortage is missing until written again" }]);
  });

  it('raises the on-demand base on a fresh read: the whole policy sent back, only the base changed, then the base it started from tagged', async () => {
    // Prepare
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group()] });
    // Act
    const report = await execute(awsClients(), [raise()], { dryRun: false });
    // Assess
    expect(report).toMatchObject({ failures: [], skipped: [] });
    expect(report.calls.map((c) => c.command)).toEqual(['DescribeAutoScalingGroups', 'UpdateAutoScalingGroup', 'CreateOrUpdateTags']);
    expect(asg).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['asg-spot'] });
    expect(asg.commandCalls(UpdateAutoScalingGroupCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupName: 'asg-spot',
      MixedInstancesPolicy: { ...POLICY, InstancesDistribution: { ...POLICY.InstancesDistribution, OnDemandBaseCapacity: 4 } },
    });
    expect(asg).toHaveReceivedCommandWith(CreateOrUpdateTagsCommand, { Tags: [{ ResourceId: 'asg-spot', ResourceType: 'auto-scaling-group', Key: 'ecs-pilot:on-demand-base', Value: 'from=1;at=2026-11-24T12:00:00.000Z', PropagateAtLaunch: false }] });
  });

  it('writes nothing when the base changed since the decision', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group({ MixedInstancesPolicy: { ...POLICY, InstancesDistribution: { ...POLICY.InstancesDistribution, OnDemandBaseCapacity: 4 } } })] });
    const report = await execute(awsClients(), [raise()], { dryRun: false });
    expect(asg).not.toHaveReceivedCommand(UpdateAutoScalingGroupCommand);
    expect(report.skipped).toEqual([{ action: 'setOnDemandBase', items: ['asg-spot'], reason: 'the on-demand base is 4, not 1 as decided: it changed since the decision' }]);
  });

  it('reports a group without a mixed instances policy as a failure', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group({ MixedInstancesPolicy: undefined })] });
    const report = await execute(awsClients(), [raise()], { dryRun: false });
    expect(asg).not.toHaveReceivedCommand(UpdateAutoScalingGroupCommand);
    expect(report.failures).toEqual([{ action: 'setOnDemandBase', items: ['asg-spot'], error: 'asg-spot has no mixed instances policy: its on-demand base cannot be set' }]);
  });

  it('remembers in the base tag the desired capacity a raise covers, for its shortage mark', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group()] });
    await execute(awsClients(), [raise({ covers: 9, forMark: '2026-11-24T11:59:00.000Z' })], { dryRun: false });
    expect(asg).toHaveReceivedCommandWith(CreateOrUpdateTagsCommand, { Tags: [expect.objectContaining({ Key: 'ecs-pilot:on-demand-base', Value: 'from=1;at=2026-11-24T12:00:00.000Z;covers=9;mark=2026-11-24T11:59:00.000Z' })] });
  });

  it('removes the on-demand base tag once the base is back where ecs-pilot found it', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group({ MixedInstancesPolicy: { ...POLICY, InstancesDistribution: { ...POLICY.InstancesDistribution, OnDemandBaseCapacity: 2 } } })] });
    await execute(awsClients(), [raise({ base: 1, previous: 2 })], { dryRun: false });
    expect(asg).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, { MixedInstancesPolicy: expect.objectContaining({ InstancesDistribution: expect.objectContaining({ OnDemandBaseCapacity: 1 }) }) });
    expect(asg).toHaveReceivedCommandWith(DeleteTagsCommand, { Tags: [{ ResourceId: 'asg-spot', ResourceType: 'auto-scaling-group', Key: 'ecs-pilot:on-demand-base' }] });
  });
});

describe('Function: toGroup (capacity shortage fields)', () => {
  const config = (o: Record<string, unknown> = {}) => GroupConfigSchema.parse({ name: 'spot', asg: 'asg-spot', lifecycle: 'spot', ...o });
  const tags = [
    { Key: 'ecs-pilot:unavailable', Value: 'until=2026-11-24T12:03:00.000Z;at=2026-11-24T12:00:00.000Z;class=spot-capacity;attempts=2;activity=a-1;msg=Could not launch Spot Instances.' },
    { Key: 'ecs-pilot:on-demand-base', Value: 'from=1;at=2026-11-24T12:00:00.000Z' },
  ];

  it('reads the mark and, where the option is on, the on-demand base from the group DescribeAutoScalingGroups returned', () => {
    const g = toGroup(config({ onDemandFallback: true }), group({ Tags: tags }), [{ type: 'm5.large', weight: 1 }], new Set(), false);
    expect(g.unavailable).toEqual({ until: '2026-11-24T12:03:00.000Z', at: '2026-11-24T12:00:00.000Z', class: 'spot-capacity', attempts: 2, activityId: 'a-1', reason: 'Could not launch Spot Instances.' });
    expect(g.onDemandFallback).toEqual({ base: 1, raisedFrom: 1, raisedAt: '2026-11-24T12:00:00.000Z' });
  });

  it('has no on-demand fallback without the option or without a mixed instances policy', () => {
    expect(toGroup(config(), group({ Tags: tags }), [{ type: 'm5.large', weight: 1 }], new Set(), false).onDemandFallback).toBeUndefined();
    expect(toGroup(config({ onDemandFallback: true }), group({ MixedInstancesPolicy: undefined }), [{ type: 'm5.large', weight: 1 }], new Set(), false).onDemandFallback).toBeUndefined();
  });
});
