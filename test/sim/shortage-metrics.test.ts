import { spotShare, spotShareRecovery } from '../../src/sim/shortage-metrics.js';
import type { Scenario } from '../../src/sim/scenario.js';
import type { SimInstance } from '../../src/sim/state.js';

const scenario = (timeline: unknown[]) => ({ timeline }) as unknown as Scenario;
const short = (at: number, forSeconds: number) => ({ at, capacityShortage: { group: 'spot', forSeconds, error: 'spot-capacity' } });
const series = (shares: number[]) => shares.map((spotShare, minute) => ({ minute, spotShare }));

describe('Function: spotShareRecovery (capacity returns: the spot share back to 90 % of its value before the shortage)', () => {
  it.each([
    ['back two minutes after the shortage ends', [short(0, 120)], series([0.8, 0.2, 0.2, 0.5, 0.72, 0.8]), 120], ['exactly 90 % counts', [short(0, 60)], series([1, 0.5, 0.9]), 60],
    ['just below 90 %: not back by the end', [short(0, 120)], series([0.8, 0.2, 0.2, 0.5, 0.71]), null],
    ['the value at the minute the first shortage began, the end of the last one', [short(60, 60), short(120, 120)], series([0.5, 1, 0.3, 0.3, 0.95]), 0],
  ])('%s', (_name, timeline, points, seconds) => {
    expect(spotShareRecovery(scenario(timeline), points)).toBe(seconds);
  });

  it('has nothing to say without a shortage, or without spot before it', () => {
    expect(spotShareRecovery(scenario([]), series([1, 1]))).toBeUndefined();
    expect(spotShareRecovery(scenario([short(0, 60)]), series([0, 0, 1]))).toBeUndefined();
  });

  it('counts the instances on the spot market', () => {
    const i = (arn: string) => ({ arn }) as SimInstance;
    expect(spotShare([i('a'), i('b'), i('c')], new Map([['a', 'spot'], ['b', 'on-demand']]))).toBe(0.333);
    expect(spotShare([], new Map())).toBe(0);
  });
});
