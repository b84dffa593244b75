import fc from 'fast-check';
import { configForSnapshot } from '../../src/config/load.js';
import { simulate } from '../../src/sim/run.js';
import { loadScenario, parseScenario } from '../../src/sim/scenario.js';

const cluster = loadScenario('events/scenarios/burst.yml').snapshot;

describe('Property: the simulator in both modes', () => {
  it('managed scaling off: no task ever in PROVISIONING; on: ECS queues; every task placed, nothing lost', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ web: fc.integer({ min: 1, max: 40 }), api: fc.integer({ min: 1, max: 30 }), worker: fc.integer({ min: 1, max: 20 }), at: fc.integer({ min: 0, max: 300 }), mode: fc.constantFrom('on' as const, 'off' as const) }),
        async ({ web, api, worker, at, mode }) => {
          const scenario = parseScenario({
            name: 'generated',
            cluster: 'burst-cluster.json',
            durationMinutes: 20,
            settings: { managedScaling: mode, tickSeconds: 15 },
            timeline: [
              { at, setDesired: { service: 'web', count: web } },
              { at, setDesired: { service: 'api', count: api } },
              { at, setDesired: { service: 'worker', count: worker } },
            ],
          });
          const r = await simulate({ scenario, snapshot: cluster }, 'ecs-pilot');
          if (mode === 'off') expect(r.metrics.provisioningSeen).toBe(0);
          expect(r.metrics).toEqual(expect.objectContaining({ lostTasks: 0, killedByScaleIn: 0, tasksNeverPlaced: 0, controllerErrors: 0 }));
          expect(r.metrics.tasksRunning).toBe(r.metrics.tasksSubmitted);
        },
      ),
      { numRuns: 8, seed: 9 },
    );
  });
});

const spotCluster = loadScenario('events/scenarios/spot-wave.yml').snapshot;

describe('Property: spot waves in both modes, with and without consolidation and spare room', () => {
  it('nothing lost, nothing killed by a scale-in, no PROVISIONING with managed scaling off, every service back at its count', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          fraction: fc.constantFrom(0.1, 0.25, 0.5),
          overSeconds: fc.integer({ min: 0, max: 300 }),
          at: fc.integer({ min: 60, max: 600 }),
          mode: fc.constantFrom('on' as const, 'off' as const),
          consolidation: fc.boolean(),
          spare: fc.constantFrom(0, 1, 3),
        }),
        async ({ fraction, overSeconds, at, mode, consolidation, spare }) => {
          const scenario = parseScenario({
            name: 'generated-spot',
            cluster: 'spot-wave-cluster.json',
            durationMinutes: 30,
            settings: { managedScaling: mode, tickSeconds: 15 },
            fallbackGroups: { spot: 'od' },
            timeline: [{ at, spotInterruption: { group: 'spot', fraction, overSeconds } }],
          });
          const config = configForSnapshot(spotCluster);
          const withSpare = { ...config, clusters: config.clusters.map((c) => ({ ...c, spotSpareInstances: spare, groups: c.groups.map((g) => (g.name === 'spot' ? { ...g, fallbackGroup: 'od' } : g)) })) };
          const r = await simulate({ scenario, snapshot: spotCluster }, 'ecs-pilot', { consolidation, config: withSpare, store: true });
          if (mode === 'off') expect(r.metrics.provisioningSeen).toBe(0);
          expect(r.metrics).toEqual(expect.objectContaining({ lostTasks: 0, killedByScaleIn: 0, tasksNeverPlaced: 0, controllerErrors: 0 }));
        },
      ),
      { numRuns: 10, seed: 21 },
    );
  });
});
