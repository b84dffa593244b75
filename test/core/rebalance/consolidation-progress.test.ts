/** Issue 14: consolidation capped per tick, going on where it stopped, and skipped on an unchanged state. */
import fc from 'fast-check';
import { parseConfig } from '../../../src/config/load.js';
import type { ClusterConfig } from '../../../src/config/schema.js';
import { consolidationFingerprint, consolidationMoves } from '../../../src/core/rebalance/consolidate.js';
import { reconcilePlan, type ConsolidationProgress } from '../../../src/core/reconcile/reconcile.js';
import type { Snapshot } from '../../../src/core/model.js';
import { loadedGroup } from '../../support/builders.js';

const NOW = new Date('2026-11-24T03:00:00Z');

function cluster(consolidation: Record<string, unknown> = {}): ClusterConfig {
  return parseConfig({ clusters: [{ name: 'c', groups: [{ name: 'g', asg: 'asg-g' }], consolidation: { enabled: true, maxDrainingPercent: 100, ...consolidation } }] }).clusters[0]!;
}

const snapshot = (loads: number[]): Snapshot => loadedGroup(loads, { takenAt: NOW });

const consolidating = (p: { actions: Array<{ kind: string; reason: string }> }) => p.actions.filter((a) => a.kind === 'drain' && a.reason.startsWith('consolidate:'));

describe('Function: consolidationMoves (per-tick cap)', () => {
  it('tries at most maxCandidatesPerTick candidates and says where it stopped', () => {
    // Prepare: full instances and one with a single task: nothing can move anywhere.
    const s = snapshot([4, 4, 4, 1]);
    // Act
    const first = consolidationMoves(s, cluster({ maxCandidatesPerTick: 3 }), NOW);
    const next = consolidationMoves(s, cluster({ maxCandidatesPerTick: 3 }), NOW, first.reached);
    // Assess
    expect(first).toMatchObject({ moves: [], reached: 3, exhausted: false });
    expect(next).toMatchObject({ moves: [], reached: 4, exhausted: true });
  });
});

describe('Function: reconcilePlan (consolidation progress)', () => {
  it('does not run consolidation again on a state every candidate of which was tried; runs it once the state changes', () => {
    const c = cluster({ maxCandidatesPerTick: 2 });
    const s = snapshot([4, 4, 4, 1]);
    const t1 = reconcilePlan(s, c, NOW);
    const t2 = reconcilePlan(s, c, NOW, t1.progress);
    const t3 = reconcilePlan(s, c, NOW, t2.progress);
    expect(t1.progress?.tried).toBe(2);
    expect(t2.progress?.tried).toBe('all');
    expect(t3).toEqual({ actions: t2.actions, notes: [], consolidationUnchanged: true, progress: t2.progress });
    // A task stopped on ci-0: the state is another, the pass runs and ci-3's task now fits there.
    const changed = snapshot([3, 4, 4, 1]);
    expect(consolidationFingerprint(changed, c)).not.toBe(t2.progress?.state);
    const t4 = reconcilePlan(changed, c, NOW, t3.progress ?? t2.progress);
    expect(consolidating(t4).length).toBeGreaterThan(0);
    expect(t4.progress).toBeUndefined();
  });

  it('reads the same state in another order as the same state', () => {
    const s = snapshot([4, 2, 1]);
    const reordered = { ...s, instances: [...s.instances].reverse().map((i) => ({ ...i, tasks: [...i.tasks].reverse() })) };
    expect(consolidationFingerprint(reordered, cluster())).toBe(consolidationFingerprint(s, cluster()));
  });

  it('with any cap, ticks on an unchanged state find a move exactly when one uncapped pass does (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 7 }), fc.integer({ min: 1, max: 3 }), (loads, cap) => {
        const s = snapshot(loads);
        const uncapped = consolidating(reconcilePlan(s, cluster({ maxCandidatesPerTick: 1000 }), NOW));
        const c = cluster({ maxCandidatesPerTick: cap });
        let last: ConsolidationProgress | undefined;
        let found = 0;
        for (let tick = 0; tick <= Math.ceil(loads.length / cap); tick += 1) {
          const p = reconcilePlan(s, c, NOW, last);
          found = consolidating(p).length;
          if (found > 0 || p.consolidationUnchanged) break;
          last = p.progress;
        }
        expect(found > 0).toBe(uncapped.length > 0);
      }),
      { numRuns: 60 },
    );
  });
});
