/**
 * A property over generated fault plans (simulation tier, a CI-sized number of plans; `npm run
 * bench:faults` runs the shipped scenarios): whatever the faults, ecs-pilot never terminates a busy
 * instance, never kills a task by scale-in and never asks for desired capacity outside the group's
 * bounds; and the fault layer injects only the kinds the plan names, only before the plan's end.
 */
import fc from 'fast-check';
import { FAULT_KINDS, type FaultKind, type FaultPlan } from '../../src/sim/faults/plan.js';
import { simulate } from '../../src/sim/run.js';
import { loadScenario, type LoadedScenario } from '../../src/sim/scenario.js';

const tiny = loadScenario('test/fixtures/simulate/tiny.yml');
const kinds = Object.keys(FAULT_KINDS) as FaultKind[];
const rate = fc.option(fc.double({ min: 0.01, max: 0.3, noNaN: true }), { nil: undefined });
const planArb = fc.record({
  rates: fc.record(Object.fromEntries(kinds.map((k) => [k, k === 'event-delay' ? fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }) : rate])) as Record<FaultKind, fc.Arbitrary<number | undefined>>),
  seed: fc.integer({ min: 0, max: 2 ** 31 }),
  mode: fc.constantFrom('on' as const, 'off' as const),
});

describe('faults: generated plans', () => {
  it('safety holds and only the planned kinds are injected', async () => {
    await fc.assert(
      fc.asyncProperty(planArb, async ({ rates, seed, mode }) => {
        const planned = Object.fromEntries(Object.entries(rates).filter(([, v]) => v !== undefined)) as FaultPlan['rates'];
        const scenario: LoadedScenario = { ...tiny, scenario: { ...tiny.scenario, durationMinutes: 30, settings: { ...tiny.scenario.settings, managedScaling: mode } } };
        const r = await simulate(scenario, 'ecs-pilot', { store: true, faults: { rates: planned, untilSeconds: 900, seed } });
        expect(r.invariants).toMatchObject({ busyInstancesTerminated: 0, killedByScaleIn: 0, desiredOutOfBounds: 0 });
        for (const k of kinds) if (planned[k] === undefined) expect([k, r.faults?.injected[k]]).toEqual([k, 0]);
      }),
      { numRuns: 25, seed: 21 },
    );
  });
});
