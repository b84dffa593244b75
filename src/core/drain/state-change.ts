/**
 * An EC2 instance stopped or terminated outside its Auto Scaling group (by a person, a script, EC2
 * itself): drain what is left of it, launch its replacement, and clear ecs-pilot's marks that no longer
 * apply (idle since, prescale). An instance the ASG is terminating is its lifecycle hook's business.
 */
import type { ClusterConfig } from '../config-schema.js';
import { ATTRIBUTES, type Action } from '../actions.js';
import type { Snapshot } from '../model.js';
import { replaceOnce } from './spot.js';

/** States that take an instance's capacity away. */
export const GONE_STATES: ReadonlySet<string> = new Set(['stopping', 'stopped', 'shutting-down', 'terminated']);

/** Marks that describe a running instance's future; they are stale once it is stopped. */
const STALE_MARKS = [ATTRIBUTES.idleSince, ATTRIBUTES.drainReason] as const;

export function isAsgTermination(lifecycleState: string | undefined): boolean {
  return lifecycleState !== undefined && (lifecycleState.startsWith('Terminating') || lifecycleState === 'Terminated');
}

export function decideStoppedOutside(snapshot: Snapshot, cluster: ClusterConfig, instanceId: string, state: string, now: Date): Action[] {
  const instance = snapshot.instances.find((i) => i.ec2InstanceId === instanceId);
  if (!instance || !GONE_STATES.has(state) || isAsgTermination(instance.lifecycleState)) return [];
  const actions = replaceOnce(snapshot, cluster, instance, `${instanceId} ${state} outside its Auto Scaling group`, now);
  if (instance.status === 'ACTIVE') actions.push({ kind: 'drain', cluster: snapshot.cluster, containerInstanceArns: [instance.id], reason: `${instanceId} is ${state}: drain what is left` });
  for (const attribute of STALE_MARKS) {
    if (instance.attributes[attribute] !== undefined) {
      actions.push({ kind: 'markInstance', cluster: snapshot.cluster, containerInstanceArn: instance.id, attribute, value: null, reason: `${instanceId} is ${state}: ${attribute} no longer applies` });
    }
  }
  return actions;
}
