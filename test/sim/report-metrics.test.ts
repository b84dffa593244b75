/**
 * Issue 24, item 7: what the report counts, measured on a small scenario (one service 1 → 6 tasks at
 * minute 1 on a one-instance cluster, then a RunTask of 4 five-minute tasks at minute 5).
 */
import { scenarioMarkers } from '../../src/sim/markers.js';
import { simulate } from '../../src/sim/run.js';
import { loadScenario } from '../../src/sim/scenario.js';

const TINY = 'test/fixtures/simulate/tiny.yml';

describe('Function: simulate — the figures the report draws', () => {
  it('the demand as asked for leads the tasks ECS has created while capacity launches (managed scaling off)', async () => {
    // Prepare
    const loaded = loadScenario(TINY);
    // Act
    const r = await simulate(loaded, 'ecs-pilot');
    // Assess: 6 × 512 CPU units asked for from minute 1; the one instance (2 vCPU) holds 4 until the next one is ACTIVE
    const at = (minute: number) => r.series.find((p) => p.minute === minute);
    expect(at(2)).toEqual(expect.objectContaining({ askedVcpu: 3, demandVcpu: 2, capacityVcpu: 2 }));
    // the RunTask of 4 × 512 at minute 5, asked for until the tasks end
    expect(at(6)?.askedVcpu).toBe(5);
    expect(at(19)?.askedVcpu).toBe(3);
  });

  it('counts the tasks running at the end apart from the asked-for tasks that reached RUNNING', async () => {
    const r = await simulate(loadScenario(TINY), 'ecs-pilot');
    expect(r.metrics.tasksRunning).toBe(9); // 5 more web tasks and 4 RunTask tasks reached RUNNING
    expect(r.metrics.tasksRunningAtEnd).toBe(6); // the RunTask tasks ended: web's 6 run
  });

  it('leaves instances of a type with no price out of the cost and says how many hours', async () => {
    const loaded = loadScenario(TINY);
    const priced = await simulate(loaded, 'ecs-pilot');
    const types = Object.fromEntries(Object.entries(loaded.snapshot.instanceTypes).map(([k, { pricePerHour: _, ...t }]) => [k, t]));
    const unpriced = await simulate({ ...loaded, snapshot: { ...loaded.snapshot, instanceTypes: types } }, 'ecs-pilot');
    expect(priced.metrics.unpricedInstanceHours).toBe(0);
    expect(priced.metrics.cost).toBeGreaterThan(0);
    expect(unpriced.metrics.cost).toBe(0);
    expect(unpriced.metrics.unpricedInstanceHours).toBe(unpriced.metrics.instanceHours);
  });

  it("marks the scenario's happenings once, from one list (src/sim/markers.ts)", async () => {
    const loaded = loadScenario('events/scenarios/burst.yml');
    const r = await simulate({ ...loaded, scenario: { ...loaded.scenario, durationMinutes: 2 } }, 'ecs-managed');
    expect(r.markers).toEqual(scenarioMarkers(loaded.scenario, loaded.snapshot));
    expect(r.markers).toEqual([
      { minute: 1, label: 'web 3 → 150' },
      { minute: 1, label: 'api 3 → 100' },
      { minute: 1, label: 'worker 3 → 50' },
    ]);
  });
});
