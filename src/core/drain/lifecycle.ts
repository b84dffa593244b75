/**
 * Safe scale-in through the ASG terminate lifecycle hook: drain, heartbeat while tasks still run,
 * complete with CONTINUE once none does, or with the configured result after the drain timeout.
 * Never sleeps: the next event or reconcile run moves it on.
 */
import type { GroupConfig } from '../config-schema.js';
import { ATTRIBUTES, type Action } from '../actions.js';
import { holdsInstance, type Instance, type Snapshot } from '../model.js';

/** Task states that still hold an instance: anything not yet stopped. */
function stillRunning(instance: Instance): number {
  return instance.tasks.filter(holdsInstance).length;
}

export interface TerminatingInstance {
  asg: string;
  instanceId: string;
  hookName: string;
}

export function decideTerminating(snapshot: Snapshot, group: GroupConfig, target: TerminatingInstance, now: Date): Action[] {
  const { asg, instanceId, hookName } = target;
  const instance = snapshot.instances.find((i) => i.ec2InstanceId === instanceId);
  const complete = (result: 'CONTINUE' | 'ABANDON', reason: string): Action => ({ kind: 'completeLifecycleAction', asg, hookName, instanceId, result, reason });
  if (!instance || instance.status === 'INACTIVE' || instance.status === 'DEREGISTERING') {
    return [complete('CONTINUE', `${instanceId} is not registered in cluster ${snapshot.cluster}`)];
  }
  const actions: Action[] = [];
  const startedAttr = instance.attributes[ATTRIBUTES.drainStarted];
  const started = startedAttr !== undefined && !Number.isNaN(Date.parse(startedAttr)) ? new Date(startedAttr) : now;
  if (instance.status === 'ACTIVE') {
    actions.push({ kind: 'drain', cluster: snapshot.cluster, containerInstanceArns: [instance.id], reason: `${asg} is terminating ${instanceId}` });
  }
  if (startedAttr === undefined) {
    actions.push({ kind: 'markInstance', cluster: snapshot.cluster, containerInstanceArn: instance.id, attribute: ATTRIBUTES.drainStarted, value: now.toISOString(), reason: 'drain timeout counts from here' });
  }
  const running = stillRunning(instance);
  if (running === 0) return [...actions, complete('CONTINUE', `no task left on ${instanceId}`)];
  const elapsed = (now.getTime() - started.getTime()) / 1000;
  if (elapsed >= group.drainTimeoutSeconds) {
    return [...actions, complete(group.drainTimeoutResult, `drain timed out after ${Math.round(elapsed)} s with ${running} task(s) still on ${instanceId}`)];
  }
  return [...actions, { kind: 'heartbeatLifecycleAction', asg, hookName, instanceId, reason: `${running} task(s) still on ${instanceId}, ${Math.round(group.drainTimeoutSeconds - elapsed)} s of drain timeout left` }];
}
