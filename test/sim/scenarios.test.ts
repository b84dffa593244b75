import { runCli } from '../support/cli.js';
import { simulate } from '../../src/sim/run.js';
import { loadScenario, parseScenario } from '../../src/sim/scenario.js';
import { parseSnapshot } from '../../src/core/model.js';
import { SimulatedCluster } from '../../src/sim/world.js';
import { loadJson } from '../support/builders.js';
import { scenarioRun } from '../support/scenario-runs.js';

const scenario = (name: string) => loadScenario(`events/scenarios/${name}.yml`);

describe('Scenarios on the simulator', () => {
  it('burst: every service reaches its desired count, in one step, nothing lost, nothing killed by scale-in', async () => {
    const pilot = await scenarioRun('burst', 'ecs-pilot');
    const managed = await scenarioRun('burst', 'ecs-managed');
    expect(pilot.metrics).toEqual(expect.objectContaining({ lostTasks: 0, killedByScaleIn: 0, controllerErrors: 0 }));
    expect(pilot.metrics.tasksRunning).toBe(pilot.metrics.tasksSubmitted);
    // Simulated seconds (deterministic), not wall time: the burst is placed in under half ECS's time.
    expect(pilot.metrics.allPlacedSeconds * 2).toBeLessThanOrEqual(managed.metrics.allPlacedSeconds);
    // At the peak the cluster holds the demand with less than one instance to spare.
    const peak = pilot.series.find((p) => p.minute === 30)!;
    expect(peak.capacityVcpu - peak.demandVcpu).toBeLessThan(4);
    expect(peak.capacityVcpu).toBeGreaterThanOrEqual(peak.demandVcpu);
  });

  it('spot wave: ecs-pilot drains ahead of the reclaim, so no task is interrupted and none lost', async () => {
    const pilot = await scenarioRun('spot-wave', 'ecs-pilot');
    const managed = await scenarioRun('spot-wave', 'ecs-managed');
    expect(pilot.metrics).toEqual(expect.objectContaining({ interruptedTasks: 0, lostTasks: 0, killedByScaleIn: 0, controllerErrors: 0 }));
    expect(managed.metrics.interruptedTasks).toBeGreaterThan(0);
  });

  it('nightly batch: every run finishes, none killed', async () => {
    const pilot = await scenarioRun('nightly-batch', 'ecs-pilot');
    expect(pilot.metrics).toEqual(expect.objectContaining({ tasksSubmitted: 200, tasksRunning: 200, lostTasks: 0, killedByScaleIn: 0 }));
  });

  it('is deterministic', async () => {
    // The shared run against a fresh one.
    const a = await scenarioRun('spot-wave', 'ecs-pilot');
    const b = await simulate(scenario('spot-wave'), 'ecs-pilot');
    expect(a).toEqual(b);
  });
});

describe('ECS managed scaling model', () => {
  it('takes one lower-bound step, then waits for the instance warm-up before the next', async () => {
    const r = await scenarioRun('burst', 'ecs-managed');
    const instances = r.series.map((p) => p.instances);
    // 3 instances, then a first step at the first datapoint; no change during the 300 s warm-up.
    const firstStep = instances.findIndex((n) => n > 3);
    expect(firstStep).toBeGreaterThan(0);
    expect(new Set(instances.slice(firstStep, firstStep + 4)).size).toBe(1);
    expect(r.metrics.scalingActions).toBeGreaterThan(2);
  });

  it('scales in only after 15 datapoints below target', async () => {
    const r = await scenarioRun('burst', 'ecs-managed');
    // Demand drops at minute 60: still the full fleet 14 minutes later.
    expect(r.series.find((p) => p.minute === 74)!.instances).toBe(r.series.find((p) => p.minute === 59)!.instances);
  });
});

describe('SimulatedCluster', () => {
  it('keeps services at their desired count and launches what desired asks for', () => {
    const doc = loadJson('events/scenarios/spot-wave-cluster.json');
    const s = new SimulatedCluster(parseSnapshot(doc), parseScenario({ name: 't', cluster: 'x', durationMinutes: 10 }), { hooks: true });
    s.setDesired('spotwave-spot', 22);
    s.advance(s.startMs + 5_000);
    expect(s.members('spot').filter((i) => i.lifecycleState === 'Pending')).toHaveLength(2);
    s.advance(s.startMs + 130_000);
    expect(s.members('spot').filter((i) => i.status === 'ACTIVE')).toHaveLength(22);
    s.setServiceDesired('web', 25);
    s.advance(s.startMs + 135_000);
    s.advance(s.startMs + 155_000);
    expect(s.allTasks().filter((t) => t.group === 'service:web' && t.lastStatus === 'RUNNING')).toHaveLength(25);
  });
});

describe('CLI: ecs-pilot simulate', () => {
  it('prints the metrics', async () => {
    const r = await runCli('simulate', 'events/scenarios/spot-wave.yml', '--controller', 'ecs-managed');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Scenario spot-wave under ECS managed scaling:');
    expect(r.out).toMatch(/tasks interrupted by spot\s+18/);
  });

  it('flags override the scenario: the agent\'s spot draining and the warm-up', async () => {
    const r = await runCli('simulate', 'events/scenarios/spot-wave.yml', '--controller', 'ecs-managed', '--ecs-spot-draining', 'on', '--ecs-warmup', '120', '--ecs-target', '90', '--json');
    const out = JSON.parse(r.out);
    expect(out.settings).toEqual(expect.objectContaining({ ecsSpotDraining: true, instanceWarmupSeconds: 120, targetCapacityPercent: 90, managedScaling: 'on' }));
    expect(out.metrics.interruptedTasks).toBe(0);
  });

  it('--json keeps the metric names and adds tasksNeverPlaced and missingTaskSeconds', async () => {
    const r = await runCli('simulate', 'events/scenarios/burst.yml', '--managed-scaling', 'off', '--json');
    const out = JSON.parse(r.out);
    for (const k of ['allPlacedSeconds', 'instanceHours', 'interruptedTasks', 'lostTasks', 'killedByScaleIn', 'tasksSubmitted', 'tasksRunning', 'tasksNeverPlaced', 'missingTaskSeconds']) expect(out.metrics).toHaveProperty(k);
    expect(out.settings).toEqual(expect.objectContaining({ managedScaling: 'off', mode: 'own' }));
    expect(out.metrics.provisioningSeen).toBe(0);
  });

  it.each([
    [['--managed-scaling', 'maybe'], '--managed-scaling must be on or off'],
    [['--ecs-target', '0'], '--ecs-target must be an integer from 1 to 100'],
    [['--controller', 'ecs-managed', '--managed-scaling', 'off'], 'does not apply'],
  ])('rejects %j (exit 2)', async (flags, message) => {
    const r = await runCli('simulate', 'events/scenarios/burst.yml', ...flags);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  // JSON with the series: test/cli/simulate-store.test.ts (the same run).

  it('exits 2 for an unknown controller and 1 for a bad scenario, naming the field', async () => {
    expect((await runCli('simulate', 'events/scenarios/burst.yml', '--controller', 'karpenter')).code).toBe(2);
    const bad = await runCli('simulate', 'test/fixtures/bad-scenario.yml');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('$.timeline[0].setDesired.count');
  });
});

describe('SimulatedCluster placement', () => {
  const base = () => parseSnapshot(loadJson('events/scenarios/burst-cluster.json'));

  it('spreads a spread service over AZs before binpacking', () => {
    const s = new SimulatedCluster(base(), parseScenario({ name: 't', cluster: 'x', durationMinutes: 10, services: [{ name: 'web', desired: 3, cpu: 128, memoryMiB: 128, capacityProvider: 'general', placementStrategy: 'spread' }] }), { hooks: true });
    s.advance(s.startMs + 1_000);
    const azs = s.allTasks().filter((t) => t.group === 'service:web' && t.containerInstanceArn).map((t) => s.allInstances().find((i) => i.arn === t.containerInstanceArn)!.az);
    expect(new Set(azs).size).toBe(3);
  });

  it('emits SERVICE_TASK_PLACEMENT_FAILURE for a service without a capacity provider that finds no room, once a minute', () => {
    const s = new SimulatedCluster(base(), parseScenario({ name: 't', cluster: 'x', durationMinutes: 10, services: [{ name: 'big', desired: 2, cpu: 8192, memoryMiB: 1024 }] }), { hooks: true });
    s.advance(s.startMs + 1_000);
    s.advance(s.startMs + 6_000);
    const failures = s.deliverable(s.startMs + 20_000).filter((e) => e['detail-type'] === 'ECS Service Action');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toEqual(expect.objectContaining({ resources: ['arn:aws:ecs:us-east-1:123456789012:service/burst/big'], detail: expect.objectContaining({ eventName: 'SERVICE_TASK_PLACEMENT_FAILURE' }) }));
  });
});
