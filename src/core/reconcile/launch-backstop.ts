/**
 * The reconcile's backstop for failed launches (issue 20): `EC2 Instance Launch Unsuccessful` is
 * delivered best effort, so a group whose desired capacity exceeds the units it lists, with no
 * instance launching, is asked for its newest scaling activity — `Failed` means a failed launch.
 * Pure: which groups to ask, and what their activities say.
 */
import { COUNTED_STATUSES, weightOf, type Group, type Snapshot } from '../model.js';
import { LIFECYCLE_STATES } from '../names.js';
import { classifyLaunchFailureIn, type LaunchFailure } from '../capacity/shortage.js';

/** How far back an activity still explains a stall: the group retries every 2–4 minutes (observed). */
export const BACKSTOP_WINDOW_SECONDS = 600;
/** The newest few are enough: only the newest decides. */
export const BACKSTOP_MAX_RECORDS = 5;

/** Desired capacity above the units the group lists (registered in ECS or launching), with nothing launching. */
export function stalledGroups(snapshot: Snapshot): Group[] {
  return snapshot.groups.filter((g) => {
    if (g.inServiceUnits !== undefined) return false; // a partial snapshot cannot tell
    const launching = g.launching.reduce((a, l) => a + weightOf(g, l.type) * l.count, 0);
    if (launching > 0) return false;
    const listed = snapshot.instances
      .filter((i) => i.group === g.name && COUNTED_STATUSES.has(i.status) && i.lifecycleState !== LIFECYCLE_STATES.terminatingWait)
      .reduce((a, i) => a + weightOf(g, i.type), 0);
    return g.desired > listed;
  });
}

/** The subset of a scaling activity the backstop reads. */
export interface ActivityView {
  ActivityId?: string | undefined;
  StatusCode?: string | undefined;
  StatusMessage?: string | undefined;
  StartTime?: Date | undefined;
}

/** The newest activity, when it is a failed launch, as a LaunchFailure. */
export function failureFromActivities(group: Pick<Group, 'name' | 'asg' | 'lifecycle'>, activities: readonly ActivityView[]): LaunchFailure | undefined {
  const newest = [...activities].sort((a, b) => (b.StartTime?.getTime() ?? 0) - (a.StartTime?.getTime() ?? 0))[0];
  if (newest?.StatusCode !== 'Failed') return undefined;
  const message = newest.StatusMessage ?? '';
  return {
    group: group.name,
    asg: group.asg,
    at: (newest.StartTime ?? new Date(0)).toISOString(),
    ...(newest.ActivityId ? { activityId: newest.ActivityId } : {}),
    statusMessage: message,
    class: classifyLaunchFailureIn(message, group.lifecycle),
    source: 'activity',
  };
}
