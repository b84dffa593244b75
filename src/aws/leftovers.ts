/**
 * What ecs-pilot leaves in an account once it is removed (docs/upgrade.md), found and removed for
 * `ecs-pilot cleanup`. ecs-pilot writes three kinds of state outside its own stack:
 * - `ecs-pilot.*` custom attributes on container instances (PutAttributes: idle since, drain start,
 *   drain reason, replacement requested);
 * - instance scale-in protection on the groups' instances (SetInstanceProtection, reconcile loop);
 * - `ecs-pilot:scaled-at`, `ecs-pilot:scaled-by`, `ecs-pilot:min-tasks`, `ecs-pilot:max-tasks` tags on
 *   services it scales (TagResource).
 * Protection is left where the group's capacity provider has managed termination protection ENABLED:
 * ECS then owns it. Nothing else is touched (the ASG's desired capacity, lifecycle hooks, tasks).
 */
import { DescribeAutoScalingGroupsCommand, SetInstanceProtectionCommand } from '@aws-sdk/client-auto-scaling';
import { DeleteAttributesCommand, DescribeCapacityProvidersCommand, DescribeContainerInstancesCommand, DescribeServicesCommand, ListContainerInstancesCommand, ListServicesCommand, UntagResourceCommand } from '@aws-sdk/client-ecs';
import type { ClusterConfig } from '../config/schema.js';
import { SERVICE_TAGS } from '../core/scaling/service-scaling.js';
import { API_LIMITS, chunks } from './batch.js';
import type { Clients } from './clients.js';

export const ATTRIBUTE_PREFIX = 'ecs-pilot.';
const TAG_KEYS = new Set<string>(Object.values(SERVICE_TAGS));
/** ECS API Reference: DescribeServices takes up to 10 services, DeleteAttributes up to 10 attributes, UntagResource up to 50 keys, ListServices 100 a page. */
const LIMITS = { describeServices: 10, deleteAttributes: 10, untagKeys: 50, listServices: 100 } as const;

export interface Leftovers {
  cluster: string;
  attributes: Array<{ containerInstanceArn: string; ec2InstanceId: string; name: string; value: string }>;
  protection: Array<{ group: string; asg: string; instanceId: string }>;
  /** Protected instances left alone, with why. */
  kept: Array<{ group: string; asg: string; instanceIds: string[]; reason: string }>;
  serviceTags: Array<{ service: string; serviceArn: string; keys: string[] }>;
}

async function containerInstanceAttributes(clients: Clients, cluster: string): Promise<Leftovers['attributes']> {
  const arns: string[] = [];
  let token: string | undefined;
  do {
    const page = await clients.ecs.send(new ListContainerInstancesCommand({ cluster, nextToken: token, maxResults: 100 }));
    arns.push(...(page.containerInstanceArns ?? []));
    token = page.nextToken;
  } while (token);
  const out: Leftovers['attributes'] = [];
  for (const batch of chunks(arns, API_LIMITS.describe)) {
    const described = await clients.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: batch }));
    for (const ci of described.containerInstances ?? []) {
      for (const a of ci.attributes ?? []) {
        if (a.name?.startsWith(ATTRIBUTE_PREFIX) && ci.containerInstanceArn) out.push({ containerInstanceArn: ci.containerInstanceArn, ec2InstanceId: ci.ec2InstanceId ?? '?', name: a.name, value: a.value ?? '' });
      }
    }
  }
  return out;
}

/** Capacity providers (the config's group names) whose managed termination protection is on. */
async function managedProtection(clients: Clients, names: string[]): Promise<Set<string>> {
  const on = new Set<string>();
  for (const batch of chunks(names, API_LIMITS.describe)) {
    const out = await clients.ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: batch }));
    for (const p of out.capacityProviders ?? []) if (p.name && p.autoScalingGroupProvider?.managedTerminationProtection === 'ENABLED') on.add(p.name);
  }
  return on;
}

async function protectedInstances(clients: Clients, cluster: ClusterConfig): Promise<Pick<Leftovers, 'protection' | 'kept'>> {
  const byAsg = new Map(cluster.groups.map((g) => [g.asg, g.name]));
  const managed = await managedProtection(clients, cluster.groups.map((g) => g.name));
  const protection: Leftovers['protection'] = [];
  const kept: Leftovers['kept'] = [];
  let token: string | undefined;
  do {
    const page = await clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [...byAsg.keys()], NextToken: token }));
    for (const asg of page.AutoScalingGroups ?? []) {
      const group = asg.AutoScalingGroupName ? byAsg.get(asg.AutoScalingGroupName) : undefined;
      if (!group || !asg.AutoScalingGroupName) continue;
      const ids = (asg.Instances ?? []).filter((i) => i.ProtectedFromScaleIn && i.InstanceId).map((i) => i.InstanceId as string);
      if (ids.length === 0) continue;
      if (managed.has(group)) kept.push({ group, asg: asg.AutoScalingGroupName, instanceIds: ids, reason: `capacity provider ${group} has managed termination protection on: ECS manages it` });
      else for (const instanceId of ids) protection.push({ group, asg: asg.AutoScalingGroupName, instanceId });
    }
    token = page.NextToken;
  } while (token);
  return { protection, kept };
}

async function serviceTags(clients: Clients, cluster: string): Promise<Leftovers['serviceTags']> {
  const arns: string[] = [];
  let token: string | undefined;
  do {
    const page = await clients.ecs.send(new ListServicesCommand({ cluster, nextToken: token, maxResults: LIMITS.listServices }));
    arns.push(...(page?.serviceArns ?? []));
    token = page?.nextToken;
  } while (token);
  const out: Leftovers['serviceTags'] = [];
  for (const batch of chunks(arns, LIMITS.describeServices)) {
    const described = await clients.ecs.send(new DescribeServicesCommand({ cluster, services: batch, include: ['TAGS'] }));
    for (const s of described.services ?? []) {
      const keys = (s.tags ?? []).map((t) => t.key ?? '').filter((k) => TAG_KEYS.has(k));
      if (keys.length > 0 && s.serviceArn) out.push({ service: s.serviceName ?? s.serviceArn, serviceArn: s.serviceArn, keys });
    }
  }
  return out;
}

/** Reads what ecs-pilot left in one configured cluster (read-only). */
export async function findLeftovers(clients: Clients, cluster: ClusterConfig): Promise<Leftovers> {
  const attributes = await containerInstanceAttributes(clients, cluster.name);
  const { protection, kept } = await protectedInstances(clients, cluster);
  const tags = await serviceTags(clients, cluster.name);
  return { cluster: cluster.name, attributes, protection, kept, serviceTags: tags };
}

export interface CleanupReport {
  calls: number;
  failures: Array<{ what: string; error: string }>;
}

const errorText = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/** Removes what `findLeftovers` found; each batch on its own, so one failure does not stop the rest. */
export async function removeLeftovers(clients: Clients, found: Leftovers): Promise<CleanupReport> {
  const report: CleanupReport = { calls: 0, failures: [] };
  const attempt = async (what: string, call: () => Promise<unknown>): Promise<void> => {
    report.calls += 1;
    try {
      await call();
    } catch (e) {
      report.failures.push({ what, error: errorText(e) });
    }
  };
  for (const batch of chunks(found.attributes, LIMITS.deleteAttributes)) {
    const attributes = batch.map((a) => ({ name: a.name, targetType: 'container-instance' as const, targetId: a.containerInstanceArn }));
    await attempt(`DeleteAttributes on ${batch.length} attribute(s)`, () => clients.ecs.send(new DeleteAttributesCommand({ cluster: found.cluster, attributes })));
  }
  const byAsg = new Map<string, string[]>();
  for (const p of found.protection) byAsg.set(p.asg, [...(byAsg.get(p.asg) ?? []), p.instanceId]);
  for (const [asg, ids] of byAsg) {
    for (const batch of chunks(ids, API_LIMITS.setInstanceProtection)) {
      await attempt(`SetInstanceProtection off in ${asg} for ${batch.join(', ')}`, () => clients.autoscaling.send(new SetInstanceProtectionCommand({ AutoScalingGroupName: asg, InstanceIds: batch, ProtectedFromScaleIn: false })));
    }
  }
  for (const s of found.serviceTags) {
    for (const keys of chunks(s.keys, LIMITS.untagKeys)) {
      await attempt(`UntagResource on service ${s.service}`, () => clients.ecs.send(new UntagResourceCommand({ resourceArn: s.serviceArn, tagKeys: keys })));
    }
  }
  return report;
}
