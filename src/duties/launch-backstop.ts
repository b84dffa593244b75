/**
 * The reconcile's read for failed launches (issue 20; src/core/reconcile/launch-backstop.ts): one
 * DescribeScalingActivities per stalled group, none when nothing is stalled.
 */
import type { ClusterConfig } from '../config/schema.js';
import type { DutyContext } from '../controller.js';
import type { Action } from '../core/actions.js';
import type { LaunchFailure } from '../core/capacity/shortage.js';
import type { Group, Snapshot } from '../core/model.js';
import { withLaunchTimes } from '../core/reconcile/registration.js';
import { BACKSTOP_MAX_RECORDS, BACKSTOP_WINDOW_SECONDS, failureFromActivities, stalledGroups } from '../core/reconcile/launch-backstop.js';
import { describeRecentScalingActivities, recentScalingActivitiesPage } from '../aws/api-reads.js';

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

/**
 * The groups' unregistered InService instances with their launch times: one DescribeScalingActivities
 * (MaxRecords 100, since the registration timeout) per group that lists such an instance, none otherwise.
 */
export async function observeRegistrations(ctx: Pick<DutyContext, 'clients' | 'now'>, cluster: ClusterConfig, snapshot: Snapshot): Promise<Snapshot> {
  const groups: Group[] = [];
  for (const group of snapshot.groups) {
    const gc = cluster.groups.find((g) => g.asg === group.asg);
    if (!gc || group.unregistered.length === 0) {
      groups.push(group);
      continue;
    }
    const since = new Date(ctx.now.getTime() - gc.registrationTimeoutMinutes * 60_000);
    const page = await recentScalingActivitiesPage(ctx.clients, group.asg, since, 100);
    groups.push(withLaunchTimes(group, page.activities, page.complete, gc.registrationTimeoutMinutes, ctx.now));
  }
  return { ...snapshot, groups };
}

/** After the reconcile acted: the replacements it made, per ASG, for this hour's count. */
export function rememberReplacements(actions: readonly Action[], memory: Map<string, number[]>, now: Date): void {
  for (const a of actions) {
    if (a.kind !== 'replaceUnregisteredInstance') continue;
    const kept = (memory.get(a.asg) ?? []).filter((t) => now.getTime() - t < 3_600_000);
    memory.set(a.asg, [...kept, now.getTime()]);
  }
}
