/**
 * The registration timeout (issue 20): an instance the ASG lists InService that has not registered
 * with ECS `registrationTimeoutMinutes` after its launch (bad user data, instance role, agent) is not
 * capacity; it is reported and replaced — terminated without decrementing desired, so the group
 * launches another — at most `MAX_REPLACEMENTS_PER_HOUR` per group, so that a systematic cause does
 * not loop. Karpenter (`registrationTimeout`) and Cluster Autoscaler (`--max-node-provision-time`) use
 * 15 minutes; AWS publishes no boot figure. Pure: the launch times from the scaling activities, the
 * actions from the snapshot.
 */
import type { ClusterConfig } from '../config-schema.js';
import type { Action } from '../actions.js';
import type { Group, Snapshot } from '../model.js';
import type { LaunchFailure } from '../capacity/shortage.js';
import type { ActivityView } from './launch-backstop.js';

export const MAX_REPLACEMENTS_PER_HOUR = 3;
const HOUR_MS = 3_600_000;

/** AWS's description of a successful launch activity names the instance. */
const launchedInstance = (a: ActivityView & { Description?: string | undefined }): string | undefined => /^Launching a new EC2 instance: (i-[0-9a-f]+)/.exec(a.Description ?? '')?.[1];

/**
 * The group's unregistered instances with their launch times, from one page of its activities started
 * since `now − timeout`: an instance whose launch is on the page launched then; one not on a complete
 * page (no NextToken) launched before the cut-off, so it is past the timeout; on an incomplete page it
 * is left as it is (not timed out: never replace on a guess).
 */
export function withLaunchTimes(group: Group, activities: ReadonlyArray<ActivityView & { Description?: string | undefined }>, complete: boolean, timeoutMinutes: number, now: Date): Group {
  if (group.unregistered.length === 0) return group;
  const launchedAt = new Map<string, Date>();
  for (const a of activities) {
    const id = launchedInstance(a);
    if (id && a.StartTime && !launchedAt.has(id)) launchedAt.set(id, a.StartTime);
  }
  const limit = timeoutMinutes * 60_000;
  return {
    ...group,
    unregistered: group.unregistered.map((u) => {
      const at = launchedAt.get(u.instanceId);
      if (at) return { ...u, launchedAt: at.toISOString(), timedOut: now.getTime() - at.getTime() >= limit };
      return { ...u, timedOut: complete };
    }),
  };
}

/** Reports and replacements for the timed-out instances; `recent`: replacement times per ASG (this hour's count). */
export function decideRegistrationTimeouts(snapshot: Snapshot, cluster: ClusterConfig, now: Date, recent: ReadonlyMap<string, readonly number[]>): Action[] {
  const actions: Action[] = [];
  for (const group of snapshot.groups) {
    const gc = cluster.groups.find((g) => g.name === group.name);
    const stuck = group.unregistered.filter((u) => u.timedOut);
    if (!gc || stuck.length === 0) continue;
    const done = (recent.get(group.asg) ?? []).filter((t) => now.getTime() - t < HOUR_MS).length;
    let allowed = Math.max(0, MAX_REPLACEMENTS_PER_HOUR - done);
    for (const u of stuck) {
      const since = u.launchedAt ? `launched ${u.launchedAt}` : `launched over ${gc.registrationTimeoutMinutes} min ago`;
      const failure: LaunchFailure = {
        group: group.name,
        asg: group.asg,
        at: now.toISOString(),
        statusMessage: `instance ${u.instanceId} (${u.type}) is InService, ${since}, and not registered with ECS after the registration timeout of ${gc.registrationTimeoutMinutes} min`,
        class: 'config',
        source: 'registration-timeout',
      };
      actions.push({ kind: 'reportLaunchFailure', failure, reason: 'not counted as capacity' });
      if (allowed <= 0) {
        actions.push({ kind: 'reportLaunchFailure', failure: { ...failure, statusMessage: `${failure.statusMessage}; not replaced: ${MAX_REPLACEMENTS_PER_HOUR} replacements in ${group.asg} this hour already` }, reason: 'a systematic cause must not loop' });
        continue;
      }
      allowed -= 1;
      actions.push({
        kind: 'replaceUnregisteredInstance',
        asg: group.asg,
        group: group.name,
        instanceId: u.instanceId,
        cluster: snapshot.cluster,
        launchedAt: u.launchedAt ?? '',
        reason: `not registered with ECS ${gc.registrationTimeoutMinutes} min after its launch: terminated with desired kept, the group launches another`,
      });
    }
  }
  return actions;
}
