/** Service scaling: alarm steps and scheduled bounds, with the instances for new tasks in the same step (docs/service-scaling.md). */
import type { ServiceScalingRule } from '../config/schema.js';
import type { ClusterObservation, Duty } from '../controller.js';
import type { Action } from '../core/actions.js';
import { capacityForServiceChange } from '../core/scaling/capacity.js';
import { decideAlarmScaling, decideScheduledScaling } from '../core/scaling/service-scaling.js';
import { readService, type ServiceView } from '../aws/service-reader.js';
import { readClusterSnapshot } from '../aws/snapshot-reader.js';

export interface ScalingObservation extends ClusterObservation {
  rule: ServiceScalingRule;
  service: ServiceView;
}

export const scalingDuty: Duty<'alarm-state-change' | 'service-scaling-schedule', ScalingObservation> = {
  name: 'scaling',
  kinds: ['alarm-state-change', 'service-scaling-schedule'],
  async observe(event, ctx) {
    const rule =
      event.kind === 'alarm-state-change'
        ? ctx.config.serviceScaling.find((r) => r.alarms.some((a) => a.alarm === event.alarmName))
        : ctx.config.serviceScaling.find((r) => r.cluster === event.cluster && r.service === event.service);
    if (!rule) return event.kind === 'alarm-state-change' ? `alarm ${event.alarmName} drives no configured service` : `service ${event.service} has no scaling rule`;
    const scalesIn = event.kind === 'alarm-state-change' && event.state === 'OK' && rule.alarms.some((a) => a.alarm === event.alarmName && a.okSteps !== undefined);
    if (event.kind === 'alarm-state-change' && event.state !== 'ALARM' && !scalesIn) return `alarm ${event.alarmName} is ${event.state}: nothing to do`;
    const cluster = ctx.config.clusters.find((c) => c.name === rule.cluster);
    if (!cluster) return `cluster ${rule.cluster} is not configured`;
    const service = await readService(ctx.clients, rule);
    if (!service) return `service ${rule.service} not found in cluster ${rule.cluster}`;
    const snapshot = await readClusterSnapshot({ clients: ctx.clients, cluster, now: ctx.now, state: ctx.state });
    return [{ cluster, snapshot, rule, service }];
  },
  decide(event, { snapshot, rule, service }, now) {
    let changes: Action[];
    if (event.kind === 'alarm-state-change') {
      const signal = { eventId: event.id, alarmName: event.alarmName, state: event.state, metricValue: event.metricValue, threshold: event.threshold, suppressed: event.suppressed };
      const d = decideAlarmScaling(rule, signal, service.state, now);
      if ('skip' in d) return { actions: [], reason: d.skip };
      changes = [d.change];
    } else {
      changes = decideScheduledScaling(rule, event.schedule, event.id, service.state, now);
      if (changes.length === 0) return { actions: [], reason: `${rule.service} already within the schedule's bounds` };
    }
    return { actions: [...changes.flatMap((c) => capacityForServiceChange(c, snapshot, service)), ...changes] };
  },
};
