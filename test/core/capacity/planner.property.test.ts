import fc from 'fast-check';
import { applyPlan, plan } from '../../../src/core/capacity/index.js';
import type { Snapshot } from '../../../src/core/model.js';
import { snapshotArb } from '../../support/arbitraries.js';
import { verifyPlan } from '../../support/verify-plan.js';

const RUNS = { numRuns: Number(process.env.FC_RUNS ?? 300) };

function withoutLaunchingDetail(s: Snapshot, desired: Map<string, number>): Snapshot {
  return { ...s, groups: s.groups.map((g) => ({ ...g, desired: desired.get(g.name) ?? g.desired })) };
}

describe('Property: plan', () => {
  it('never exceeds a dimension, never collides ports, keeps constraints, places or explains every task, stays ≥ lowerBound', () => {
    fc.assert(
      fc.property(snapshotArb(), (s) => {
        expect(verifyPlan(s, plan(s))).toEqual([]);
      }),
      RUNS,
    );
  });

  it('holds without prices too (types chosen by fit)', () => {
    fc.assert(
      fc.property(snapshotArb({ prices: false }), (s) => {
        expect(verifyPlan(s, plan(s))).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(snapshotArb(), (s) => {
        expect(plan(structuredClone(s))).toEqual(plan(s));
      }),
      { numRuns: 100 },
    );
  });

  it('is a fixed point: once the groups launch what it asked for, planning again changes nothing', () => {
    fc.assert(
      fc.property(snapshotArb(), (s) => {
        const first = plan(s);
        const again = plan(applyPlan(s, first));
        expect(again.groups.map((g) => g.newUnits)).toEqual(first.groups.map(() => 0));
        if (first.unplaceable.length === 0) {
          expect(again.groups.map((g) => g.desired)).toEqual(first.groups.map((g) => g.desired));
        } else {
          // A task stuck at a group's max may land on an instance the ASG adds when it rounds the
          // headroom up to whole instances; desired may then rise towards max, never past it.
          again.groups.forEach((g, i) => expect(g.desired).toBeGreaterThanOrEqual(first.groups[i]!.desired));
        }
        // The ASG rounds desired up to whole instances, so the world may hold more than was asked: never less.
        expect(again.unplaceable.length).toBeLessThanOrEqual(first.unplaceable.length);
      }),
      RUNS,
    );
  });

  it('is a fixed point on desired capacity alone when each group has one instance type', () => {
    fc.assert(
      fc.property(snapshotArb({ singleType: true }), (s) => {
        const noLaunching = { ...s, groups: s.groups.map((g) => ({ ...g, launching: [] })) };
        const first = plan(noLaunching);
        fc.pre(first.unplaceable.length === 0);
        const again = plan(withoutLaunchingDetail(noLaunching, new Map(first.groups.map((g) => [g.name, g.desired]))));
        expect(again.groups.map((g) => [g.name, g.desired, g.newUnits])).toEqual(first.groups.map((g) => [g.name, g.desired, 0]));
      }),
      RUNS,
    );
  });

  it('is never worse than plain first-fit-decreasing', () => {
    fc.assert(
      fc.property(snapshotArb(), (s) => {
        const best = plan(s);
        const ffd = plan(s, { orderings: ['dominant'] });
        const cost = (p: ReturnType<typeof plan>) => [p.unplaceable.length, p.groups.reduce((a, g) => a + g.newUnits, 0)];
        const [bu, bn] = cost(best);
        const [fu, fn] = cost(ffd);
        expect(bu! < fu! || (bu === fu && bn! <= fn! + 1e-9) || best.ordering !== 'dominant').toBe(true);
        expect(bu).toBeLessThanOrEqual(fu!);
      }),
      { numRuns: 150 },
    );
  });
});
