/**
 * Spot interruption warning and rebalance recommendation: drain the instance and start its
 * replacement capacity in the same step, so tasks move while the doomed instance still runs.
 */
import type { ClusterConfig } from '../config-schema.js';
import { ATTRIBUTES, type Action } from '../actions.js';
import { LEAVING_TASK_STATUSES, type Instance, type Snapshot } from '../model.js';
import { DRAIN_REASONS } from '../names.js';
import { displacedTasks, replacementActions } from './replacement.js';

/**
 * The replacement for an instance, once: raise the group(s), then record on the instance that it was
 * done (the actuator writes the mark only if the raise succeeded), so a duplicate event asks no more.
 */
export function replaceOnce(snapshot: Snapshot, cluster: ClusterConfig, instance: Instance, why: string, now: Date): Action[] {
  if (instance.attributes[ATTRIBUTES.replacementRequested] !== undefined) return [];
  const raises = replacementActions(snapshot, cluster, [instance], why, now);
  // Said in the record when nothing is launched: the room took it (docs/controller.md, "Spot spare room").
  const displaced = displacedTasks(instance).length;
  const reason =
    raises.length > 0 || displaced === 0
      ? `replacement requested: ${why}`
      : `no new capacity for ${why}: the group's other instances take its ${displaced} task(s) and keep room for their ${cluster.spotSpareInstances} busiest (spotSpareInstances)`;
  return [...raises, { kind: 'markInstance', cluster: snapshot.cluster, containerInstanceArn: instance.id, attribute: ATTRIBUTES.replacementRequested, value: now.toISOString(), reason }];
}

/**
 * The first thing a spot interruption warning does, decided from the event alone: drain the instance
 * (found in whichever configured cluster registers it). It waits on no other read — the replacement
 * follows with what can be read — so a failing or slow read cannot cost the 2-minute notice. A warning
 * is final (EC2 stops or terminates the instance), so an instance of the cluster outside the
 * configured groups is drained too, as ECS's own spot draining would.
 */
export function decideSpotDrainFirst(clusters: readonly string[], instanceId: string): Action[] {
  if (clusters.length === 0) return [];
  return [{ kind: 'drainInstance', clusters: [...clusters], ec2InstanceId: instanceId, reason: `spot interruption warning for ${instanceId}: drained before anything is read` }];
}

/**
 * The warned instance as the replacement sees it: once its drain has started (the drain came first),
 * the tasks ECS is already stopping there were displaced by it and still need a new home.
 */
function asWarned(instance: Instance): Instance {
  if (instance.status !== 'DRAINING') return instance;
  return { ...instance, tasks: instance.tasks.map((t) => (!t.daemon && LEAVING_TASK_STATUSES.has(t.lastStatus ?? '') ? { ...t, lastStatus: 'RUNNING' } : t)) };
}

export function decideSpotInterruption(snapshot: Snapshot, cluster: ClusterConfig, instanceId: string, now: Date): Action[] {
  const read = snapshot.instances.find((i) => i.ec2InstanceId === instanceId);
  if (!read) return [];
  const instance = asWarned(read);
  const view = { ...snapshot, instances: snapshot.instances.map((i) => (i.id === instance.id ? instance : i)) };
  const actions = replaceOnce(view, cluster, instance, `spot-interrupted ${instanceId}`, now);
  if (instance.status === 'ACTIVE') {
    actions.push({ kind: 'drain', cluster: snapshot.cluster, containerInstanceArns: [instance.id], reason: `spot interruption warning for ${instanceId}` });
  }
  return actions;
}

/**
 * Rebalance recommendation, by the group's policy: `drain` as for an interruption; `prescale`
 * launches the replacement now and marks the instance, and the reconcile loop drains it once the
 * replacement is up; `ignore` does nothing.
 */
export function decideRebalanceRecommendation(snapshot: Snapshot, cluster: ClusterConfig, instanceId: string, now: Date): Action[] {
  const instance = snapshot.instances.find((i) => i.ec2InstanceId === instanceId);
  if (!instance) return [];
  const policy = cluster.groups.find((g) => g.name === instance.group)?.rebalance ?? 'ignore';
  if (policy === 'ignore') return [];
  if (policy === 'drain') {
    const actions = replaceOnce(snapshot, cluster, instance, `rebalance-recommended ${instanceId}`, now);
    if (instance.status === 'ACTIVE') {
      actions.push({ kind: 'drain', cluster: snapshot.cluster, containerInstanceArns: [instance.id], reason: `rebalance recommendation for ${instanceId} (policy drain)` });
    }
    return actions;
  }
  const actions = replaceOnce(snapshot, cluster, instance, `rebalance-recommended ${instanceId} (prescale)`, now);
  if (instance.status === 'ACTIVE' && instance.attributes[ATTRIBUTES.drainReason] !== DRAIN_REASONS.prescale) {
    actions.push({
      kind: 'markInstance',
      cluster: snapshot.cluster,
      containerInstanceArn: instance.id,
      attribute: ATTRIBUTES.drainReason,
      value: DRAIN_REASONS.prescale,
      reason: `rebalance recommendation for ${instanceId} at ${now.toISOString()}: drain once the replacement is up`,
    });
  }
  return actions;
}
