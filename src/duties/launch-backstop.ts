/**
 * The reconcile's read for failed launches (issue 20; src/core/reconcile/launch-backstop.ts): one
 * DescribeScalingActivities per stalled group, none when nothing is stalled.
 */
import type { ClusterConfig } from '../config/schema.js';
import type { DutyContext } from '../controller.js';
import type { Action } from '../core/actions.js';
import type { LaunchFailure } from '../core/capacity/shortage.js';
import type { Snapshot } from '../core/model.js';
import { BACKSTOP_MAX_RECORDS, BACKSTOP_WINDOW_SECONDS, failureFromActivities, stalledGroups } from '../core/reconcile/launch-backstop.js';
import { describeRecentScalingActivities } from '../aws/api-reads.js';

export async function observeLaunchFailures(ctx: Pick<DutyContext, 'clients' | 'now'>, cluster: ClusterConfig, snapshot: Snapshot): Promise<LaunchFailure[]> {
  const out: LaunchFailure[] = [];
  const since = new Date(ctx.now.getTime() - BACKSTOP_WINDOW_SECONDS * 1000);
  for (const group of stalledGroups(snapshot)) {
    if (!cluster.groups.some((g) => g.asg === group.asg)) continue;
    const failure = failureFromActivities(group, await describeRecentScalingActivities(ctx.clients, group.asg, since, BACKSTOP_MAX_RECORDS));
    if (failure) out.push(failure);
  }
  return out;
}

/** The record's actions for what the backstop found. */
export function reportedLaunchFailures(failures: readonly LaunchFailure[] | undefined): Action[] {
  return (failures ?? []).map((failure) => ({ kind: 'reportLaunchFailure', failure, reason: 'reconcile backstop: desired capacity above the listed units, nothing launching, newest scaling activity Failed' }));
}
