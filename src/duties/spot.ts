/**
 * Spot drain: an interruption warning — or an AWS Health scheduled change — drains the instance and
 * launches its replacement at once (docs/controller.md).
 */
import type { ClusterObservation, Duty, DutyContext } from '../controller.js';
import { decideScheduledChange } from '../core/drain/scheduled-change.js';
import type { HealthScheduledChange } from '../events/index.js';
import { ATTRIBUTES } from '../core/actions.js';
import { decideRebalanceRecommendation, decideSpotDrainFirst, decideSpotInterruption } from '../core/drain/spot.js';
import type { Decision } from '../controller.js';
import { because } from './decision.js';
import { observeInstance, observeInstanceWithSpotGroup, type InstanceObservation } from './observe-instance.js';

/** A decision made on part of what it wanted to read says so in the record. */
function withPartial(decision: Decision, observation: InstanceObservation): Decision {
  return observation.partial ? { ...decision, notes: [...(decision.notes ?? []), observation.partial] } : decision;
}

/** Why an instance event changed nothing: it was handled before (drained, replacement requested). */
export function alreadyHandled({ snapshot }: ClusterObservation, ec2InstanceId: string): string {
  const instance = snapshot.instances.find((i) => i.ec2InstanceId === ec2InstanceId);
  if (!instance) return `${ec2InstanceId} is not in the snapshot`;
  const requested = instance.attributes[ATTRIBUTES.replacementRequested];
  return `${ec2InstanceId} is ${instance.status}${requested ? `, its replacement was requested at ${requested}` : ''}: already handled`;
}

/** The instances of an AWS Health EC2 scheduled change, each in its cluster; a string when none is ours. */
async function observeScheduledChange(event: HealthScheduledChange, ctx: DutyContext): Promise<ClusterObservation[] | string> {
  if (event.service !== 'EC2' || event.category !== 'scheduledChange') return `AWS Health ${event.service} ${event.category} event: not an EC2 scheduled change`;
  if (event.statusCode === 'closed') return `scheduled change ${event.eventTypeCode} is closed`;
  if (event.instanceIds.length === 0) return `scheduled change ${event.eventTypeCode} names no EC2 instance`;
  const out: ClusterObservation[] = [];
  const skipped: string[] = [];
  for (const id of event.instanceIds) {
    const observed = await observeInstance(id, ctx);
    if (typeof observed === 'string') skipped.push(observed);
    else out.push(...observed);
  }
  return out.length > 0 ? out : skipped.join('; ');
}

/**
 * Spot interruption warnings, and AWS Health scheduled changes of EC2 instances. A warning drains its
 * instance first, from the event alone (`essential`), then reads and launches the replacement; a
 * scheduled change, days ahead, raises the replacement first and then drains.
 */
export const spotDuty: Duty<'spot-interruption' | 'health-scheduled-change', InstanceObservation> = {
  name: 'spot',
  kinds: ['spot-interruption', 'health-scheduled-change'],
  essential: (event, config) => (event.kind === 'spot-interruption' ? { actions: decideSpotDrainFirst(config.clusters.map((c) => c.name), event.instanceId) } : { actions: [] }),
  observe: (event, ctx) => (event.kind === 'spot-interruption' ? observeInstanceWithSpotGroup(event.instanceId, ctx, { drainedFirst: true }) : observeScheduledChange(event, ctx)),
  decide: (event, observation, now) => {
    if (event.kind === 'spot-interruption') {
      return withPartial(because(decideSpotInterruption(observation.snapshot, observation.cluster, event.instanceId, now), alreadyHandled(observation, event.instanceId)), observation);
    }
    const id = event.instanceIds.find((i) => observation.snapshot.instances.some((x) => x.ec2InstanceId === i)) ?? '';
    return because(decideScheduledChange(observation.snapshot, observation.cluster, id, event, now), alreadyHandled(observation, id));
  },
};

export const rebalanceDuty: Duty<'rebalance-recommendation', InstanceObservation> = {
  name: 'rebalance',
  dependsOn: ['capacityRebalance'],
  kinds: ['rebalance-recommendation'],
  observe: (event, ctx) => observeInstanceWithSpotGroup(event.instanceId, ctx),
  decide: (event, observation, now) => {
    const { cluster, snapshot } = observation;
    const group = cluster.groups.find((g) => g.name === snapshot.instances.find((i) => i.ec2InstanceId === event.instanceId)?.group);
    const why = group?.rebalance === 'ignore' ? `group ${group.name}'s rebalance policy is ignore` : alreadyHandled(observation, event.instanceId);
    return withPartial(because(decideRebalanceRecommendation(snapshot, cluster, event.instanceId, now), why), observation);
  },
};
