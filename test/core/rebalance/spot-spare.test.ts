/** Issue 9: consolidation keeps room in a spot group for the tasks of its busiest instances (spot waves). */
import { parseConfig } from '../../../src/config/load.js';
import type { ClusterConfig } from '../../../src/config/schema.js';
import { consolidationMoves, keepsSpotSpare } from '../../../src/core/rebalance/consolidate.js';
import type { Snapshot } from '../../../src/core/model.js';
import { loadedGroup } from '../../support/builders.js';

const NOW = new Date('2026-11-24T03:00:00Z');

function cluster(spotSpareInstances?: number): ClusterConfig {
  const consolidation = { enabled: true, maxDrainingPercent: 100 };
  return parseConfig({ clusters: [{ name: 'c', groups: [{ name: 'g', asg: 'asg-g' }], consolidation, ...(spotSpareInstances === undefined ? {} : { spotSpareInstances }) }] }).clusters[0]!;
}

const snapshot = (loads: number[], lifecycle: 'spot' | 'on-demand'): Snapshot => loadedGroup(loads, { takenAt: NOW, lifecycle });

describe('Function: keepsSpotSpare', () => {
  it.each<[number[], number, boolean]>([
    [[2, 2, 2, 2], 1, true], // the busiest's 2 tasks, 6 free slots on the rest
    [[4, 4, 4, 0], 1, true], // an empty instance holds the busiest's 4
    [[4, 4, 4, 4], 1, false], // full: nowhere to go
    [[3, 3, 3, 3], 2, false], // 6 tasks, 2 free slots on the other two
    [[3, 3, 1, 1], 2, true], // 6 tasks, 6 free slots on the other two
    [[2, 2, 2], 2, false], // 4 tasks, 2 free slots on the last one
  ])('loads %j, spare %i: %s', (loads, spare, expected) => {
    expect(keepsSpotSpare(snapshot(loads, 'spot'), 'g', spare)).toBe(expected);
  });

  it('0 keeps no room', () => {
    expect(keepsSpotSpare(snapshot([4, 4], 'spot'), 'g', 0)).toBe(true);
  });
});

describe('Function: consolidationMoves in a spot group', () => {
  // Eight instances with one task each: without the spare room all but two drain (8 tasks fill two).
  const loads = [1, 1, 1, 1, 1, 1, 1, 1];

  it('drains nothing that would leave less room than the busiest instances’ tasks need', () => {
    const moves = consolidationMoves(snapshot(loads, 'spot'), cluster(1), NOW).moves;
    const after = 8 - moves.length;
    // 8 tasks on `after` instances, and the busiest one's tasks must fit in the rest's free slots.
    expect(after).toBeGreaterThanOrEqual(3);
    expect(moves.length).toBeGreaterThan(0);
  });

  it('keeps more with a larger spare, none with 0, and on-demand groups keep none (default 3)', () => {
    const spot0 = consolidationMoves(snapshot(loads, 'spot'), cluster(0), NOW).moves.length;
    const spot1 = consolidationMoves(snapshot(loads, 'spot'), cluster(1), NOW).moves.length;
    const spotDefault = consolidationMoves(snapshot(loads, 'spot'), cluster(), NOW).moves.length;
    const onDemand = consolidationMoves(snapshot(loads, 'on-demand'), cluster(), NOW).moves.length;
    expect(spot0).toBe(6);
    expect(onDemand).toBe(6);
    expect(spot1).toBeLessThan(spot0);
    expect(spotDefault).toBeLessThan(spot1);
  });
});
