import { performance } from 'node:perf_hooks';
import { plan, type CapacityPlan } from '../core/capacity/index.js';
import type { Snapshot } from '../core/model.js';
import { loadSnapshot } from './io.js';
import { shortId, table } from './table.js';

export interface PlanCommandOptions {
  json?: boolean;
}

/** The plan with its timing, as `ecs-pilot plan --json` prints it. */
export type PlanReport = CapacityPlan & { cluster: string; stats: { planMs: number; pendingTasks: number } };

export function planReport(snapshot: Snapshot): PlanReport {
  const started = performance.now();
  const result = plan(snapshot);
  const planMs = Math.round((performance.now() - started) * 100) / 100;
  return { cluster: snapshot.cluster, ...result, stats: { planMs, pendingTasks: snapshot.pending.length } };
}

export function renderPlan(snapshot: Snapshot, report: PlanReport): string {
  const ec2Id = new Map(snapshot.instances.map((i) => [i.id, i.ec2InstanceId]));
  const lifecycle = new Map(snapshot.groups.map((g) => [g.name, g.lifecycle]));
  const out: string[] = [];
  out.push(
    `Cluster ${snapshot.cluster} (snapshot of ${snapshot.takenAt}): ${snapshot.pending.length} waiting tasks, planned in ${report.stats.planMs} ms`,
    '',
  );
  out.push(
    table(
      ['GROUP', 'LIFECYCLE', 'CURRENT', 'DESIRED', 'NEW INSTANCES', 'LOWER BOUND', 'ECS MANAGED STEP'],
      report.groups.map((g) => [
        g.name,
        lifecycle.get(g.name) ?? '',
        String(g.current),
        g.desired === g.current ? String(g.desired) : `${g.desired} (${g.desired > g.current ? '+' : ''}${g.desired - g.current})`,
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

export function runPlanCommand(file: string, options: PlanCommandOptions, write: (text: string) => void): void {
  const snapshot = loadSnapshot(file);
  const report = planReport(snapshot);
  write(options.json ? JSON.stringify(report, null, 2) : renderPlan(snapshot, report));
}
