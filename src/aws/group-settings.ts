/**
 * Reads the settings src/core/conflicts.ts checks: each group's capacity provider (managedDraining,
 * DescribeCapacityProviders, one call per 100), its ASG (CapacityRebalance, DescribeAutoScalingGroups)
 * and its scaling policies (DescribePolicies per ASG, paginated) — each only when a duty depends on it.
 * Cached per warm container for a few minutes: settings change rarely and every invocation would read
 * them again.
 */
import { DescribeAutoScalingGroupsCommand, DescribePoliciesCommand } from '@aws-sdk/client-auto-scaling';
import type { ClusterConfig } from '../config/schema.js';
import type { ConflictSetting, GroupSettings } from '../core/conflicts.js';
import { API_LIMITS, chunks } from './batch.js';
import { readProviders } from './capacity-providers.js';
import type { Clients } from './clients.js';
import { paginate } from './paginate.js';

/** One cache holds the three kinds of answer; each key names its kind, so each reads back its own type. */
function cached<T>(clients: Clients, key: string, now: Date, read: () => Promise<T>): Promise<T> {
  return clients.caches.groupSettings.get(key, now, read) as Promise<T>;
}

type Cluster = Pick<ClusterConfig, 'name' | 'groups'>;

/** managedDraining from the providers' settings the mode detection reads anyway (one cached read for both). */
async function managedDraining(clients: Clients, cluster: Cluster, now: Date): Promise<Map<string, string | undefined>> {
  const providers = await readProviders(clients, cluster.groups.map((g) => g.name), now);
  return new Map([...providers].map(([name, p]) => [name, p?.managedDraining]));
}

async function capacityRebalance(clients: Clients, cluster: Cluster): Promise<Map<string, boolean>> {
  const out = new Map<string, boolean>();
  for (const batch of chunks(cluster.groups.map((g) => g.asg), API_LIMITS.describe)) {
    const groups = await paginate(async (NextToken) => {
      const page = await clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: batch, MaxRecords: 100, ...(NextToken ? { NextToken } : {}) }));
      return [page.AutoScalingGroups, page.NextToken] as const;
    });
    for (const g of groups) if (g.AutoScalingGroupName) out.set(g.AutoScalingGroupName, g.CapacityRebalance === true);
  }
  return out;
}

async function scalingPolicies(clients: Clients, cluster: Cluster): Promise<Map<string, GroupSettings['scalingPolicies']>> {
  const out = new Map<string, GroupSettings['scalingPolicies']>();
  for (const g of cluster.groups) {
    const policies = await paginate(async (NextToken) => {
      const page = await clients.autoscaling.send(new DescribePoliciesCommand({ AutoScalingGroupName: g.asg, MaxRecords: 100, ...(NextToken ? { NextToken } : {}) }));
      return [page.ScalingPolicies, page.NextToken] as const;
    });
    out.set(
      g.asg,
      policies.map((p) => ({
        name: p.PolicyName ?? 'unnamed',
        enabled: p.Enabled !== false,
        // The target tracking policy ECS managed scaling creates on CapacityProviderReservation (accelerate mode's backstop).
        ecsManaged: p.TargetTrackingConfiguration?.CustomizedMetricSpecification?.MetricName === 'CapacityProviderReservation',
      })),
    );
  }
  return out;
}

/**
 * The cluster's group settings: only those asked for are read (the rest stay at their harmless
 * value), each cached for ten minutes per warm container.
 */
export async function readGroupSettings(clients: Clients, cluster: Cluster, now: Date, needs: readonly ConflictSetting[] = ['managedDraining', 'capacityRebalance', 'scalingPolicies']): Promise<GroupSettings[]> {
  const key = (what: string) => `${what}:${cluster.name}:${cluster.groups.map((g) => `${g.name}=${g.asg}`).join(',')}`;
  const draining = needs.includes('managedDraining') ? await cached(clients, key('draining'), now, () => managedDraining(clients, cluster, now)) : new Map<string, string | undefined>();
  const rebalance = needs.includes('capacityRebalance') ? await cached(clients, key('rebalance'), now, () => capacityRebalance(clients, cluster)) : new Map<string, boolean>();
  const policies = needs.includes('scalingPolicies') ? await cached(clients, key('policies'), now, () => scalingPolicies(clients, cluster)) : new Map<string, GroupSettings['scalingPolicies']>();
  return cluster.groups.map((g) => ({ group: g.name, asg: g.asg, managedDraining: draining.get(g.name), capacityRebalance: rebalance.get(g.asg) ?? false, scalingPolicies: policies.get(g.asg) ?? [] }));
}
