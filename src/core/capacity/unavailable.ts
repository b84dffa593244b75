/**
 * Groups that failed to launch, remembered with a back-off (docs/capacity-shortage.md). The memory is
 * a tag on the group's ASG (`ecs-pilot:unavailable`), which the DescribeAutoScalingGroups every duty
 * makes already returns: no new read, and every duty sees the same mark.
 *
 * Back-off as Karpenter and Cluster Autoscaler do it: 180 s first (Karpenter's unavailable-offerings
 * TTL), doubling with each failure after the mark expired, at most 1 800 s (CA's maximum); reset once
 * a launch succeeds after the mark expired. A failure is versioned by its activity's time: one no newer
 * than what the mark covers (a duplicate, a late event, the ASG's own retries while marked) changes
 * nothing, so any source of failures can be fed in any order.
 */
import type { Action } from '../actions.js';
import { COUNTED_STATUSES, weightOf, type Group, type Snapshot } from '../model.js';
import type { LaunchFailure, ShortageClass } from './shortage.js';

export const UNAVAILABLE_TAG = 'ecs-pilot:unavailable';
/** The on-demand base before ecs-pilot first raised it, and when it last did (`from=<n>;at=<ISO>`). */
export const ON_DEMAND_BASE_TAG = 'ecs-pilot:on-demand-base';

export const FIRST_BACKOFF_SECONDS = 180;
export const MAX_BACKOFF_SECONDS = 1800;
/** Cluster Autoscaler's `node-group-backoff-reset-timeout`: a mark this old with nothing stalled is forgotten. */
export const RESET_AFTER_SECONDS = 3 * 3600;

export type Mark = NonNullable<Group['unavailable']>;

const CLASSES: readonly ShortageClass[] = ['spot-capacity', 'spot-quota', 'vcpu-quota', 'on-demand-capacity', 'price', 'subnet', 'config', 'unknown'];

/** Seconds a group stays unavailable after its `attempts`-th consecutive failure. */
export function backoffSeconds(attempts: number): number {
  return Math.min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2 ** Math.max(0, attempts - 1));
}

/** The tag's value (AWS allows 256 characters): the fields, then the start of the status message. */
export function formatMark(m: Mark): string {
  const head = `until=${m.until};at=${m.at};class=${m.class};attempts=${m.attempts}${m.activityId ? `;activity=${m.activityId}` : ''}${m.recovered ? `;recovered=${m.recovered}` : ''};msg=`;
  return head + m.reason.slice(0, Math.max(0, 256 - head.length));
}

/** The mark a tag value holds; undefined for a value this version cannot read (treated as no mark). */
export function parseMark(value: string | undefined): Mark | undefined {
  if (!value) return undefined;
  const msgAt = value.indexOf(';msg=');
  const fields = new Map((msgAt === -1 ? value : value.slice(0, msgAt)).split(';').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const));
  const until = fields.get('until') ?? '';
  const at = fields.get('at') ?? '';
  const cls = fields.get('class') as ShortageClass | undefined;
  const attempts = Number(fields.get('attempts'));
  if (!Number.isFinite(Date.parse(until)) || !Number.isFinite(Date.parse(at)) || !cls || !CLASSES.includes(cls) || !Number.isInteger(attempts) || attempts < 1) return undefined;
  const activityId = fields.get('activity');
  const recovered = fields.get('recovered') ?? '';
  return { until, at, class: cls, attempts, ...(activityId ? { activityId } : {}), reason: msgAt === -1 ? '' : value.slice(msgAt + 5), ...(Number.isFinite(Date.parse(recovered)) ? { recovered } : {}) };
}

export interface BaseTag {
  raisedFrom?: number;
  raisedAt?: string;
  covers?: number;
  forMark?: string;
}

/**
 * What the on-demand base tag holds (`from=<n>;at=<ISO>[;covers=<n>;mark=<ISO>]`): the base before
 * ecs-pilot raised it, the last change's time, and the desired capacity the raise covers for the
 * shortage mark made at `mark`.
 */
export function parseBaseTag(value: string | undefined): BaseTag {
  const fields = new Map((value ?? '').split(';').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const));
  const int = (k: string): number | undefined => {
    const n = Number(fields.get(k));
    return fields.has(k) && Number.isInteger(n) && n >= 0 ? n : undefined;
  };
  const time = (k: string): string | undefined => (Number.isFinite(Date.parse(fields.get(k) ?? '')) ? new Date(fields.get(k)!).toISOString() : undefined);
  const out: BaseTag = {};
  const from = int('from');
  const covers = int('covers');
  const at = time('at');
  const mark = time('mark');
  if (from !== undefined) out.raisedFrom = from;
  if (at !== undefined) out.raisedAt = at;
  if (covers !== undefined && mark !== undefined) Object.assign(out, { covers, forMark: mark });
  return out;
}

/** The tag value for a base ecs-pilot changed (undefined: the base is back where it was, the tag goes). */
export function formatBaseTag(a: { base: number; raisedFrom: number; at: string; covers?: number | undefined; forMark?: string | undefined }): string | undefined {
  if (a.base <= a.raisedFrom) return undefined;
  return `from=${a.raisedFrom};at=${a.at}${a.covers !== undefined && a.forMark !== undefined ? `;covers=${a.covers};mark=${a.forMark}` : ''}`;
}

/** The group is marked, the mark has not expired at `now` and no launch succeeded since. */
export function isUnavailable(group: Group, now: Date | string): boolean {
  const mark = group.unavailable;
  return mark !== undefined && mark.recovered === undefined && Date.parse(mark.until) > new Date(now).getTime();
}

/**
 * Classes where launching the same group's types on-demand helps: the spot market said no. A vCPU
 * quota, an on-demand shortage, a subnet or a broken template fail on-demand launches too.
 */
export function onDemandHelps(cls: ShortageClass): boolean {
  return cls === 'spot-capacity' || cls === 'spot-quota' || cls === 'price';
}

/**
 * The mark after a failure, or undefined when the failure changes nothing: the same activity, or one
 * no newer than what the current mark covers (its time up to the mark's `until`, or up to the launch
 * that succeeded since). After a success the back-off starts again from 180 s.
 */
export function markAfterFailure(current: Mark | undefined, failure: LaunchFailure): Mark | undefined {
  const at = Date.parse(failure.at);
  if (!Number.isFinite(at)) return undefined;
  if (current) {
    if (failure.activityId !== undefined && failure.activityId === current.activityId) return undefined;
    if (at <= Date.parse(current.recovered ?? current.until)) return undefined;
  }
  const attempts = current && current.recovered === undefined ? current.attempts + 1 : 1;
  return {
    until: new Date(at + backoffSeconds(attempts) * 1000).toISOString(),
    at: new Date(at).toISOString(),
    class: failure.class,
    ...(failure.activityId ? { activityId: failure.activityId } : {}),
    attempts,
    reason: failure.statusMessage,
  };
}

/** Units of `desired` that no in-service or launching instance accounts for (what a failed launch leaves). */
export function stalledUnits(snapshot: Snapshot, group: Group): number {
  let listed = group.inServiceUnits ?? 0;
  if (group.inServiceUnits === undefined) {
    for (const i of snapshot.instances) if (i.group === group.name && COUNTED_STATUSES.has(i.status)) listed += weightOf(group, i.type);
  }
  for (const l of group.launching) listed += l.count * weightOf(group, l.type);
  return Math.max(0, group.desired - listed);
}

/**
 * The back-off is reset once the mark expired and the group launches again: nothing stalled and an
 * instance launching (the probe succeeded), or nothing stalled for 3 hours.
 */
export function launchSucceeded(snapshot: Snapshot, group: Group, now: Date): boolean {
  const mark = group.unavailable;
  if (!mark || mark.recovered !== undefined || isUnavailable(group, now) || stalledUnits(snapshot, group) > 0) return false;
  return group.launching.length > 0 || now.getTime() - Date.parse(mark.at) >= RESET_AFTER_SECONDS * 1000;
}

export interface ShortageMemory {
  /** The snapshot with the marks as they are after this decision (plan with it). */
  snapshot: Snapshot;
  /** Tag writes on the groups' ASGs. */
  actions: Action[];
  /** What changed, for the decision record: the activity, its class, the mark. */
  notes: string[];
}

/**
 * Applies failures (from any source) and successes to the groups' marks. Pure and idempotent: the
 * same failures again give no action.
 */
export function rememberLaunches(snapshot: Snapshot, failures: readonly LaunchFailure[], now: Date): ShortageMemory {
  const actions: Action[] = [];
  const notes: string[] = [];
  const ordered = [...failures].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const groups = snapshot.groups.map((group) => {
    let mark = group.unavailable;
    let changed: Mark | undefined;
    for (const f of ordered) {
      if (f.group !== group.name && f.asg !== group.asg) continue;
      const next = markAfterFailure(mark, f);
      if (!next) continue;
      mark = next;
      changed = next;
    }
    if (changed) {
      const why = `launch failed in ${group.name} (${changed.class}${changed.activityId ? `, activity ${changed.activityId}` : ''}): unavailable until ${changed.until} (failure ${changed.attempts} in a row, back-off ${backoffSeconds(changed.attempts)} s)`;
      notes.push(why);
      actions.push({ kind: 'markGroupUnavailable', asg: group.asg, mark: formatMark(changed), reason: `${why}: ${changed.reason}`.slice(0, 512) });
      return { ...group, unavailable: changed };
    }
    if (group.unavailable && launchSucceeded(snapshot, group, now)) {
      // Kept as `recovered` while what fell back returns (recover.ts removes it then).
      const recovered: Mark = { ...group.unavailable, recovered: now.toISOString() };
      const why = `${group.name} launches again: its unavailable mark (${recovered.class}, until ${recovered.until}) is lifted, the back-off reset; what fell back returns`;
      notes.push(why);
      actions.push({ kind: 'tagGroup', asg: group.asg, tags: { [UNAVAILABLE_TAG]: formatMark(recovered) }, reason: why });
      return { ...group, unavailable: recovered };
    }
    return group;
  });
  return { snapshot: { ...snapshot, groups }, actions, notes };
}
