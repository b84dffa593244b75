/**
 * What `ecs-pilot doctor` reads for its capacity-shortage checks (docs/capacity-shortage.md): each
 * configured group's launch set-up (types, AZs, spot allocation strategy and max price, whether it is
 * a mixed-instances group) and which services name only one capacity provider. Read-only; each read
 * on its own, so one refusal spoils only the checks that need it.
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import type { ClusterConfig } from '../config/schema.js';
import { attempt, type Read } from './account-checks.js';
import { describeAllServices, describeConfiguredGroups } from './api-reads.js';
import type { Clients } from './clients.js';

export interface LaunchSetup {
  mixed: boolean;
  /** Instance types the group may launch; `undefined`: attribute-based (many). */
  types: number | undefined;
  azs: number;
  spotAllocationStrategy: string | undefined;
  spotMaxPrice: string | undefined;
}

export interface ShortageFacts {
  cluster: string;
  groups: Array<{
    group: string;
    asg: string;
    lifecycle: 'spot' | 'on-demand';
    fallbackGroup: string | undefined;
    onDemandFallback: boolean;
    instanceRole: string | undefined;
    launch: Read<LaunchSetup | undefined>;
    /** onDemandFallback groups only: the launch template's instance profile (ARN or name); undefined: none in it. */
    instanceProfile?: Read<string | undefined>;
  }>;
  /** Services whose capacity provider strategy names providers (those with a weight above 0). */
  services: Read<Array<{ service: string; providers: string[] }>>;
}


export function launchSetup(asg: AutoScalingGroup): LaunchSetup {
  const policy = asg.MixedInstancesPolicy;
  const overrides = policy?.LaunchTemplate?.Overrides ?? [];
  const attributeBased = overrides.some((o) => o.InstanceRequirements !== undefined);
  return {
    mixed: policy !== undefined,
    // Without overrides the template's one type (AWS: a launch template names one instance type).
    types: attributeBased ? undefined : Math.max(1, overrides.length),
    azs: asg.AvailabilityZones?.length ?? 0,
    spotAllocationStrategy: policy?.InstancesDistribution?.SpotAllocationStrategy,
    spotMaxPrice: policy?.InstancesDistribution?.SpotMaxPrice || undefined,
  };
}

/** The instance profile the group's launch template names (the mixed instances policy's template and version). */
async function instanceProfileOf(clients: Clients, asg: AutoScalingGroup | undefined): Promise<string | undefined> {
  const spec = asg?.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification ?? asg?.LaunchTemplate;
  if (!spec || (!spec.LaunchTemplateId && !spec.LaunchTemplateName)) return undefined;
  const id = spec.LaunchTemplateId ? { LaunchTemplateId: spec.LaunchTemplateId } : { LaunchTemplateName: spec.LaunchTemplateName as string };
  const out = await clients.ec2.send(new DescribeLaunchTemplateVersionsCommand({ ...id, Versions: [spec.Version ?? '$Default'] }));
  const profile = out.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.IamInstanceProfile;
  return profile?.Arn ?? profile?.Name;
}

export async function readShortageFacts(clients: Clients, cluster: Pick<ClusterConfig, 'name' | 'groups'>): Promise<ShortageFacts> {
  const asgs = await attempt(() => describeConfiguredGroups(clients, cluster.groups.map((g) => g.asg)));
  const services = await attempt(async () =>
    (await describeAllServices(clients, cluster.name)).map((s) => ({
      service: s.serviceName ?? '',
      providers: (s.capacityProviderStrategy ?? []).filter((p) => (p.weight ?? 0) > 0 || (p.base ?? 0) > 0).map((p) => p.capacityProvider ?? ''),
    })),
  );
  const groups: ShortageFacts['groups'] = [];
  for (const g of cluster.groups) {
    const asg = asgs.ok ? asgs.value.get(g.asg) : undefined;
    groups.push({
      group: g.name,
      asg: g.asg,
      lifecycle: g.lifecycle,
      fallbackGroup: g.fallbackGroup,
      onDemandFallback: g.onDemandFallback,
      instanceRole: g.instanceRole,
      launch: asgs.ok ? { ok: true, value: asg ? launchSetup(asg) : undefined } : asgs,
      ...(g.onDemandFallback && asg ? { instanceProfile: await attempt(() => instanceProfileOf(clients, asg)) } : {}),
    });
  }
  return { cluster: cluster.name, groups, services };
}
