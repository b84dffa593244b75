/**
 * The reconcile loop (every minute): converges the cluster from whatever state it is in.
 *  1. lifecycle hooks waiting on a terminating instance: heartbeat, or complete once it is empty;
 *  2. waiting tasks: scale out what events missed (only upward);
 *  3. instances pre-scaled after a rebalance recommendation: drain once their group launches nothing;
 *  4. scale-in protection on instances with non-daemon tasks, off empty ones;
 *  5. scale-in: an ACTIVE instance empty for `scaleInDelaySeconds` is drained and terminated with the
 *     desired capacity decremented, never below the group's min, never while its group waits for capacity.
 */
import type { ClusterConfig } from '../config-schema.js';
import { ATTRIBUTES, type Action } from '../actions.js';
import { plan } from '../capacity/index.js';
import { composeDemand } from '../capacity/demand.js';
import { scaleOutActions } from '../capacity/scale-out.js';
import { DRAIN_AFTER_NEW_CAPACITY, DRAIN_REASONS, LIFECYCLE_STATES } from '../names.js';
import { COUNTED_STATUSES, holdsInstance, weightOf, type Instance, type Snapshot } from '../model.js';
import { decideTerminating } from '../drain/lifecycle.js';
import { consolidationActions, consolidationFingerprint, consolidationMoves, inWindow } from '../rebalance/consolidate.js';
import { decideReplace } from '../rebalance/replace.js';

/** Drain reasons of instances ecs-pilot drained itself and removes once empty. */
const SELF_DRAINED = new Set<string>(Object.values(DRAIN_REASONS));

/** Terminate through the ASG (desired −1), re-checked right before: it must run no more than its daemons. */
function terminate(snapshot: Snapshot, asg: string, i: Instance, reason: string): Action {
  return { kind: 'terminateInstance', asg, instanceId: i.ec2InstanceId, cluster: snapshot.cluster, containerInstanceArn: i.id, daemonTasks: i.tasks.filter((t) => t.daemon).length, reason };
}

const busy = (i: Instance): boolean => i.tasks.some(holdsInstance);

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
}

/**
 * The reconcile's actions. `last` says how far consolidation got on the state it last found nothing
 * in: on the same state it goes on from there (the per-tick cap), or does not run at all once every
 * candidate was tried — the same state gives the same nothing.
 */
export function reconcilePlan(snapshot: Snapshot, cluster: ClusterConfig, now: Date, last?: ConsolidationProgress): ReconcilePlan {
  const actions: Action[] = [];
  const groupConfig = new Map(cluster.groups.map((g) => [g.name, g]));

  // 1. Lifecycle hooks.
  for (const inst of snapshot.instances) {
    const gc = groupConfig.get(inst.group);
    if (!gc || inst.lifecycleState !== LIFECYCLE_STATES.terminatingWait) continue;
    actions.push(...decideTerminating(snapshot, gc, { asg: gc.asg, instanceId: inst.ec2InstanceId, hookName: gc.lifecycleHookName }, now));
  }

  // 2. Waiting tasks, and those on draining instances that will need a new home.
  const demand = composeDemand(snapshot).snapshot;
  const result = plan(demand);
  actions.push(...scaleOutActions(result, `reconcile: ${demand.pending.length} task(s) waiting or displaced`));
  const receiving = new Set(result.placements.map((p) => p.instance));
  const groupsWaiting = new Set(
    result.groups.filter((g) => g.newUnits > 0 || result.placements.some((p) => p.instance.startsWith(`launching:${g.name}:`))).map((g) => g.name),
  );

  for (const group of snapshot.groups) {
    const gc = groupConfig.get(group.name);
    if (!gc) continue;
    const members = snapshot.instances.filter((i) => i.group === group.name && i.lifecycleState !== LIFECYCLE_STATES.terminatingWait);
    const inService = members.filter((i) => COUNTED_STATUSES.has(i.status));
    const units = inService.reduce((a, i) => a + weightOf(group, i.type), 0);
    const launching = group.desired > units;

    // 3. Pre-scaled instances: their replacement is up once nothing is launching.
    const prescaled = members.filter((i) => i.status === 'ACTIVE' && DRAIN_AFTER_NEW_CAPACITY.includes(i.attributes[ATTRIBUTES.drainReason] ?? ''));
    if (prescaled.length > 0 && !launching) {
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

    // 5. Idle tracking and scale-in.
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
    // Instances ecs-pilot drained itself (consolidation, replacement, a pre-scaled rebalance that EC2
    // never reclaimed) leave once empty: terminate them (desired −1), never below min.
    const consolidated = members.filter((i) => i.status === 'DRAINING' && SELF_DRAINED.has(i.attributes[ATTRIBUTES.drainReason] ?? '') && !busy(i));
    for (const i of consolidated) {
      const w = weightOf(group, i.type);
      if (removable - w < 0) break;
      removable -= w;
      actions.push(terminate(snapshot, group.asg, i, `drained by ecs-pilot (${i.attributes[ATTRIBUTES.drainReason]}) and empty`));
    }

    if (groupsWaiting.has(group.name) || launching) continue; // never scale in while the group waits for capacity
    const chosen: Instance[] = [];
    for (const i of expired) {
      const w = weightOf(group, i.type);
      if (removable - w < 0) break;
      removable -= w;
      chosen.push(i);
    }
    if (chosen.length > 0) {
      actions.push({ kind: 'drain', cluster: snapshot.cluster, containerInstanceArns: chosen.map((i) => i.id), reason: `empty for at least ${gc.scaleInDelaySeconds} s` });
      for (const i of chosen) actions.push(terminate(snapshot, group.asg, i, `empty since ${i.attributes[ATTRIBUTES.idleSince]}`));
    }
  }
  // 6. Consolidation: drain under-used instances whose tasks fit elsewhere (within the budget), never
  // onto instances this run is already taking away.
  const leaving = new Set(actions.flatMap((a) => (a.kind === 'drain' ? a.containerInstanceArns : [])));
  const rest = { ...demand, instances: demand.instances.map((i) => (leaving.has(i.id) ? { ...i, status: 'DRAINING' as const } : i)) };
  if (!cluster.consolidation.enabled || !inWindow(cluster.consolidation, now)) return { actions };
  const state = consolidationFingerprint(rest, cluster);
  const from = last?.state === state ? last.tried : 0;
  if (from === 'all') return { actions, consolidationUnchanged: true, progress: { state, tried: 'all' } };
  const pass = consolidationMoves(rest, cluster, now, from);
  actions.push(...consolidationActions(rest, pass.moves));
  // 7. Replace: when consolidation finds nothing to drain, fewer or cheaper instances for the least used.
  const replace = pass.moves.length === 0 ? decideReplace(rest, cluster, now) : [];
  actions.push(...replace);
  if (pass.moves.length > 0 || replace.length > 0) return { actions };
  return { actions, progress: { state, tried: pass.exhausted ? 'all' : pass.reached } };
}
