/**
 * `ecs-pilot snapshot --cluster <name>`: reads a real cluster (read-only) into snapshot v1. Groups come
 * from the config, or else from the cluster's capacity providers (their Auto Scaling groups).
 */
import { isFargate } from '../core/capacity/providers.js';
import { writeFileSync } from 'node:fs';
import { DescribeCapacityProvidersCommand, DescribeClustersCommand } from '@aws-sdk/client-ecs';
import { asgNameOf } from '../aws/arn.js';
import { awsClients, type Clients } from '../aws/clients.js';
import { readGroupSettings } from '../aws/group-settings.js';
import { readClusterSnapshot } from '../aws/snapshot-reader.js';
import { findConflicts } from '../core/conflicts.js';
import { loadConfigFile, parseConfig } from '../config/load.js';
import type { ClusterConfig } from '../config/schema.js';
import { existsSync } from 'node:fs';
import { CliError, EXIT } from './errors.js';
import { awsContext, configOrigin, contextNotes, inContext, regionOrigin } from './aws-context.js';

export interface SnapshotOptions {
  cluster: string;
  config: string;
  /** The config path was given (--config), not the default (said in the context line). */
  configGiven?: boolean;
  out?: string;
  region?: string;
}

/** The cluster's EC2 capacity providers and their ASGs, as a cluster config with defaults. */
export async function discoverCluster(clients: Clients, name: string): Promise<ClusterConfig> {
  const described = await clients.ecs.send(new DescribeClustersCommand({ clusters: [name] }));
  const cluster = described.clusters?.[0];
  if (!cluster) throw new CliError(`cluster ${name} not found`, EXIT.rejected);
  const providers = (cluster.capacityProviders ?? []).filter((p) => !isFargate({ capacityProviders: [p] }));
  if (providers.length === 0) throw new CliError(`cluster ${name} has no EC2 capacity providers: name its groups in the config`, EXIT.rejected);
  const out = await clients.ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: providers }));
  const groups = (out.capacityProviders ?? []).flatMap((p) => {
    const arn = p.autoScalingGroupProvider?.autoScalingGroupArn;
    const asg = arn ? asgNameOf(arn) : undefined;
    return p.name && asg ? [{ name: p.name, asg }] : [];
  });
  const config = parseConfig({ clusters: [{ name, groups }] });
  const first = config.clusters[0];
  if (!first) throw new CliError(`cluster ${name}: no groups found`, EXIT.rejected);
  return first;
}

/** `warn`: where the context line goes (stderr: stdout may carry the snapshot itself). */
export async function runSnapshotCommand(options: SnapshotOptions, write: (t: string) => void, clientsFor: (region?: string) => Clients = awsClients, warn: (t: string) => void = () => {}): Promise<void> {
  const config = existsSync(options.config) ? loadConfigFile(options.config) : undefined;
  const clients = clientsFor(options.region ?? config?.region);
  const configured = config?.clusters.find((c) => c.name === options.cluster);
  const context = await awsContext(clients, {
    clusters: { value: [options.cluster], from: '--cluster' },
    region: await regionOrigin(options.region, config?.region, configOrigin(options.config, options.configGiven === true)),
  });
  for (const n of contextNotes(context)) warn(`note: ${n}`);
  warn(`note: groups ${configured ? `from ${configOrigin(options.config, options.configGiven === true)}` : "from the cluster's capacity providers (no config names the cluster)"}`);
  const { snapshot, conflicts } = await inContext(context, async () => {
    const cluster = configured ?? (await discoverCluster(clients, options.cluster));
    const now = new Date();
    const read = await readClusterSnapshot({ clients, cluster, now });
    // AWS settings that fight ecs-pilot travel with the snapshot (and are said when it goes to a file).
    const conflicts = findConflicts(cluster, await readGroupSettings(clients, cluster, now));
    return { snapshot: conflicts.length > 0 ? { ...read, conflicts } : read, conflicts };
  });
  const text = JSON.stringify(snapshot, null, 2);
  if (options.out) {
    writeFileSync(options.out, `${text}\n`);
    write(`wrote ${options.out}: ${snapshot.instances.length} instances, ${snapshot.pending.length} waiting tasks, ${snapshot.groups.length} groups`);
    for (const c of conflicts) write(`warning: ${c.message}`);
  } else write(text);
}
