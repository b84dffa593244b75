import { DescribeAutoScalingGroupsCommand, DescribeLaunchConfigurationsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstanceTypesCommand, DescribeLaunchTemplateVersionsCommand, GetInstanceTypesFromInstanceRequirementsCommand } from '@aws-sdk/client-ec2';
import { awsClients, type Clients } from '../../src/aws/clients.js';
import { readClusterSnapshot } from '../../src/aws/snapshot-reader.js';
import { GroupConfigSchema } from '../../src/config/schema.js';
import { plan } from '../../src/core/capacity/index.js';
import type { LaunchShape } from '../../src/core/model.js';
import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { parseConfig } from '../../src/config/load.js';
import { DUTIES } from '../../src/duties/index.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';
import { event, invoke } from '../support/handlers.js';
import { aGroup, aSnapshot, tasks, TYPES } from '../support/builders.js';

const NOW = new Date('2026-11-24T12:00:10Z');
// Five types within the bounds of m5.large..m5.xlarge: GetInstanceTypesFromInstanceRequirements answers in two pages.
const MORE_TYPES = { ...TYPES, 'm6i.large': TYPES['m5.large'], 'm6a.large': TYPES['m5.large'], 'm6i.xlarge': TYPES['m5.xlarge'] };

function emptyGroup(launch: LaunchShape | undefined, instanceTypes = [{ type: 'm5.large', weight: 1 }]) {
  return aSnapshot({
    instanceTypes: MORE_TYPES,
    groups: [aGroup({ desired: 0, instanceTypes, ...(launch ? { launch } : {}) })],
    pending: tasks(3, { cpu: 1024, memoryMiB: 2048, capacityProvider: 'general' }),
  });
}

/** One read in a cold container, or in the warm one of the given clients. */
function read(overrides: Record<string, unknown> = {}, clients: Clients = awsClients()) {
  const group = GroupConfigSchema.parse({ name: 'general', asg: 'asg-general', ...overrides });
  return readClusterSnapshot({ clients, cluster: { name: 'test', groups: [group], daemonServices: [] }, now: NOW });
}

describe('Function: launch types (scale from zero)', () => {
  let aws: MockedAws;
  afterEach(() => aws.restore());

  it.each([
    ['a plain launch template ($Default by AWS default)', { kind: 'launchTemplate' } as LaunchShape, ['$Default']],
    ['a launch template at $Latest', { kind: 'launchTemplate', version: '$Latest' } as LaunchShape, ['$Latest']],
    ['a launch template at version 2', { kind: 'launchTemplate', version: '2' } as LaunchShape, ['2']],
  ])('%s: the type of that version, and a plan that launches it', async (_name, launch, versions) => {
    aws = mockAws(emptyGroup(launch));
    const snapshot = await read();
    expect(snapshot.groups[0]?.instanceTypes).toEqual([{ type: 'm5.large', weight: 1 }]);
    expect(aws.ec2).toHaveReceivedCommandTimes(DescribeLaunchTemplateVersionsCommand, 1);
    expect(aws.ec2).toHaveReceivedCommandWith(DescribeLaunchTemplateVersionsCommand, { LaunchTemplateId: expect.stringMatching(/^lt-0[0-9a-f]{16}$/), Versions: versions });
    // 3 tasks of 1 vCPU / 2 GiB on m5.large (2 vCPU): two instances.
    expect(plan(snapshot).groups[0]).toMatchObject({ current: 0, desired: 2, newInstances: [{ type: 'm5.large', count: 2 }] });
  });

  it('a launch configuration: its instance type', async () => {
    aws = mockAws(emptyGroup({ kind: 'launchConfiguration' }));
    const snapshot = await read();
    expect(aws.autoscaling).toHaveReceivedCommandWith(DescribeLaunchConfigurationsCommand, { LaunchConfigurationNames: ['asg-general-launch-config'] });
    expect(aws.ec2).not.toHaveReceivedCommand(DescribeLaunchTemplateVersionsCommand);
    expect(snapshot.groups[0]?.instanceTypes).toEqual([{ type: 'm5.large', weight: 1 }]);
    expect(plan(snapshot).groups[0]?.desired).toBe(2);
  });

  it('InstanceRequirements: every page of matching types, and the smallest planned for', async () => {
    aws = mockAws(emptyGroup({ kind: 'instanceRequirements' }, [{ type: 'm5.large', weight: 1 }, { type: 'm5.xlarge', weight: 1 }]));
    const snapshot = await read();
    const request = { ArchitectureTypes: ['x86_64', 'arm64'], VirtualizationTypes: ['hvm'], InstanceRequirements: { VCpuCount: { Min: 2, Max: 4 }, MemoryMiB: { Min: 8171, Max: 16571 } } };
    expect(aws.ec2).toHaveReceivedCommandTimes(GetInstanceTypesFromInstanceRequirementsCommand, 2);
    expect(aws.ec2).toHaveReceivedNthSpecificCommandWith(1, GetInstanceTypesFromInstanceRequirementsCommand, request);
    expect(aws.ec2).toHaveReceivedNthSpecificCommandWith(2, GetInstanceTypesFromInstanceRequirementsCommand, { ...request, NextToken: '3' });
    expect(aws.ec2).toHaveReceivedCommandWith(DescribeInstanceTypesCommand, { InstanceTypes: ['m5.large', 'm5.xlarge', 'm6a.large', 'm6i.large', 'm6i.xlarge'] });
    // AWS does not say which matching type launches: the smallest, so the plan never asks too little.
    expect(snapshot.groups[0]?.instanceTypes).toEqual([{ type: 'm5.large', weight: 1 }]);
    expect(plan(snapshot).groups[0]?.desired).toBe(2);
  });

  it('mixed instances policy overrides: no extra read', async () => {
    aws = mockAws(emptyGroup({ kind: 'mixedInstancesPolicy' }, [{ type: 'm5.large', weight: 1 }, { type: 'm5.xlarge', weight: 2 }]));
    const snapshot = await read();
    expect(snapshot.groups[0]?.instanceTypes).toEqual([{ type: 'm5.large', weight: 1 }, { type: 'm5.xlarge', weight: 2 }]);
    expect(aws.ec2).not.toHaveReceivedCommand(DescribeLaunchTemplateVersionsCommand);
    expect(aws.ec2).not.toHaveReceivedCommand(GetInstanceTypesFromInstanceRequirementsCommand);
  });

  it('caches the launch set-up across warm invocations', async () => {
    aws = mockAws(emptyGroup({ kind: 'launchTemplate' }));
    const warm = awsClients();
    await read({}, warm);
    await read({}, warm);
    expect(aws.ec2).toHaveReceivedCommandTimes(DescribeLaunchTemplateVersionsCommand, 1);
  });

  it('the config\'s instanceTypes win, with no read of the launch set-up', async () => {
    aws = mockAws(emptyGroup({ kind: 'launchTemplate' }));
    const snapshot = await read({ instanceTypes: [{ type: 'm5.xlarge', weight: 2 }] });
    expect(snapshot.groups[0]?.instanceTypes).toEqual([{ type: 'm5.xlarge', weight: 2 }]);
    expect(aws.ec2).not.toHaveReceivedCommand(DescribeLaunchTemplateVersionsCommand);
  });

  it('a launch template that is gone: the group has no known type, the read goes on', async () => {
    aws = mockAws(emptyGroup({ kind: 'launchTemplate' }));
    const gone = Object.assign(new Error('The specified launch template, with template ID lt-0x, does not exist.'), { name: 'InvalidLaunchTemplateId.NotFound' });
    aws.ec2.on(DescribeLaunchTemplateVersionsCommand).rejects(gone);
    const snapshot = await read();
    expect(snapshot.groups[0]?.instanceTypes).toEqual([{ type: 'unknown', weight: 1 }]);
  });

  it('a throttled read fails the snapshot (the SDK has retried) and is not cached', async () => {
    aws = mockAws(emptyGroup({ kind: 'launchTemplate' }));
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' });
    aws.sim.failNext('DescribeLaunchTemplateVersions', throttled);
    await expect(read()).rejects.toThrow('Rate exceeded');
    const snapshot = await read();
    expect(snapshot.groups[0]?.instanceTypes).toEqual([{ type: 'm5.large', weight: 1 }]);
  });

  it('DesiredCapacityType vcpu: each type weighs its vCPUs', async () => {
    aws = mockAws(emptyGroup({ kind: 'instanceRequirements' }, [{ type: 'm5.large', weight: 1 }, { type: 'm5.xlarge', weight: 1 }]));
    const asg = aws.sim.handle('autoscaling', 'DescribeAutoScalingGroups', { AutoScalingGroupNames: ['asg-general'] }) as { AutoScalingGroups: object[] };
    aws.autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [{ ...asg.AutoScalingGroups[0], DesiredCapacityType: 'vcpu' }] as never });
    const snapshot = await read();
    expect(snapshot.groups[0]?.instanceTypes).toEqual([
      { type: 'm5.large', weight: 2 },
      { type: 'm5.xlarge', weight: 4 },
      { type: 'm6a.large', weight: 2 },
      { type: 'm6i.large', weight: 2 },
      { type: 'm6i.xlarge', weight: 4 },
    ]);
  });

  it.each([
    ['a plain launch template', { kind: 'launchTemplate' } as LaunchShape],
    ['a launch configuration', { kind: 'launchConfiguration' } as LaunchShape],
    ['InstanceRequirements', { kind: 'instanceRequirements' } as LaunchShape],
  ])('end to end, %s: a task waiting on an empty group gets capacity', async (_name, launch) => {
    const snapshot = emptyGroup(launch);
    snapshot.pending.forEach((t, k) => {
      t.id = `arn:aws:ecs:us-east-1:123456789012:task/test/wait${String(k).padStart(28, '0')}`;
    });
    aws = mockAws(snapshot);
    const waiting = snapshot.pending[0]!;
    const e = event('events/demo/03-task-provisioning.json');
    e.detail.clusterArn = 'arn:aws:ecs:us-east-1:123456789012:cluster/test';
    e.detail.taskArn = waiting.id;
    e.detail.capacityProviderName = 'general';
    const config = parseConfig({ clusters: [{ name: 'test', groups: [{ name: 'general', asg: 'asg-general' }] }] });
    aws.sim.setTaskStatus(waiting.id, 'PROVISIONING'); // version 1 → 2, as the event below says
    e.detail.version = 2;
    const record = await invoke(DUTIES.capacity, e, { config, now: NOW });
    expect(record.outcome).toBe('acted');
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: 'asg-general', DesiredCapacity: 2, HonorCooldown: false });
  });
});
