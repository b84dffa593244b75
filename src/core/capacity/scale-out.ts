/**
 * Turns a plan into desired-capacity changes that only ever go up (event-driven scale-out), and, for a
 * group marked unavailable that launches on-demand instead, the raise of its on-demand base.
 */
import type { Action } from '../actions.js';
import type { CapacityPlan } from './types.js';

export function scaleOutActions(result: CapacityPlan, why: string): Action[] {
  const actions: Action[] = [];
  for (const g of result.groups) {
    // The base first: the units then launch on-demand rather than fail once more on spot.
    if (g.onDemandBase) {
      const b = g.onDemandBase;
      actions.push({
        kind: 'setOnDemandBase',
        asg: g.asg,
        base: b.target,
        previous: b.previous,
        raisedFrom: b.raisedFrom,
        at: b.at,
        covers: b.covers,
        forMark: b.forMark,
        reason: `${why}: group ${g.name} is unavailable (${b.because}); ${b.stalledUnits} stalled unit(s) launch on-demand in ${g.name}`,
      });
    }
    if (g.desired > g.current) {
      actions.push({
        kind: 'setDesiredCapacity' as const,
        asg: g.asg,
        desired: g.desired,
        previous: g.current,
        reason: `${why}: ${g.newInstances.map((n) => `${n.count} × ${n.type}`).join(', ') || 'headroom'} in ${g.name}`,
      });
    }
  }
  return actions;
}
