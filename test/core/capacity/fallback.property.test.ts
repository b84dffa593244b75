import fc from 'fast-check';
import { plan } from '../../../src/core/capacity/index.js';
import { scaleOutActions } from '../../../src/core/capacity/scale-out.js';
import { stalledUnits } from '../../../src/core/capacity/unavailable.js';
import type { Snapshot } from '../../../src/core/model.js';
import { snapshotArb } from '../../support/arbitraries.js';
import { verifyPlan } from '../../support/verify-plan.js';

jest.setTimeout(120_000);

type Marking = 'none' | 'closed' | 'on-demand-instead';

/** The snapshot with each group marked (or not) unavailable until after it was taken. */
function marked(s: Snapshot, marks: Marking[]): Snapshot {
  return {
    ...s,
    groups: s.groups.map((g, gi) => {
      const m = marks[gi % marks.length] ?? 'none';
      if (m === 'none') return g;
      const unavailable = { until: '2026-11-24T12:03:00.000Z', at: '2026-11-24T12:00:00.000Z', class: 'spot-capacity' as const, attempts: 1, reason: 'InsufficientInstanceCapacity' };
      return { ...g, unavailable, ...(m === 'on-demand-instead' ? { onDemandFallback: { base: 1 } } : {}) };
    }),
  };
}

describe('Property: plan with groups marked unavailable', () => {
  it('never sends a pinned task to a group its strategy does not name, never counts a closed group’s phantom units, raises a base by exactly the stalled units', () => {
    fc.assert(
      fc.property(snapshotArb({ maxPending: 30 }), fc.array(fc.constantFrom<Marking>('none', 'closed', 'on-demand-instead'), { minLength: 1, maxLength: 3 }), (base, marks) => {
        const s = marked(base, marks);
        const p = plan(s);
        // Capacity dimensions, ports, constraints, and a pinned task only in its own group.
        expect(verifyPlan(s, p)).toEqual([]);
        for (const [gi, g] of s.groups.entries()) {
          const m = marks[gi % marks.length];
          const gp = p.groups.find((x) => x.name === g.name)!;
          if (m === 'closed') {
            // Only registered instances and the instances the ASG lists as launching: nothing drawn from desired's phantom units, nothing new.
            const listed = new Map(g.launching.map((l) => [l.type, l.count]));
            for (const { instance } of p.placements) {
              const [kind, group, type, n] = instance.split(':');
              if (group !== g.name) continue;
              expect(kind).not.toBe('new');
              if (kind === 'launching') expect(Number(n)).toBeLessThanOrEqual(listed.get(type!) ?? 0);
            }
            expect(gp.desired).toBeLessThanOrEqual(Math.max(g.desired, g.min));
            expect(gp.onDemandBase).toBeUndefined();
          }
          if (m === 'on-demand-instead') {
            const listed = g.desired - stalledUnits(s, g);
            const stalledAfter = Math.max(0, gp.desired - listed);
            // Exactly the stalled units, never more on-demand than desired.
            const target = Math.min(Math.max(gp.desired, 1), 1 + stalledAfter);
            if (target > 1) expect(gp.onDemandBase).toMatchObject({ previous: 1, target, covers: gp.desired });
            else expect(gp.onDemandBase).toBeUndefined();
          }
          if (m !== 'closed') continue;
          const raised = scaleOutActions(p, 'x').filter((a) => a.kind === 'setDesiredCapacity' && a.asg === g.asg);
          expect(raised).toEqual([]);
        }
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 200) },
    );
  });
});
