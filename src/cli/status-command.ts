/**
 * `ecs-pilot status [--aws] [--json]`: what ecs-pilot sees, per cluster and capacity provider
 * (docs/operations.md): the mode, desired / in service / launching capacity in the group's units,
 * waiting tasks, protected, idle and draining instances, the conflicting settings, and the DLQ depth.
 * Read-only. Without --aws it reads the simulated demo cluster through the same readers.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { readQueueDepth } from '../aws/account-checks.js';
import { CLIENT_OPTIONS, type Clients } from '../aws/clients.js';
import { readGroupSettings } from '../aws/group-settings.js';
import { readClusterSnapshot } from '../aws/snapshot-reader.js';
import { composeDemand } from '../core/capacity/demand.js';
import { isUnavailable } from '../core/capacity/unavailable.js';
import type { ClusterConfig } from '../config/schema.js';
import { findConflicts } from '../core/conflicts.js';
import { weightOf, type Snapshot } from '../core/model.js';
import { accountFor, type AccountOptions } from './doctor-command.js';
import { configContext, contextNotes, inContext, stageOrigin } from './aws-context.js';
import { wrap } from './replay-command.js';

export interface StatusOptions extends AccountOptions {
  /** The DLQ's URL or name; default the stack's `ecs-pilot-<stage>-dlq` (serverless.yml). */
  dlq?: string;
  stage?: string;
}

export interface ProviderStatus {
  name: string;
  asg: string;
  mode: 'own' | 'accelerate' | 'unknown';
  /** What desired / inService / launching count: instances, or the ASG's weighted capacity units. */
  units: 'instances' | 'weighted units';
  desired: number;
  inService: number;
  launching: number;
  waitingTasks: number;
  instances: { total: number; protected: number; idle: number; draining: number };
  /** The group failed to launch: why, until when (docs/capacity-shortage.md); absent when it launches. */
  unavailable?: { until: string; class: string; activityId?: string; reason: string; attempts: number; state: 'unavailable' | 'probing' | 'recovering' };
  /** `onDemandFallback` groups: the on-demand base now, and before ecs-pilot raised it. */
  onDemandBase?: { base: number; raisedFrom?: number };
}

export interface ClusterStatus {
  cluster: string;
  providers: ProviderStatus[];
  /** Waiting tasks that name no provider of the config (the cluster's default strategy). */
  waitingElsewhere: number;
  conflicts: Array<{ group: string; setting: string; message: string }>;
}

export interface StatusResult {
  simulated: boolean;
  clusters: ClusterStatus[];
  dlq: { queue: string; messages: number } | { queue: string; error: string } | { note: string };
  notes: string[];
}

const LEAVING = /^Terminating|^Terminated|^Detach/;

/** A group's shortage mark as status shows it: still unavailable, expired (the next launch probes), or recovering. */
function shortageOf(g: Snapshot['groups'][number], now: Date): ProviderStatus['unavailable'] {
  const m = g.unavailable;
  if (!m) return undefined;
  const state = m.recovered !== undefined ? 'recovering' : isUnavailable(g, now) ? 'unavailable' : 'probing';
  return { until: m.until, class: m.class, ...(m.activityId ? { activityId: m.activityId } : {}), reason: m.reason, attempts: m.attempts, state };
}

/** The figures for one cluster's snapshot (pure). */
export function clusterStatus(snapshot: Snapshot, conflicts: ClusterStatus['conflicts']): ClusterStatus {
  const providers = snapshot.groups.map((g): ProviderStatus => {
    const mine = snapshot.instances.filter((i) => i.group === g.name && i.status !== 'INACTIVE');
    const serving = mine.filter((i) => (i.status === 'ACTIVE' || i.status === 'DRAINING') && !LEAVING.test(i.lifecycleState ?? 'InService'));
    return {
      name: g.name,
      asg: g.asg,
      mode: g.mode ?? 'unknown',
      units: g.instanceTypes.some((t) => t.weight !== 1) ? 'weighted units' : 'instances',
      desired: g.desired,
      inService: serving.reduce((n, i) => n + weightOf(g, i.type), 0),
      launching: g.launching.reduce((n, l) => n + weightOf(g, l.type) * l.count, 0),
      waitingTasks: snapshot.pending.filter((t) => t.capacityProvider === g.name).length,
      instances: {
        total: mine.length,
        protected: mine.filter((i) => i.protected).length,
        idle: mine.filter((i) => i.status === 'ACTIVE' && i.tasks.every((t) => t.daemon)).length,
        draining: mine.filter((i) => i.status === 'DRAINING').length,
      },
      ...(g.unavailable ? { unavailable: shortageOf(g, new Date(snapshot.takenAt)) } : {}),
      ...(g.onDemandFallback ? { onDemandBase: { base: g.onDemandFallback.base, ...(g.onDemandFallback.raisedFrom !== undefined ? { raisedFrom: g.onDemandFallback.raisedFrom } : {}) } } : {}),
    };
  });
  const names = new Set(snapshot.groups.map((g) => g.name));
  return { cluster: snapshot.cluster, providers, waitingElsewhere: snapshot.pending.filter((t) => !t.capacityProvider || !names.has(t.capacityProvider)).length, conflicts };
}

export async function status(options: StatusOptions, clientsFor?: (region?: string) => Clients, sqsFor: (region?: string) => Pick<SQSClient, 'send'> = (region) => new SQSClient({ ...CLIENT_OPTIONS, ...(region ? { region } : {}) })): Promise<StatusResult> {
  const { config, clients, simulated, notes } = accountFor(options, clientsFor);
  const stage = stageOrigin(options.stage);
  const context = simulated ? undefined : await configContext(clients, config, options, options.dlq ? undefined : stage);
  if (context) notes.push(...contextNotes(context));
  const read = async (): Promise<ClusterStatus[]> => {
    const now = new Date();
    const clusters: ClusterStatus[] = [];
    for (const cluster of config.clusters as ClusterConfig[]) {
      const snapshot = composeDemand(await readClusterSnapshot({ clients, cluster, now }), { draining: false }).snapshot;
      const conflicts = findConflicts(cluster, await readGroupSettings(clients, cluster, now));
      clusters.push(clusterStatus(snapshot, conflicts));
    }
    return clusters;
  };
  const clusters = context ? await inContext(context, read) : await read();
  let dlq: StatusResult['dlq'];
  if (simulated) dlq = { note: 'not read: the simulated cluster has no queue (--aws reads it)' };
  else {
    const queue = options.dlq ?? `ecs-pilot-${stage.value}-dlq`;
    const depth = await readQueueDepth(sqsFor(options.region ?? config.region), queue);
    dlq = depth.ok ? { queue: depth.value.url, messages: depth.value.messages } : { queue, error: `${depth.error}${options.dlq ? '' : ` (stage ${stage.value}, ${stage.from}; region ${context?.region.value ?? 'none'}, ${context?.region.from})`}` };
  }
  return { simulated, clusters, dlq, notes };
}

/** `width`: the terminal's; long lines wrap to it at spaces (never cut). */
export function renderStatus(result: StatusResult, width?: number): string {
  const out: string[] = result.notes.map((n) => `note: ${n}`);
  for (const c of result.clusters) {
    out.push('', `Cluster ${c.cluster}:`);
    for (const p of c.providers) {
      out.push(`  ${p.name} (ASG ${p.asg}), mode ${p.mode}`);
      out.push(`    capacity (${p.units}): desired ${p.desired}, in service ${p.inService}, launching ${p.launching}`);
      out.push(`    waiting tasks: ${p.waitingTasks}`);
      out.push(`    instances: ${p.instances.total} (${p.instances.protected} protected, ${p.instances.idle} idle, ${p.instances.draining} draining)`);
      const u = p.unavailable;
      if (u) {
        const when = u.state === 'unavailable' ? `UNAVAILABLE until ${u.until}` : u.state === 'probing' ? `mark expired at ${u.until}: the next launch probes spot` : 'launches again: capacity that fell back returns';
        out.push(`    launches: ${when} (${u.class}${u.activityId ? `, activity ${u.activityId}` : ''}, failure ${u.attempts} in a row)${u.reason ? `: ${u.reason}` : ''}`);
      }
      if (p.onDemandBase) out.push(`    on-demand base: ${p.onDemandBase.base}${p.onDemandBase.raisedFrom !== undefined && p.onDemandBase.raisedFrom !== p.onDemandBase.base ? ` (raised by ecs-pilot from ${p.onDemandBase.raisedFrom})` : ''}`);
    }
    if (c.waitingElsewhere > 0) out.push(`  waiting tasks naming no configured provider: ${c.waitingElsewhere}`);
    out.push(c.conflicts.length === 0 ? '  conflicts: none' : '  conflicts:');
    for (const k of c.conflicts) out.push(`    - ${k.message}`);
  }
  const d = result.dlq;
  out.push('');
  out.push('messages' in d ? `DLQ ${d.queue}: ${d.messages} message(s)${d.messages > 0 ? ' — replay them after the fix: ecs-pilot replay (docs/replay.md)' : ''}` : 'error' in d ? `DLQ ${d.queue}: could not read (${d.error}); pass --dlq <url|name> or --stage` : `DLQ: ${d.note}`);
  return out.map((line) => wrap(line, width)).join('\n');
}

export function statusJson(result: StatusResult): string {
  return JSON.stringify(result, null, 2);
}

/** 0, or 1 when the DLQ could not be read (the rest was). */
export function statusExitCode(result: StatusResult): number {
  return 'error' in result.dlq ? 1 : 0;
}
