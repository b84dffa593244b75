/**
 * The instance types an Auto Scaling group launches, read from how it launches them — so a group with
 * no instance yet (scale from zero) still has a capacity per instance (docs/capacity.md, "Instance
 * types of a group"):
 * - MixedInstancesPolicy overrides: `InstanceType` (with `WeightedCapacity`), `InstanceRequirements`
 *   (attribute-based), or an override's own `LaunchTemplateSpecification`;
 * - else the policy's `LaunchTemplateSpecification` or the group's `LaunchTemplate`: the instance type of
 *   that version (DescribeLaunchTemplateVersions with `$Default`, `$Latest` or a number; AWS's default
 *   is `$Default`);
 * - else `LaunchConfigurationName`: DescribeLaunchConfigurations.
 * Attribute-based requirements become types with GetInstanceTypesFromInstanceRequirements.
 * Answers are cached per warm container for a few minutes (`$Latest` and `$Default` can move).
 */
import { DescribeLaunchConfigurationsCommand, type AutoScalingGroup, type InstanceRequirements as AsgInstanceRequirements, type LaunchTemplateSpecification } from '@aws-sdk/client-auto-scaling';
import { DescribeLaunchTemplateVersionsCommand, GetInstanceTypesFromInstanceRequirementsCommand, type InstanceRequirementsRequest } from '@aws-sdk/client-ec2';
import type { Clients } from './clients.js';
import { paginate } from './paginate.js';
import type { LaunchSetup } from './warm-caches.js';

/** One type the group can launch; `weight` is undefined when the group's DesiredCapacityType sets it. */
export interface LaunchType {
  type: string;
  weight?: number;
}

export interface LaunchTypes {
  types: LaunchType[];
  /** Units of the group's desired capacity: instances (`units`), or vCPUs / MiB with attribute-based selection. */
  capacityType: 'units' | 'vcpu' | 'memory-mib';
  /** Some types came from InstanceRequirements: the ASG picks among them, nobody says which. */
  attributeBased: boolean;
  /** Where the types came from, for a person (e.g. `launch template lt-0abc version $Default`). */
  source: string;
}

/** ECS-optimized AMIs exist for both; the AMI's architecture is not read (least favourable: both). */
export const ARCHITECTURES = ['x86_64', 'arm64'] as const;

/** EC2 answers these when a template or version is gone: the group then has no known type. */
const NOT_FOUND = /NotFound|VersionNotFound|InvalidLaunchTemplate/;

function templateRequest(spec: LaunchTemplateSpecification): { LaunchTemplateId: string } | { LaunchTemplateName: string } | undefined {
  // The API takes the id or the name, not both.
  if (spec.LaunchTemplateId) return { LaunchTemplateId: spec.LaunchTemplateId };
  if (spec.LaunchTemplateName) return { LaunchTemplateName: spec.LaunchTemplateName };
  return undefined;
}

function templateKey(spec: LaunchTemplateSpecification): string {
  return `lt:${spec.LaunchTemplateId ?? spec.LaunchTemplateName}:${spec.Version ?? '$Default'}`;
}

/** The version's instance type, or its InstanceRequirements. */
function fromTemplate(clients: Clients, spec: LaunchTemplateSpecification, now: Date) {
  const which = templateRequest(spec);
  if (!which) return Promise.resolve<LaunchSetup>({ types: [] });
  return clients.caches.launchSetups.get(templateKey(spec), now, async (): Promise<LaunchSetup> => {
    try {
      const out = await clients.ec2.send(new DescribeLaunchTemplateVersionsCommand({ ...which, Versions: [spec.Version ?? '$Default'] }));
      const data = out.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
      if (data?.InstanceType) return { types: [data.InstanceType] };
      return data?.InstanceRequirements ? { types: [], requirements: data.InstanceRequirements as AsgInstanceRequirements } : { types: [] };
    } catch (e) {
      if (e instanceof Error && NOT_FOUND.test(e.name)) return { types: [] };
      throw e;
    }
  });
}

function fromLaunchConfiguration(clients: Clients, name: string, now: Date) {
  return clients.caches.launchSetups.get(`lc:${name}`, now, async () => {
    const out = await clients.autoscaling.send(new DescribeLaunchConfigurationsCommand({ LaunchConfigurationNames: [name] }));
    const type = out.LaunchConfigurations?.[0]?.InstanceType;
    return { types: type ? [type] : [] };
  });
}

/**
 * The types matching attribute-based requirements (paginated). Auto Scaling's InstanceRequirements and
 * EC2's InstanceRequirementsRequest have the same fields.
 */
function fromRequirements(clients: Clients, requirements: AsgInstanceRequirements, now: Date) {
  return clients.caches.launchSetups.get(`ir:${JSON.stringify(requirements)}`, now, async () => {
    const types = await paginate(async (NextToken) => {
      const page = await clients.ec2.send(
        new GetInstanceTypesFromInstanceRequirementsCommand({
          ArchitectureTypes: [...ARCHITECTURES],
          VirtualizationTypes: ['hvm'],
          InstanceRequirements: requirements as InstanceRequirementsRequest,
          ...(NextToken ? { NextToken } : {}),
        }),
      );
      return [page.InstanceTypes?.flatMap((t) => (t.InstanceType ? [t.InstanceType] : [])), page.NextToken] as const;
    });
    return { types };
  });
}

async function resolve(clients: Clients, got: Promise<LaunchSetup>, now: Date): Promise<{ types: string[]; attributeBased: boolean }> {
  const r = await got;
  if (r.types.length > 0 || !r.requirements) return { types: r.types, attributeBased: false };
  return { types: (await fromRequirements(clients, r.requirements, now)).types, attributeBased: true };
}

const weightOf = (w: string | undefined): number | undefined => (w !== undefined && Number(w) > 0 ? Number(w) : undefined);

/** The types the group launches, as its launch set-up says (no call for plain overrides). */
export async function launchTypes(clients: Clients, asg: AutoScalingGroup, now: Date): Promise<LaunchTypes> {
  const capacityType = asg.DesiredCapacityType === 'vcpu' || asg.DesiredCapacityType === 'memory-mib' ? asg.DesiredCapacityType : 'units';
  const mixed = asg.MixedInstancesPolicy?.LaunchTemplate;
  const base = mixed?.LaunchTemplateSpecification ?? asg.LaunchTemplate;
  const types: LaunchType[] = [];
  let attributeBased = false;
  const add = (type: string, weight: number | undefined): void => {
    if (!types.some((t) => t.type === type)) types.push(weight !== undefined ? { type, weight } : { type });
  };
  for (const o of mixed?.Overrides ?? []) {
    if (o.InstanceType) add(o.InstanceType, weightOf(o.WeightedCapacity) ?? (capacityType === 'units' ? 1 : undefined));
    else if (o.InstanceRequirements) {
      attributeBased = true;
      for (const type of (await fromRequirements(clients, o.InstanceRequirements, now)).types) add(type, capacityType === 'units' ? 1 : undefined);
    } else if (o.LaunchTemplateSpecification) {
      const r = await resolve(clients, fromTemplate(clients, o.LaunchTemplateSpecification, now), now);
      attributeBased ||= r.attributeBased;
      for (const type of r.types) add(type, weightOf(o.WeightedCapacity) ?? (capacityType === 'units' ? 1 : undefined));
    }
  }
  if (types.length > 0) return { types, capacityType, attributeBased, source: 'mixed instances policy overrides' };
  if (base) {
    const r = await resolve(clients, fromTemplate(clients, base, now), now);
    for (const type of r.types) add(type, capacityType === 'units' ? 1 : undefined);
    return { types, capacityType, attributeBased: r.attributeBased, source: `launch template ${base.LaunchTemplateId ?? base.LaunchTemplateName} version ${base.Version ?? '$Default'}` };
  }
  if (asg.LaunchConfigurationName) {
    for (const type of (await fromLaunchConfiguration(clients, asg.LaunchConfigurationName, now)).types) add(type, 1);
    return { types, capacityType, attributeBased: false, source: `launch configuration ${asg.LaunchConfigurationName}` };
  }
  return { types, capacityType, attributeBased: false, source: 'none' };
}
