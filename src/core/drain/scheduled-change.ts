/**
 * An AWS Health scheduled change for an EC2 instance (retirement, stop, reboot, maintenance): as the
 * peers do (aws-node-termination-handler drains at once), the replacement is launched first and the
 * instance drained now, well ahead of the start time, so its tasks move while it still runs.
 */
import type { ClusterConfig } from '../config-schema.js';
import type { Action } from '../actions.js';
import type { Snapshot } from '../model.js';
import { replaceOnce } from './spot.js';

export interface ScheduledChange {
  eventTypeCode: string;
  startTime: string | undefined;
}

export function decideScheduledChange(snapshot: Snapshot, cluster: ClusterConfig, instanceId: string, change: ScheduledChange, now: Date): Action[] {
  const instance = snapshot.instances.find((i) => i.ec2InstanceId === instanceId);
  if (!instance) return [];
  const what = `${change.eventTypeCode} for ${instanceId}${change.startTime ? ` at ${change.startTime}` : ''}`;
  const actions = replaceOnce(snapshot, cluster, instance, `scheduled change ${what}`, now);
  if (instance.status === 'ACTIVE') actions.push({ kind: 'drain', cluster: snapshot.cluster, containerInstanceArns: [instance.id], reason: `AWS Health scheduled change ${what}` });
  return actions;
}
