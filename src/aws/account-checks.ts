/**
 * Read-only reads `ecs-pilot doctor` and `ecs-pilot status` judge (docs/operations.md,
 * docs/prerequisites.md): per configured group its capacity provider (DescribeCapacityProviders, shared
 * with mode detection), its ASG (DescribeAutoScalingGroups: Capacity Rebalancing, new-instance
 * protection, launch template), its lifecycle hooks (DescribeLifecycleHooks), its scaling policies
 * (DescribePolicies) and, for spot groups, the launch template's user data
 * (DescribeLaunchTemplateVersions); the DLQ depth (SQS GetQueueAttributes). A read AWS refuses is
 * kept as its error: the check built on it says "unverified", never passes.
 */
import { type AutoScalingGroup, DescribeLifecycleHooksCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import { DescribeClustersCommand } from '@aws-sdk/client-ecs';
import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ClusterConfig } from '../config/schema.js';
import type { GroupSettings } from '../core/conflicts.js';
import type { ProviderSettings } from '../core/capacity/modes.js';
import { readProviders } from './capacity-providers.js';
import type { Clients } from './clients.js';
import { readGroupSettings } from './group-settings.js';
import { describeConfiguredGroups } from './api-reads.js';

/** A value read, or why it could not be. */
export type Read<T> = { ok: true; value: T } | { ok: false; error: string };

export interface HookFacts {
  name: string;
  transition: string | undefined;
  heartbeatSeconds: number | undefined;
  defaultResult: string | undefined;
}

export interface GroupFacts {
  group: string;
  asg: string;
  lifecycle: 'spot' | 'on-demand';
  rebalance: 'drain' | 'prescale' | 'ignore';
  hookName: string;
  /** undefined: ECS does not know the provider. */
  provider: Read<ProviderSettings | undefined>;
  /** undefined: the ASG does not exist. */
  asgSettings: Read<{ capacityRebalance: boolean; newInstancesProtected: boolean } | undefined>;
  hooks: Read<HookFacts[]>;
  scalingPolicies: Read<GroupSettings['scalingPolicies']>;
  /** Spot groups only: does the launch template's user data turn the agent's spot draining on; undefined: no user data readable there (no template, or a launch configuration). */
  agentSpotDraining?: Read<boolean | undefined>;
}

export interface ClusterFacts {
  cluster: string;
  /** DescribeClusters: undefined when ECS reports the cluster MISSING (or INACTIVE); else its capacity providers. */
  ecsCluster: Read<{ capacityProviders: string[] } | undefined>;
  groups: GroupFacts[];
}

/** An AWS error as a person reads it (its name, unless plain Error, and message). */
export const errorText = (e: unknown): string => (e instanceof Error ? (e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message) : String(e));

/** A read whose failure is an answer too (the check says why it could not tell). */
export async function attempt<T>(read: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (e) {
    return { ok: false, error: errorText(e) };
  }
}

/** The launch template the ASG launches from (directly or in a mixed instances policy), if any. */
function templateOf(asg: AutoScalingGroup): { LaunchTemplateId?: string; LaunchTemplateName?: string; Version: string } | undefined {
  const spec = asg.LaunchTemplate ?? asg.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  if (!spec || (!spec.LaunchTemplateId && !spec.LaunchTemplateName)) return undefined;
  // Only one of id and name may be sent; AWS's default version is $Default.
  return { ...(spec.LaunchTemplateId ? { LaunchTemplateId: spec.LaunchTemplateId } : { LaunchTemplateName: spec.LaunchTemplateName as string }), Version: spec.Version ?? '$Default' };
}

/** ECS agent settings are lines `KEY=value` written to /etc/ecs/ecs.config by the user data (ECS Developer Guide). */
export function spotDrainingInUserData(userData: string): boolean {
  return /ECS_ENABLE_SPOT_INSTANCE_DRAINING\s*=\s*["']?true\b/i.test(userData);
}

async function agentSpotDraining(clients: Clients, asg: AutoScalingGroup | undefined): Promise<boolean | undefined> {
  const template = asg ? templateOf(asg) : undefined;
  if (!template) return undefined;
  const { Version, ...id } = template;
  const out = await clients.ec2.send(new DescribeLaunchTemplateVersionsCommand({ ...id, Versions: [Version] }));
  const data = out.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.UserData;
  if (!data) return undefined;
  return spotDrainingInUserData(Buffer.from(data, 'base64').toString('utf8'));
}

/** Everything doctor checks for one cluster of the config; each read on its own, so one refusal spoils one check only. */
export async function readClusterFacts(clients: Clients, cluster: Pick<ClusterConfig, 'name' | 'groups'>, now: Date): Promise<ClusterFacts> {
  const ecsCluster = await attempt(async () => {
    const out = await clients.ecs.send(new DescribeClustersCommand({ clusters: [cluster.name] }));
    const found = out.clusters?.find((c) => c.clusterName === cluster.name && c.status !== 'INACTIVE');
    return found ? { capacityProviders: found.capacityProviders ?? [] } : undefined;
  });
  const providers = await attempt(() => readProviders(clients, cluster.groups.map((g) => g.name), now));
  // The snapshot reader's call: batches of names, every page followed.
  const asgs = await attempt(() => describeConfiguredGroups(clients, cluster.groups.map((g) => g.asg)));
  const policies = await attempt(() => readGroupSettings(clients, cluster, now, ['scalingPolicies']));
  const groups: GroupFacts[] = [];
  for (const g of cluster.groups) {
    const asg = asgs.ok ? asgs.value.get(g.asg) : undefined;
    const facts: GroupFacts = {
      group: g.name,
      asg: g.asg,
      lifecycle: g.lifecycle,
      rebalance: g.rebalance,
      hookName: g.lifecycleHookName,
      provider: providers.ok ? { ok: true, value: providers.value.get(g.name) } : providers,
      asgSettings: asgs.ok ? { ok: true, value: asg ? { capacityRebalance: asg.CapacityRebalance === true, newInstancesProtected: asg.NewInstancesProtectedFromScaleIn === true } : undefined } : asgs,
      hooks: asgs.ok && !asg ? { ok: true, value: [] } : await attempt(async () => {
        const out = await clients.autoscaling.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: g.asg }));
        return (out.LifecycleHooks ?? []).map((h) => ({ name: h.LifecycleHookName ?? '', transition: h.LifecycleTransition, heartbeatSeconds: h.HeartbeatTimeout, defaultResult: h.DefaultResult }));
      }),
      scalingPolicies: policies.ok ? { ok: true, value: policies.value.find((s) => s.group === g.name)?.scalingPolicies ?? [] } : policies,
    };
    if (g.lifecycle === 'spot') facts.agentSpotDraining = asgs.ok ? await attempt(() => agentSpotDraining(clients, asg)) : asgs;
    groups.push(facts);
  }
  return { cluster: cluster.name, ecsCluster, groups };
}

/** The DLQ's depth (ApproximateNumberOfMessages: visible messages); `queue` is a URL or a name (resolved with GetQueueUrl). */
export async function readQueueDepth(sqs: Pick<SQSClient, 'send'>, queue: string): Promise<Read<{ url: string; messages: number }>> {
  return attempt(async () => {
    const url = /^https?:\/\//.test(queue) ? queue : (await sqs.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl;
    if (!url) throw new Error(`no URL for queue ${queue}`);
    const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
    const n = Number(out.Attributes?.ApproximateNumberOfMessages);
    if (!Number.isFinite(n)) throw new Error('GetQueueAttributes returned no ApproximateNumberOfMessages');
    return { url, messages: n };
  });
}
