/** Turns a plan into desired-capacity changes that only ever go up (event-driven scale-out). */
import type { Action } from '../actions.js';
import type { CapacityPlan } from './types.js';

export function scaleOutActions(result: CapacityPlan, why: string): Action[] {
  return result.groups
    .filter((g) => g.desired > g.current)
    .map((g) => ({
      kind: 'setDesiredCapacity' as const,
      asg: g.asg,
      desired: g.desired,
      previous: g.current,
      reason: `${why}: ${g.newInstances.map((n) => `${n.count} × ${n.type}`).join(', ') || 'headroom'} in ${g.name}`,
    }));
}
