import { performance } from 'node:perf_hooks';
import { composeDemand } from '../core/capacity/demand.js';
import { plan, type CapacityPlan } from '../core/capacity/index.js';
import type { Snapshot } from '../core/model.js';
import { existsSync } from 'node:fs';
import { configForSnapshot, loadConfigFile } from '../config/load.js';
import { consolidationMoves } from '../core/rebalance/consolidate.js';
import { capacityUnit } from './changes.js';
import { loadSnapshot } from './io.js';
import { shortId, table } from './table.js';
import { isFargate } from '../core/capacity/providers.js';

export interface PlanCommandOptions {
  json?: boolean;
  consolidate?: boolean;
  /** Controller config path; its cluster's consolidation settings are used when it names the snapshot's cluster. */
  config?: string;
}

export interface ConsolidationReport {
  cluster: string;
  skipped: string | undefined;
  moves: Array<{ instance: string; ec2InstanceId: string; group: string; type: string; utilisation: number; reason: string; savingPerHour: number; placements: Array<{ task: string; instance: string }> }>;
  savingPerHour: number;
}

/** What consolidation would drain now, with the snapshot's own clock; enabled even if the config has it off. */
export function consolidationReport(snapshot: Snapshot, configPath: string | undefined): ConsolidationReport {
  const loaded = configPath && existsSync(configPath) ? loadConfigFile(configPath) : undefined;
  const cluster = loaded?.clusters.find((c) => c.name === snapshot.cluster) ?? configForSnapshot(snapshot).clusters[0]!;
  const { moves, skipped } = consolidationMoves(snapshot, { ...cluster, consolidation: { ...cluster.consolidation, enabled: true } }, new Date(snapshot.takenAt));
  const price = (group: string, type: string): number =>
    snapshot.groups.find((g) => g.name === group)?.instanceTypes.find((t) => t.type === type)?.pricePerHour ?? snapshot.instanceTypes[type]?.pricePerHour ?? 0;
  const out = moves.map((m) => ({
    instance: m.instance.id,
    ec2InstanceId: m.instance.ec2InstanceId,
    group: m.instance.group,
    type: m.instance.type,
    utilisation: Math.round(m.utilisation * 1000) / 1000,
    reason: m.reason,
    savingPerHour: price(m.instance.group, m.instance.type),
    placements: m.placements,
  }));
  return { cluster: snapshot.cluster, skipped, moves: out, savingPerHour: Math.round(out.reduce((a, m) => a + m.savingPerHour, 0) * 1000) / 1000 };
}

export function renderConsolidation(snapshot: Snapshot, r: ConsolidationReport): string {
  const ec2 = new Map(snapshot.instances.map((i) => [i.id, i.ec2InstanceId]));
  const lines = [`Consolidation of cluster ${r.cluster}:`];
  if (r.moves.length === 0) lines.push(`  nothing to drain${r.skipped ? ` (${r.skipped})` : ''}`);
  for (const m of r.moves) {
    const targets = [...new Set(m.placements.map((p) => ec2.get(p.instance) ?? p.instance))];
    lines.push(`  drain ${m.ec2InstanceId} (${m.group}, ${m.type}, ${Math.round(m.utilisation * 100)} % used): ${m.reason}; its tasks go to ${targets.join(', ')}; saves $${m.savingPerHour.toFixed(3)}/h`);
  }
  if (r.moves.length > 0) lines.push(`  saving: $${r.savingPerHour.toFixed(3)}/h once drained and terminated${r.skipped ? ` (${r.skipped})` : ''}`);
  return lines.join('\n');
}

/** The plan with its timing, as `ecs-pilot plan --json` prints it; each group says what its counts count. */
export type PlanReport = Omit<CapacityPlan, 'groups'> & {
  cluster: string;
  groups: Array<CapacityPlan['groups'][number] & { unit: string }>;
  /** pendingTasks: waiting in the snapshot; displacedTasks: on draining instances, needing a new home (the controller plans both). */
  stats: { planMs: number; pendingTasks: number; displacedTasks: number };
  /** Settings taken from the controller config, which the controller would use for this cluster. */
  settings?: { config: string; changed: string[] };
};

export function planReport(snapshot: Snapshot, settings?: PlanReport['settings']): PlanReport {
  const started = performance.now();
  // As the capacity function and the reconcile loop plan: services' missing tasks and tasks on draining instances count as waiting.
  const { snapshot: demand, counts } = composeDemand(snapshot);
  const result = plan(demand);
  const planMs = Math.round((performance.now() - started) * 100) / 100;
  const unit = new Map(snapshot.groups.map((g) => [g.name, capacityUnit(g)]));
  const stats = { planMs, pendingTasks: counts.waiting + counts.missing, displacedTasks: counts.displaced };
  return { cluster: snapshot.cluster, ...result, groups: result.groups.map((g) => ({ ...g, unit: unit.get(g.name) ?? 'instances' })), stats, ...(settings ? { settings } : {}) };
}

/**
 * The snapshot as the controller would plan it: when the config names the cluster, its groups'
 * `targetCapacityPercent` replaces the snapshot's (the controller reads it from the config).
 */
export function withConfig(snapshot: Snapshot, configPath: string | undefined): { snapshot: Snapshot; settings?: PlanReport['settings'] } {
  if (!configPath || !existsSync(configPath)) return { snapshot };
  const cluster = loadConfigFile(configPath).clusters.find((c) => c.name === snapshot.cluster);
  if (!cluster) return { snapshot };
  const changed: string[] = [];
  const groups = snapshot.groups.map((g) => {
    const configured = cluster.groups.find((c) => c.name === g.name);
    if (!configured || configured.targetCapacityPercent === g.targetCapacityPercent) return g;
    changed.push(`${g.name}: targetCapacityPercent ${g.targetCapacityPercent} → ${configured.targetCapacityPercent}`);
    return { ...g, targetCapacityPercent: configured.targetCapacityPercent };
  });
  return { snapshot: { ...snapshot, groups }, settings: { config: configPath, changed } };
}

export function renderPlan(snapshot: Snapshot, report: PlanReport): string {
  const ec2Id = new Map(snapshot.instances.map((i) => [i.id, i.ec2InstanceId]));
  const lifecycle = new Map(snapshot.groups.map((g) => [g.name, g.lifecycle]));
  const out: string[] = [];
  out.push(
    `Cluster ${snapshot.cluster} (snapshot of ${snapshot.takenAt}): ${snapshot.pending.length} waiting tasks${report.stats.displacedTasks > 0 ? ` and ${report.stats.displacedTasks} on draining instances (${snapshot.pending.length + report.stats.displacedTasks} to place, as the controller counts them)` : ''}, planned in ${report.stats.planMs} ms`,
  );
  if (report.settings) out.push(`Settings from ${report.settings.config} (cluster ${snapshot.cluster})${report.settings.changed.length > 0 ? `: ${report.settings.changed.join('; ')}` : ': same as the snapshot'}`);
  out.push('');
  out.push(
    table(
      ['GROUP', 'LIFECYCLE', 'CURRENT', 'DESIRED', 'COUNTED IN', 'NEW INSTANCES', 'LOWER BOUND', 'ECS MANAGED STEP'],
      report.groups.map((g) => [
        g.name,
        lifecycle.get(g.name) ?? '',
        String(g.current),
        g.desired === g.current ? String(g.desired) : `${g.desired} (${g.desired > g.current ? '+' : ''}${g.desired - g.current})`,
        g.unit,
        g.newInstances.map((n) => `${n.count} × ${n.type}`).join(', ') || '-',
        String(g.lowerBound),
        String(g.ecsManagedEstimate),
      ]),
    ),
  );
  const where = { existing: 0, launching: 0, new: 0 };
  for (const p of report.placements) {
    if (p.instance.startsWith('new:')) where.new++;
    else if (p.instance.startsWith('launching:')) where.launching++;
    else where.existing++;
  }
  out.push('', `Placed ${report.placements.length}: ${where.existing} on running instances, ${where.launching} on launching ones, ${where.new} on new ones.`);
  if (report.unplaceable.length > 0) {
    out.push('', `Cannot place ${report.unplaceable.length}:`);
    const byReason = new Map<string, string[]>();
    for (const u of report.unplaceable) byReason.set(u.reason, [...(byReason.get(u.reason) ?? []), shortId(u.task)]);
    for (const [reason, tasks] of byReason) {
      const names = tasks.length > 3 ? `${tasks.slice(0, 3).join(', ')} and ${tasks.length - 3} more` : tasks.join(', ');
      out.push(`  ${names}: ${reason}`);
    }
  }
  const idle = report.groups.filter((g) => g.scaleInCandidates.length > 0);
  if (idle.length > 0) {
    out.push('', 'Scale-in candidates (ACTIVE, unprotected, no non-daemon task):');
    for (const g of idle) out.push(`  ${g.name}: ${g.scaleInCandidates.map((id) => ec2Id.get(id) ?? id).join(', ')}`);
  }
  return out.join('\n');
}

/**
 * Waiting tasks that name a capacity provider the snapshot has no group for (Fargate's aside): ECS
 * would never place them on these groups, and a typo in a provider's name looks exactly like this.
 */
export function unknownProviders(snapshot: Snapshot): Array<{ path: string; task: string; provider: string }> {
  const groups = new Set(snapshot.groups.map((g) => g.name));
  return snapshot.pending.flatMap((t, i) =>
    t.capacityProvider !== undefined && !groups.has(t.capacityProvider) && !isFargate({ capacityProviders: [t.capacityProvider] }) ? [{ path: `$.pending[${i}].capacityProvider`, task: t.id, provider: t.capacityProvider }] : [],
  );
}

/** Prints the plan; returns 1 (with the error on `err`) when waiting tasks name a capacity provider the snapshot lacks. */
export function runPlanCommand(file: string, options: PlanCommandOptions, write: (text: string) => void, err: (text: string) => void = () => {}): number {
  const { snapshot, settings } = withConfig(loadSnapshot(file), options.config);
  const report = planReport(snapshot, settings);
  if (!options.consolidate) write(options.json ? JSON.stringify(report, null, 2) : renderPlan(snapshot, report));
  else {
    const consolidation = consolidationReport(snapshot, options.config);
    write(options.json ? JSON.stringify({ ...report, consolidation }, null, 2) : `${renderPlan(snapshot, report)}\n\n${renderConsolidation(snapshot, consolidation)}`);
  }
  const unknown = unknownProviders(snapshot);
  if (unknown.length === 0) return 0;
  const names = [...new Set(unknown.map((u) => `"${u.provider}"`))].join(', ');
  err(`ecs-pilot: ${file}: ${unknown.length} waiting task(s) name capacity provider ${names}, which is no group of the snapshot (groups: ${snapshot.groups.map((g) => g.name).join(', ')}): they are never placed — a misspelt provider, or a group missing from the snapshot`);
  for (const u of unknown.slice(0, 5)) err(`  ${u.path}: "${u.provider}" (task ${u.task})`);
  if (unknown.length > 5) err(`  and ${unknown.length - 5} more`);
  return 1;
}
