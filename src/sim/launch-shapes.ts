/**
 * How a simulated Auto Scaling group says what it launches, in the four shapes AWS answers with
 * (chosen per group by the snapshot's `launch.kind`, default `mixedInstancesPolicy`):
 * - `launchTemplate`: `LaunchTemplate` { id, version } → DescribeLaunchTemplateVersions gives the type;
 * - `launchConfiguration`: `LaunchConfigurationName` → DescribeLaunchConfigurations;
 * - `mixedInstancesPolicy`: overrides listing each type with its `WeightedCapacity`;
 * - `instanceRequirements`: one override with vCPU and memory bounds (those of the group's types) →
 *   GetInstanceTypesFromInstanceRequirements, which matches every type of the snapshot in the bounds.
 * Each template has versions 1 (the default) and 2 (the latest), both with the group's first type.
 * Also the group settings ecs-pilot checks for conflicts: Capacity Rebalancing and scaling policies
 * (snapshot `awsSettings`).
 */
import { createHash } from 'node:crypto';
import type * as ASG from '@aws-sdk/client-auto-scaling';
import type * as EC2 from '@aws-sdk/client-ec2';
import type { Group, Snapshot } from '../core/model.js';
import type { Answer } from './commands.js';
import { SimulatedServiceError } from './state.js';

const fail = (name: string, message: string): Error => new SimulatedServiceError(name, message);

const templateId = (asg: string): string => `lt-0${createHash('sha256').update(asg).digest('hex').slice(0, 16)}`;
const templateName = (asg: string): string => `${asg}-template`;
const configurationName = (asg: string): string => `${asg}-launch-config`;
const VERSIONS = { default: 1, latest: 2 } as const;
/** A small page, so that readers must follow NextToken. */
const REQUIREMENTS_PAGE = 3;

/** What EC2 reports for a snapshot type (the inverse of the reader's estimate). */
const vcpus = (snapshot: Snapshot, type: string): number => Math.round((snapshot.instanceTypes[type]?.cpu ?? 0) / 1024);
const memory = (snapshot: Snapshot, type: string): number => Math.ceil((snapshot.instanceTypes[type]?.memoryMiB ?? 0) / 0.94);

function requirementsOf(snapshot: Snapshot, group: Group) {
  const cpus = group.instanceTypes.map((t) => vcpus(snapshot, t.type));
  const mems = group.instanceTypes.map((t) => memory(snapshot, t.type));
  return { VCpuCount: { Min: Math.min(...cpus), Max: Math.max(...cpus) }, MemoryMiB: { Min: Math.min(...mems), Max: Math.max(...mems) } };
}

/** The launch fields of DescribeAutoScalingGroups for the group (and its Capacity Rebalancing setting). */
export function asgLaunchFields(snapshot: Snapshot, group: Group): Pick<ASG.AutoScalingGroup, 'LaunchTemplate' | 'LaunchConfigurationName' | 'MixedInstancesPolicy' | 'CapacityRebalance'> {
  return { ...launchFields(snapshot, group), CapacityRebalance: group.awsSettings?.capacityRebalance ?? false };
}

function launchFields(snapshot: Snapshot, group: Group): Pick<ASG.AutoScalingGroup, 'LaunchTemplate' | 'LaunchConfigurationName' | 'MixedInstancesPolicy'> {
  const spec = { LaunchTemplateId: templateId(group.asg), LaunchTemplateName: templateName(group.asg), ...(group.launch?.version ? { Version: group.launch.version } : {}) };
  switch (group.launch?.kind ?? 'mixedInstancesPolicy') {
    case 'launchTemplate':
      return { LaunchTemplate: spec };
    case 'launchConfiguration':
      return { LaunchConfigurationName: configurationName(group.asg) };
    case 'instanceRequirements':
      return { MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: spec, Overrides: [{ InstanceRequirements: requirementsOf(snapshot, group) }] } } };
    case 'mixedInstancesPolicy':
      return { MixedInstancesPolicy: { LaunchTemplate: { LaunchTemplateSpecification: spec, Overrides: group.instanceTypes.map((t) => ({ InstanceType: t.type, WeightedCapacity: String(t.weight) })) } } };
  }
}

export function describeLaunchTemplateVersions(snapshot: Snapshot, input: EC2.DescribeLaunchTemplateVersionsCommandInput): Answer<EC2.DescribeLaunchTemplateVersionsCommandOutput> {
  const byId = input.LaunchTemplateId;
  const byName = input.LaunchTemplateName;
  if (byId && byName) throw fail('InvalidParameterCombination', 'Specify either the launch template ID or the launch template name, but not both.');
  if (!byId && !byName) throw fail('MissingParameter', 'The request must contain the parameter LaunchTemplateName or LaunchTemplateId');
  const group = snapshot.groups.find((g) => (byId ? templateId(g.asg) === byId : templateName(g.asg) === byName));
  if (!group) {
    throw byId ? fail('InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${byId}, does not exist.`) : fail('InvalidLaunchTemplateName.NotFoundException', `The specified launch template, with template name ${byName}, does not exist.`);
  }
  const wanted = input.Versions ?? [];
  const numbers = wanted.map((v) => (v === '$Default' ? VERSIONS.default : v === '$Latest' ? VERSIONS.latest : Number(v)));
  const missing = wanted.find((_, i) => !(numbers[i] === VERSIONS.default || numbers[i] === VERSIONS.latest));
  if (missing !== undefined) throw fail('InvalidLaunchTemplateId.VersionNotFound', `Could not find launch template version ${missing} for launch template ${templateId(group.asg)}.`);
  const first = group.instanceTypes[0]?.type;
  const data = group.launch?.kind === 'instanceRequirements' || !first ? {} : { InstanceType: first as EC2._InstanceType };
  return {
    LaunchTemplateVersions: [...new Set(numbers)].map((n) => ({
      LaunchTemplateId: templateId(group.asg),
      LaunchTemplateName: templateName(group.asg),
      VersionNumber: n,
      DefaultVersion: n === VERSIONS.default,
      LaunchTemplateData: { ImageId: 'ami-0ecs0optimized0000', ...data },
    })),
  };
}

export function describeLaunchConfigurations(snapshot: Snapshot, input: ASG.DescribeLaunchConfigurationsCommandInput): Answer<ASG.DescribeLaunchConfigurationsCommandOutput> {
  const names = input.LaunchConfigurationNames ?? snapshot.groups.map((g) => configurationName(g.asg));
  if (names.length > 50) throw fail('ValidationError', 'LaunchConfigurationNames can have at most 50 items');
  return {
    LaunchConfigurations: snapshot.groups
      .filter((g) => g.launch?.kind === 'launchConfiguration' && names.includes(configurationName(g.asg)))
      .map((g) => ({ LaunchConfigurationName: configurationName(g.asg), ImageId: 'ami-0ecs0optimized0000', InstanceType: g.instanceTypes[0]?.type, CreatedTime: new Date(snapshot.takenAt) })),
  };
}

export function getInstanceTypesFromInstanceRequirements(snapshot: Snapshot, input: EC2.GetInstanceTypesFromInstanceRequirementsCommandInput): Answer<EC2.GetInstanceTypesFromInstanceRequirementsCommandOutput> {
  const r = input.InstanceRequirements;
  for (const field of ['ArchitectureTypes', 'VirtualizationTypes', 'InstanceRequirements'] as const) {
    if (input[field] === undefined) throw fail('MissingParameter', `The request must contain the parameter ${field}`);
  }
  if (r?.VCpuCount?.Min === undefined || r.MemoryMiB?.Min === undefined) throw fail('MissingParameter', 'InstanceRequirements needs VCpuCount.Min and MemoryMiB.Min');
  const within = (v: number, range: { Min?: number; Max?: number }): boolean => v >= (range.Min ?? 0) && v <= (range.Max ?? Number.POSITIVE_INFINITY);
  const matching = Object.keys(snapshot.instanceTypes)
    .filter((type) => type !== 'unknown' && within(vcpus(snapshot, type), r.VCpuCount ?? {}) && within(memory(snapshot, type), r.MemoryMiB ?? {}))
    .sort();
  const start = input.NextToken ? Number(input.NextToken) : 0;
  const end = start + REQUIREMENTS_PAGE;
  return { InstanceTypes: matching.slice(start, end).map((InstanceType) => ({ InstanceType })), ...(end < matching.length ? { NextToken: String(end) } : {}) };
}

/** The group's own scaling policies (snapshot `awsSettings.scalingPolicies`, default none). */
export function describePolicies(snapshot: Snapshot, input: ASG.DescribePoliciesCommandInput): Answer<ASG.DescribePoliciesCommandOutput> {
  const group = snapshot.groups.find((g) => g.asg === input.AutoScalingGroupName);
  if (input.AutoScalingGroupName !== undefined && !group) throw fail('ValidationError', `AutoScalingGroup name not found - ${String(input.AutoScalingGroupName)}`);
  const groups = group ? [group] : snapshot.groups;
  return {
    ScalingPolicies: groups.flatMap((g) => (g.awsSettings?.scalingPolicies ?? []).map((PolicyName) => ({ AutoScalingGroupName: g.asg, PolicyName, PolicyType: 'TargetTrackingScaling', Enabled: true }))),
  };
}
