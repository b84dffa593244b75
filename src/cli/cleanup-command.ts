/**
 * `ecs-pilot cleanup [--cluster <name>] [--apply]`: what ecs-pilot left in the account (docs/upgrade.md)
 * — `ecs-pilot.*` container-instance attributes, instance scale-in protection, its service tags —
 * listed (default, read-only) or removed (`--apply`). Run it after removing the stack.
 */
import { existsSync } from 'node:fs';
import { awsClients, type Clients } from '../aws/clients.js';
import { findLeftovers, removeLeftovers, type CleanupReport, type Leftovers } from '../aws/leftovers.js';
import { loadConfigFile } from '../config/load.js';
import { CliError, EXIT } from './errors.js';
import { configContext, contextNotes, inContext } from './aws-context.js';

export interface CleanupOptions {
  config: string;
  configGiven?: boolean;
  cluster?: string;
  apply?: boolean;
  region?: string;
  json?: boolean;
}

export interface CleanupResult {
  dryRun: boolean;
  /** What it used and whence (cluster, region, account). */
  notes: string[];
  clusters: Leftovers[];
  applied?: CleanupReport;
}

export async function cleanup(options: CleanupOptions, clientsFor: (region?: string) => Clients = awsClients): Promise<CleanupResult> {
  if (!existsSync(options.config)) throw new CliError(`cleanup needs the config that names the clusters and groups (${options.config} not found; --config <file>)`, EXIT.rejected);
  const config = loadConfigFile(options.config);
  const clusters = options.cluster ? config.clusters.filter((c) => c.name === options.cluster) : config.clusters;
  if (clusters.length === 0) throw new CliError(`cluster "${options.cluster}" is not in ${options.config} (configured: ${config.clusters.map((c) => c.name).join(', ')})`, EXIT.rejected);
  const clients = clientsFor(options.region ?? config.region);
  const context = await configContext(clients, { clusters, region: config.region }, { ...options, configGiven: options.configGiven === true });
  const notes = contextNotes(context);
  return inContext(context, async () => {
    const found: Leftovers[] = [];
    for (const c of clusters) found.push(await findLeftovers(clients, c));
    if (!options.apply) return { dryRun: true, notes, clusters: found };
    const applied: CleanupReport = { calls: 0, failures: [] };
    for (const f of found) {
      const r = await removeLeftovers(clients, f);
      applied.calls += r.calls;
      applied.failures.push(...r.failures);
    }
    return { dryRun: false, notes, clusters: found, applied };
  });
}

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

export function renderCleanup(result: CleanupResult): string {
  const out: string[] = result.notes.map((n) => `note: ${n}`);
  for (const c of result.clusters) {
    out.push(`Cluster ${c.cluster}:`);
    const instances = new Set(c.attributes.map((a) => a.ec2InstanceId));
    out.push(`  ${plural(c.attributes.length, 'ecs-pilot.* attribute')} on ${plural(instances.size, 'container instance')}`);
    for (const a of c.attributes) out.push(`    ${a.ec2InstanceId}: ${a.name}=${a.value}`);
    out.push(`  scale-in protection on ${plural(c.protection.length, 'instance')}`);
    for (const p of c.protection) out.push(`    ${p.instanceId} (${p.group}, ${p.asg})`);
    for (const k of c.kept) out.push(`  left protected: ${k.instanceIds.join(', ')} (${k.reason})`);
    out.push(`  ecs-pilot tags on ${plural(c.serviceTags.length, 'service')}`);
    for (const s of c.serviceTags) out.push(`    ${s.service}: ${s.keys.join(', ')}`);
  }
  const total = result.clusters.reduce((a, c) => a + c.attributes.length + c.protection.length + c.serviceTags.length, 0);
  if (result.dryRun) out.push('', total === 0 ? 'Nothing to clean up.' : 'Dry run: nothing changed. Run again with --apply to remove these (after removing the stack, or ecs-pilot writes them again).');
  else if (result.applied) {
    out.push('', `Removed with ${plural(result.applied.calls, 'call')}${result.applied.failures.length > 0 ? `; ${plural(result.applied.failures.length, 'failure')}:` : '.'}`);
    for (const f of result.applied.failures) out.push(`  ${f.what}: ${f.error}`);
  }
  return out.join('\n');
}

/** Exit 1 when a removal failed. */
export const cleanupExitCode = (result: CleanupResult): number => ((result.applied?.failures.length ?? 0) > 0 ? EXIT.rejected : EXIT.ok);
