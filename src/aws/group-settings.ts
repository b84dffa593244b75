/**
 * Reads the settings src/core/conflicts.ts checks: each group's capacity provider (managedDraining,
 * DescribeCapacityProviders, one call per 100), its ASG (CapacityRebalance, DescribeAutoScalingGroups)
 * and its scaling policies (DescribePolicies per ASG, paginated). Cached per warm container for a few
 * minutes: settings change rarely and every duty that depends on them would read them again.
 */
import { DescribeAutoScalingGroupsCommand, DescribePoliciesCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeCapacityProvidersCommand } from '@aws-sdk/client-ecs';
import type { ClusterConfig } from '../config/schema.js';
import type { GroupSettings } from '../core/conflicts.js';
import { API_LIMITS, chunks } from './batch.js';
import type { Clients } from './clients.js';
import { paginate } from './paginate.js';

const CACHE_MS = 10 * 60_000;
const cache = new Map<string, { at: number; value: Promise<GroupSettings[]> }>();

/** Forgets cached settings (tests). */
export function clearGroupSettingsCache(): void {
  cache.clear();
}

async function read(clients: Clients, cluster: Pick<ClusterConfig, 'name' | 'groups'>): Promise<GroupSettings[]> {
  const names = cluster.groups.map((g) => g.name);
  const draining = new Map<string, string | undefined>();
  for (const batch of chunks(names, API_LIMITS.describe)) {
    const out = await clients.ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: batch }));
    for (const p of out.capacityProviders ?? []) if (p.name) draining.set(p.name, p.autoScalingGroupProvider?.managedDraining);
  }
  const rebalance = new Map<string, boolean>();
  for (const batch of chunks(cluster.groups.map((g) => g.asg), API_LIMITS.describe)) {
    const groups = await paginate(async (NextToken) => {
      const page = await clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: batch, MaxRecords: 100, ...(NextToken ? { NextToken } : {}) }));
      return [page.AutoScalingGroups, page.NextToken] as const;
    });
    for (const g of groups) if (g.AutoScalingGroupName) rebalance.set(g.AutoScalingGroupName, g.CapacityRebalance === true);
  }
  const out: GroupSettings[] = [];
  for (const g of cluster.groups) {
    const policies = await paginate(async (NextToken) => {
      const page = await clients.autoscaling.send(new DescribePoliciesCommand({ AutoScalingGroupName: g.asg, MaxRecords: 100, ...(NextToken ? { NextToken } : {}) }));
      return [page.ScalingPolicies, page.NextToken] as const;
    });
    out.push({
      group: g.name,
      asg: g.asg,
      managedDraining: draining.get(g.name),
      capacityRebalance: rebalance.get(g.asg) ?? false,
      scalingPolicies: policies.map((p) => ({ name: p.PolicyName ?? 'unnamed', enabled: p.Enabled !== false })),
    });
  }
  return out;
}

/** The cluster's group settings, cached for ten minutes per warm container. */
export function readGroupSettings(clients: Clients, cluster: Pick<ClusterConfig, 'name' | 'groups'>, now: Date): Promise<GroupSettings[]> {
  const key = `${cluster.name}:${cluster.groups.map((g) => `${g.name}=${g.asg}`).join(',')}`;
  const hit = cache.get(key);
  if (hit && now.getTime() - hit.at < CACHE_MS) return hit.value;
  const value = read(clients, cluster);
  cache.set(key, { at: now.getTime(), value });
  value.catch(() => cache.delete(key));
  return value;
}
