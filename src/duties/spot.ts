/** Spot drain: an interruption warning drains the instance and launches its replacement at once (docs/controller.md). */
import type { ClusterObservation, Duty } from '../controller.js';
import { ATTRIBUTES } from '../core/actions.js';
import { decideRebalanceRecommendation, decideSpotInterruption } from '../core/drain/spot.js';
import { because } from './decision.js';
import { observeInstance } from './observe-instance.js';

/** Why an instance event changed nothing: it was handled before (drained, replacement requested). */
export function alreadyHandled({ snapshot }: ClusterObservation, ec2InstanceId: string): string {
  const instance = snapshot.instances.find((i) => i.ec2InstanceId === ec2InstanceId);
  if (!instance) return `${ec2InstanceId} is not in the snapshot`;
  const requested = instance.attributes[ATTRIBUTES.replacementRequested];
  return `${ec2InstanceId} is ${instance.status}${requested ? `, its replacement was requested at ${requested}` : ''}: already handled`;
}

export const spotDuty: Duty<'spot-interruption'> = {
  name: 'spot-interruption',
  kinds: ['spot-interruption'],
  observe: (event, ctx) => observeInstance(event.instanceId, ctx),
  decide: (event, observation, now) =>
    because(decideSpotInterruption(observation.snapshot, observation.cluster, event.instanceId, now), alreadyHandled(observation, event.instanceId)),
};

export const rebalanceDuty: Duty<'rebalance-recommendation'> = {
  name: 'rebalance-recommendation',
  kinds: ['rebalance-recommendation'],
  observe: (event, ctx) => observeInstance(event.instanceId, ctx),
  decide: (event, observation, now) => {
    const { cluster, snapshot } = observation;
    const group = cluster.groups.find((g) => g.name === snapshot.instances.find((i) => i.ec2InstanceId === event.instanceId)?.group);
    const why = group?.rebalance === 'ignore' ? `group ${group.name}'s rebalance policy is ignore` : alreadyHandled(observation, event.instanceId);
    return because(decideRebalanceRecommendation(snapshot, cluster, event.instanceId, now), why);
  },
};
