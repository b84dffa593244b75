/**
 * The reconcile loop (every minute): converges the cluster from whatever state it is in.
 *  1. lifecycle hooks waiting on a terminating instance: heartbeat, or complete once it is empty;
 *  2. waiting tasks: instances ecs-pilot drained and that are empty are taken back (ACTIVE) when the
 *     tasks fit there, then what is still missing is scaled out (only upward);
 *  3. instances pre-scaled after a rebalance recommendation: drain once their group launches nothing;
 *  4. scale-in protection on instances with non-daemon tasks, off empty ones;
 *  5. drains ecs-pilot owns (the `ecs-pilot.drain-reason` it writes before every drain of its own):
 *     an empty one is terminated (desired −1) or, when it cannot leave (the group's min, ECS's target in
 *     `accelerate`), set ACTIVE again — whatever interrupted the scale-in or consolidation that drained
 *     it; a drain without that mark is someone else's and is left (said in the record);
 *  6. scale-in: an ACTIVE instance empty for `scaleInDelaySeconds` is marked `scale-in`, drained and
 *     terminated with the desired capacity decremented, never below the group's min, never while its
 *     group waits for capacity.
 */
import type { ClusterConfig } from '../config-schema.js';
import { ATTRIBUTES, type Action } from '../actions.js';
import { plan } from '../capacity/index.js';
import { composeDemand } from '../capacity/demand.js';
import { scaleOutActions } from '../capacity/scale-out.js';
import { DRAIN_AFTER_NEW_CAPACITY, DRAIN_REASONS, LIFECYCLE_STATES, SELF_DRAINED } from '../names.js';
import { COUNTED_STATUSES, holdsInstance, weightOf, type Instance, type Snapshot } from '../model.js';
import { decideTerminating } from '../drain/lifecycle.js';
import { belowEcsTarget } from '../drain/replaced.js';
import { consolidationActions, consolidationFingerprint, consolidationMoves, inWindow } from '../rebalance/consolidate.js';
import { decideReplace } from '../rebalance/replace.js';

/** Terminate through the ASG (desired −1), re-checked right before: it must run no more than its daemons. */
function terminate(snapshot: Snapshot, asg: string, i: Instance, drainReason: string, reason: string): Action {
  return { kind: 'terminateInstance', asg, instanceId: i.ec2InstanceId, cluster: snapshot.cluster, containerInstanceArn: i.id, daemonTasks: i.tasks.filter((t) => t.daemon).length, drainReason, reason };
}

const busy = (i: Instance): boolean => i.tasks.some(holdsInstance);
const drainReasonOf = (i: Instance): string => i.attributes[ATTRIBUTES.drainReason] ?? '';

/** Warned by EC2 and replaced by ecs-pilot: it is going away whatever ecs-pilot decides, never taken back. */
const doomed = (i: Instance): boolean => i.attributes[ATTRIBUTES.replacementRequested] !== undefined;

/** Drained by ecs-pilot (its mark), empty, not yet leaving through the ASG: ecs-pilot finishes the job. */
const ownDrainedEmpty = (i: Instance): boolean => i.status === 'DRAINING' && SELF_DRAINED.has(drainReasonOf(i)) && !busy(i) && i.lifecycleState !== LIFECYCLE_STATES.terminatingWait;

/**
 * DRAINING instances ecs-pilot neither drained (no drain reason of its own) nor replaced (no
 * `replacement-requested`: EC2 reclaims those, src/core/drain/replaced.ts), nor sees terminating:
 * someone else's drain (an operator, ECS's managed draining, an older ecs-pilot's scale-in), left to them.
 */
function othersDrains(snapshot: Snapshot, groups: ReadonlySet<string>): Instance[] {
  return snapshot.instances.filter(
    (i) => groups.has(i.group) && i.status === 'DRAINING' && !SELF_DRAINED.has(drainReasonOf(i)) && i.attributes[ATTRIBUTES.replacementRequested] === undefined && i.lifecycleState !== LIFECYCLE_STATES.terminatingWait,
  );
}

/** Set ACTIVE again, then (mark written last, only when the activation went through) the drain reason cleared. */
function reactivate(snapshot: Snapshot, instances: Instance[], why: string): Action[] {
  if (instances.length === 0) return [];
  return [
    { kind: 'activate', cluster: snapshot.cluster, containerInstanceArns: instances.map((i) => i.id), reason: why },
    ...instances.map((i): Action => ({ kind: 'markInstance', cluster: snapshot.cluster, containerInstanceArn: i.id, attribute: ATTRIBUTES.drainReason, value: null, reason: `ACTIVE again (was drained for ${drainReasonOf(i)})` })),
  ];
}

/**
 * The waiting tasks' plan, taking back first the empty instances ecs-pilot drained in the groups that
 * would otherwise launch: those the plan then places tasks on are set ACTIVE again (sooner than a new
 * instance, and no scale-in later). Returns the plan, the snapshot it was made on, and the instances taken back.
 */
function planWithTakenBack(demand: Snapshot, configured: ReadonlySet<string>): { result: ReturnType<typeof plan>; view: Snapshot; takenBack: Instance[] } {
  const result = plan(demand);
  const short = new Set(result.groups.filter((g) => g.newUnits > 0).map((g) => g.name));
  const candidates = demand.instances.filter((i) => short.has(i.group) && configured.has(i.group) && ownDrainedEmpty(i) && !doomed(i));
  if (candidates.length === 0) return { result, view: demand, takenBack: [] };
  const asActive = (ids: ReadonlySet<string>): Snapshot => ({
    ...demand,
    instances: demand.instances.map((i) => (ids.has(i.id) ? { ...i, status: 'ACTIVE' as const, attributes: Object.fromEntries(Object.entries(i.attributes).filter(([k]) => k !== ATTRIBUTES.drainReason)) } : i)),
  });
  const trial = plan(asActive(new Set(candidates.map((i) => i.id))));
  const used = new Set(trial.placements.map((p) => p.instance));
  const takenBack = candidates.filter((i) => used.has(i.id));
  if (takenBack.length === 0) return { result, view: demand, takenBack: [] };
  const view = asActive(new Set(takenBack.map((i) => i.id)));
  return { result: plan(view), view, takenBack };
}

/** Step 1 alone: the terminate hooks of the instances waiting on one (also when only those could be read). */
export function decideHooks(snapshot: Snapshot, cluster: ClusterConfig, now: Date): Action[] {
  const groupConfig = new Map(cluster.groups.map((g) => [g.name, g]));
  return snapshot.instances.flatMap((inst) => {
    const gc = groupConfig.get(inst.group);
    if (!gc || inst.lifecycleState !== LIFECYCLE_STATES.terminatingWait) return [];
    return decideTerminating(snapshot, gc, { asg: gc.asg, instanceId: inst.ec2InstanceId, hookName: gc.lifecycleHookName }, now);
  });
}

export function decideReconcile(snapshot: Snapshot, cluster: ClusterConfig, now: Date): Action[] {
  return reconcilePlan(snapshot, cluster, now).actions;
}

/** Where consolidation stopped on a state: the candidates it tried there found nothing to move. */
export interface ConsolidationProgress {
  state: string;
  /** Candidates tried so far on this state ('all': nothing can move until the state changes). */
  tried: number | 'all';
}

export interface ReconcilePlan {
  actions: Action[];
  /** Set when consolidation and replace found nothing: the next tick on the same state goes on from here. */
  progress?: ConsolidationProgress;
  /** Consolidation did not run: a previous pass tried every candidate of this very state. */
  consolidationUnchanged?: boolean;
  /** What the loop saw and deliberately left, for the record (e.g. drains that are not ecs-pilot's). */
  notes: string[];
}

/**
 * The reconcile's actions. `last` says how far consolidation got on the state it last found nothing
 * in: on the same state it goes on from there (the per-tick cap), or does not run at all once every
 * candidate was tried — the same state gives the same nothing.
 */
export function reconcilePlan(snapshot: Snapshot, cluster: ClusterConfig, now: Date, last?: ConsolidationProgress): ReconcilePlan {
  const actions: Action[] = [];
  const groupConfig = new Map(cluster.groups.map((g) => [g.name, g]));
  const others = othersDrains(snapshot, new Set(groupConfig.keys()));
  const notes =
    others.length > 0
      ? [`left DRAINING, not drained by ecs-pilot (no ${ATTRIBUTES.drainReason} of its own: whoever drained them owns them, EC2 reclaims a spot-warned one): ${others.map((i) => `${i.ec2InstanceId} (${i.tasks.filter(holdsInstance).length} task(s))`).join(', ')}`]
      : [];

  // 1. Lifecycle hooks.
  actions.push(...decideHooks(snapshot, cluster, now));

  // 2. Waiting tasks, and those on draining instances that will need a new home: first on the empty
  // instances ecs-pilot drained itself, then on new capacity.
  const configured = new Set(cluster.groups.map((g) => g.name));
  const { result, view: demand, takenBack } = planWithTakenBack(composeDemand(snapshot).snapshot, configured);
  actions.push(...reactivate(snapshot, takenBack, `${demand.pending.length} task(s) wait for capacity that these empty instances, drained by ecs-pilot, have: taken back instead of launching`));
  actions.push(...scaleOutActions(result, `reconcile: ${demand.pending.length} task(s) waiting or displaced`));
  const receiving = new Set(result.placements.map((p) => p.instance));
  const groupsWaiting = new Set(
    result.groups.filter((g) => g.newUnits > 0 || result.placements.some((p) => p.instance.startsWith(`launching:${g.name}:`))).map((g) => g.name),
  );

  for (const group of snapshot.groups) {
    const gc = groupConfig.get(group.name);
    if (!gc) continue;
    const members = demand.instances.filter((i) => i.group === group.name && i.lifecycleState !== LIFECYCLE_STATES.terminatingWait);
    const inService = members.filter((i) => COUNTED_STATUSES.has(i.status));
    const units = inService.reduce((a, i) => a + weightOf(group, i.type), 0);
    const launching = group.desired > units;

    // 3. Pre-scaled instances: their replacement is up once nothing is launching.
    const prescaled = members.filter((i) => i.status === 'ACTIVE' && DRAIN_AFTER_NEW_CAPACITY.includes(drainReasonOf(i)));
    if (prescaled.length > 0 && !launching) {
      // Their drain reason (prescale, replace) is already on them: the drain has its owner.
      actions.push({ kind: 'drain', cluster: snapshot.cluster, containerInstanceArns: prescaled.map((i) => i.id), reason: 'the replacement capacity is up (rebalance recommendation or replace move)' });
    }

    // 4. Scale-in protection follows occupancy.
    const active = members.filter((i) => i.status === 'ACTIVE' && !prescaled.includes(i));
    const toProtect = active.filter((i) => !i.protected && (busy(i) || receiving.has(i.id)));
    const toUnprotect = active.filter((i) => i.protected && !busy(i) && !receiving.has(i.id));
    if (toProtect.length > 0) {
      actions.push({ kind: 'protectInstances', asg: group.asg, instanceIds: toProtect.map((i) => i.ec2InstanceId), protect: true, reason: 'runs non-daemon tasks' });
    }
    if (toUnprotect.length > 0) {
      actions.push({ kind: 'protectInstances', asg: group.asg, instanceIds: toUnprotect.map((i) => i.ec2InstanceId), protect: false, reason: 'empty' });
    }

    // Idle tracking.
    let removable = group.desired - group.min;
    const idle = active.filter((i) => !busy(i) && !receiving.has(i.id));
    for (const i of active) {
      if ((busy(i) || receiving.has(i.id)) && i.attributes[ATTRIBUTES.idleSince] !== undefined) {
        actions.push({ kind: 'markInstance', cluster: snapshot.cluster, containerInstanceArn: i.id, attribute: ATTRIBUTES.idleSince, value: null, reason: 'has tasks again' });
      }
    }
    const since = (i: Instance): number => Date.parse(i.attributes[ATTRIBUTES.idleSince] ?? '');
    const expired = idle
      .filter((i) => !Number.isNaN(since(i)) && (now.getTime() - since(i)) / 1000 >= gc.scaleInDelaySeconds)
      .sort((a, b) => since(a) - since(b) || a.id.localeCompare(b.id));
    for (const i of idle) {
      if (Number.isNaN(since(i))) {
        actions.push({ kind: 'markInstance', cluster: snapshot.cluster, containerInstanceArn: i.id, attribute: ATTRIBUTES.idleSince, value: now.toISOString(), reason: 'empty: scale-in delay starts' });
      }
    }
    // 5. Drains ecs-pilot owns, once empty: terminated (desired −1), or set ACTIVE again when the
    // instance cannot leave — at the group's min, or in `accelerate` below ECS's own target — so no
    // drain of its own stays DRAINING, whatever interrupted the action that started it.
    const kept: Instance[] = [];
    const why: string[] = [];
    for (const i of members.filter(ownDrainedEmpty)) {
      const w = weightOf(group, i.type);
      const ecsNeeds = group.mode === 'accelerate' ? belowEcsTarget(demand, { ...group, desired: group.min + removable }, i) : undefined;
      const cannot = removable - w < 0 ? `${i.ec2InstanceId}: group ${group.name} at its min (${group.min})` : ecsNeeds;
      if (cannot !== undefined) {
        // A doomed instance stays DRAINING: EC2 reclaims it (and ecs-pilot retires it: src/core/drain/replaced.ts).
        if (!doomed(i)) {
          kept.push(i);
          why.push(cannot);
        }
        continue;
      }
      removable -= w;
      actions.push(terminate(snapshot, group.asg, i, drainReasonOf(i), `drained by ecs-pilot (${drainReasonOf(i)}) and empty`));
    }
    actions.push(...reactivate(snapshot, kept, `drained by ecs-pilot and empty, but it cannot leave: ${why.join('; ')}`));

    if (groupsWaiting.has(group.name) || launching) continue; // never scale in while the group waits for capacity
    const chosen: Instance[] = [];
    for (const i of expired) {
      const w = weightOf(group, i.type);
      if (removable - w < 0) break;
      removable -= w;
      chosen.push(i);
    }
    if (chosen.length > 0) {
      // 6. The scale-in's mark goes first (with the drain): if the terminate fails, the invocation dies or
      // the re-check skips it, the next tick finds a drain of ecs-pilot's own and finishes it (5).
      actions.push({ kind: 'drain', cluster: snapshot.cluster, containerInstanceArns: chosen.map((i) => i.id), drainReason: DRAIN_REASONS.scaleIn, asg: group.asg, reason: `empty for at least ${gc.scaleInDelaySeconds} s` });
      for (const i of chosen) actions.push(terminate(snapshot, group.asg, i, DRAIN_REASONS.scaleIn, `empty since ${i.attributes[ATTRIBUTES.idleSince]}`));
    }
  }
  // 6. Consolidation: drain under-used instances whose tasks fit elsewhere (within the budget), never
  // onto instances this run is already taking away.
  const leaving = new Set(actions.flatMap((a) => (a.kind === 'drain' ? a.containerInstanceArns : [])));
  const activated = new Set(actions.flatMap((a) => (a.kind === 'activate' ? a.containerInstanceArns : [])));
  const rest = {
    ...demand,
    instances: demand.instances.map((i) => (leaving.has(i.id) ? { ...i, status: 'DRAINING' as const } : activated.has(i.id) ? { ...i, status: 'ACTIVE' as const } : i)),
  };
  if (!cluster.consolidation.enabled || !inWindow(cluster.consolidation, now)) return { actions, notes };
  const state = consolidationFingerprint(rest, cluster);
  const from = last?.state === state ? last.tried : 0;
  if (from === 'all') return { actions, notes, consolidationUnchanged: true, progress: { state, tried: 'all' } };
  const pass = consolidationMoves(rest, cluster, now, from);
  actions.push(...consolidationActions(rest, pass.moves));
  // 7. Replace: when consolidation finds nothing to drain, fewer or cheaper instances for the least used.
  const replace = pass.moves.length === 0 ? decideReplace(rest, cluster, now) : [];
  actions.push(...replace);
  if (pass.moves.length > 0 || replace.length > 0) return { actions, notes };
  return { actions, notes, progress: { state, tried: pass.exhausted ? 'all' : pass.reached } };
}
