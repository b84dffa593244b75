/**
 * Issue 21: a RunTask burst whose events arrive over 60 s is sized in at most two raises (the
 * capacity duty's hold, docs/capacity.md). nightly-batch with managed scaling off: 200 tasks, 20
 * failed calls, every event delayed up to 60 s. Simulation tier.
 */
import { simulate } from '../../src/sim/run.js';
import { loadScenario, type LoadedScenario } from '../../src/sim/scenario.js';

const base = loadScenario('events/scenarios/nightly-batch.yml');
// The burst and its placement: the first 20 minutes are enough.
const nightly: LoadedScenario = { ...base, scenario: { ...base.scenario, durationMinutes: 20, settings: { ...base.scenario.settings, managedScaling: 'off' } } };

describe('a RunTask burst over several SQS batches', () => {
  it.each([1, 2])('events delayed up to 60 s (seed %i): at most two raises, every task placed, no more instances than without the delay', async (seed) => {
    const delayed = await simulate(nightly, 'ecs-pilot', { store: true, faults: { rates: { 'event-delay': 60 }, untilSeconds: 1200, seed } });
    const prompt = await simulate(nightly, 'ecs-pilot', { store: true, faults: { rates: {}, untilSeconds: 1200, seed } });
    expect(prompt.metrics.desiredWritesMax10Min).toBe(1);
    expect(delayed.metrics.desiredWritesMax10Min).toBeLessThanOrEqual(2);
    expect(delayed.metrics).toEqual(expect.objectContaining({ tasksRunning: 200, tasksNeverPlaced: 0, lostTasks: 0 }));
    expect(Math.max(...delayed.series.map((p) => p.instances))).toBeLessThanOrEqual(Math.max(...prompt.series.map((p) => p.instances)));
  });
});
