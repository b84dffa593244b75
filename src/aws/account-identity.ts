/**
 * Which account and Region the operator's credentials reach, as the CLI says them before it reads:
 * the account from the clusters' ARNs (`arn:aws:ecs:<region>:<account>:cluster/<name>`, so no STS
 * call and no extra permission beyond ecs:DescribeClusters), the Region from the SDK's own chain.
 */
import { DescribeClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import { parse } from '@aws-sdk/util-arn-parser';
import type { Clients } from './clients.js';

export interface ClusterIdentity {
  /** The account of the first cluster found; undefined when none was found or the read was refused. */
  account: string | undefined;
  /** Clusters ECS reports MISSING or INACTIVE in this account and Region. */
  missing: string[];
  /** Why the read failed (the AWS error), when it did. */
  error?: string;
}

/** DescribeClusters (100 names per call): the account the clusters live in, and those that are not there. */
export async function clusterIdentity(clients: Pick<Clients, 'ecs'>, clusters: string[]): Promise<ClusterIdentity> {
  let account: string | undefined;
  const missing: string[] = [];
  try {
    for (let i = 0; i < clusters.length; i += 100) {
      const names = clusters.slice(i, i + 100);
      const out = await clients.ecs.send(new DescribeClustersCommand({ clusters: names }));
      const active = (out.clusters ?? []).filter((c) => c.status !== 'INACTIVE');
      for (const c of active) account ??= c.clusterArn ? parse(c.clusterArn).accountId : undefined;
      const found = new Set(active.map((c) => c.clusterName));
      missing.push(...names.filter((n) => !found.has(n)));
    }
    return { account, missing };
  } catch (e) {
    return { account, missing, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

/** The Region the SDK resolves without one given (AWS_REGION, then the profile's `region`); undefined when none. */
export async function sdkDefaultRegion(): Promise<string | undefined> {
  try {
    return await new ECSClient({}).config.region();
  } catch {
    return undefined;
  }
}
