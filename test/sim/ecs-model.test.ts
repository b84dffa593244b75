import { simulate } from '../../src/sim/run.js';
import { loadScenario, parseScenario } from '../../src/sim/scenario.js';
import { parseSnapshot } from '../../src/core/model.js';
import { SimulatedCluster } from '../../src/sim/world.js';
import { loadJson } from '../support/builders.js';
import { scenarioRun } from '../support/scenario-runs.js';

const scenario = (name: string) => loadScenario(`events/scenarios/${name}.yml`);
const burstCluster = () => parseSnapshot(loadJson('events/scenarios/burst-cluster.json'));

describe('ECS managed scaling model, as documented', () => {
  it('first step once the datapoint is visible to the alarm; the instances present at the start do not warm up', async () => {
    const r = await scenarioRun('burst', 'ecs-managed');
    // The burst comes at 60 s; its datapoint (minute 1) is seen at minute 2, when desired goes up: launched at minute 3.
    expect(r.series.find((p) => p.minute === 2)!.instances).toBe(3);
    expect(r.series.find((p) => p.minute === 3)!.instances).toBeGreaterThan(3);
  });

  it('scale-in goes on each minute once 15 datapoints were below target, by at most half a step', async () => {
    const r = await scenarioRun('burst', 'ecs-managed');
    const after = r.series.filter((p) => p.minute >= 60).map((p) => p.instances);
    const steps = after.map((n, i) => (i > 0 ? (after[i - 1] ?? n) - n : 0)).filter((d) => d > 0);
    expect(steps.length).toBeGreaterThan(1);
    // Consecutive minutes shrink, not once every 15 minutes.
    const firstDrop = after.findIndex((n, i) => i > 0 && n < (after[i - 1] ?? n));
    expect(after[firstDrop + 1]! < after[firstDrop]! || after[firstDrop + 2]! < after[firstDrop + 1]!).toBe(true);
    for (let i = 1; i < after.length; i++) expect(after[i]!).toBeGreaterThanOrEqual(Math.floor(after[i - 1]! / 2));
  });

  it('ECS tuned (warm-up = boot time, spot draining) interrupts no task in the spot wave; defaults interrupt 18', async () => {
    const defaults = await simulate(scenario('spot-wave'), 'ecs-managed');
    const tuned = scenario('spot-wave');
    tuned.scenario.settings.ecsSpotDraining = true;
    tuned.scenario.settings.instanceWarmupSeconds = tuned.scenario.settings.instanceLaunchSeconds;
    expect(defaults.metrics.interruptedTasks).toBe(18);
    expect((await simulate(tuned, 'ecs-managed')).metrics.interruptedTasks).toBe(0);
  });
});

describe('Service scale-in by placement strategy', () => {
  it('binpack stops the task on the instance with the most resources left', () => {
    const s = new SimulatedCluster(burstCluster(), parseScenario({ name: 't', cluster: 'x', durationMinutes: 10, services: [{ name: 'web', desired: 4, cpu: 256, memoryMiB: 512, capacityProvider: 'general' }] }), { hooks: true });
    s.advance(s.startMs + 1_000);
    s.advance(s.startMs + 20_000);
    const onInstance = (arn: string) => s.allTasks().filter((t) => t.containerInstanceArn === arn && t.lastStatus !== 'STOPPED').length;
    const webOn = () => s.allTasks().filter((t) => t.group === 'service:web' && t.lastStatus === 'RUNNING').map((t) => t.containerInstanceArn!);
    const emptiest = [...new Set(webOn())].sort((a, b) => onInstance(a) - onInstance(b))[0]!;
    const before = webOn().filter((a) => a === emptiest).length;
    s.setServiceDesired('web', 3);
    s.advance(s.startMs + 25_000);
    expect(webOn().filter((a) => a === emptiest).length).toBe(before - 1);
  });
});

describe('Managed scaling off', () => {
  const off = (services: unknown[]) => new SimulatedCluster(burstCluster(), parseScenario({ name: 't', cluster: 'x', durationMinutes: 10, services, settings: { managedScaling: 'off' } }), { hooks: true, managedScaling: false });

  it('a service task that finds no room is never created: a placement failure, then retries with back-off', () => {
    const s = off([{ name: 'big', desired: 2, cpu: 8192, memoryMiB: 1024, capacityProvider: 'general' }]);
    s.advance(s.startMs + 1_000);
    expect(s.allTasks().filter((t) => t.group === 'service:big')).toHaveLength(0);
    expect(s.allTasks().some((t) => t.lastStatus === 'PROVISIONING')).toBe(false);
    const events = s.deliverable(s.startMs + 20_000);
    expect(events.filter((e) => e['detail-type'] === 'ECS Service Action')).toHaveLength(1);
    expect(events.some((e) => e['detail-type'] === 'ECS Task State Change')).toBe(false);
    expect(s.neverCreated()).toBe(2);
  });

  it('a third-party RunTask that finds no room fails with RESOURCE:*, seen as a CloudTrail event', () => {
    const s = off([]);
    s.advance(s.startMs + 1_000);
    s.runTasks({ cpu: 4096, memoryMiB: 15000, gpus: 0, awsvpc: false, hostPorts: [], family: 'report', durationSeconds: 60 }, 12);
    const trail = s.deliverable(s.startMs + 30_000).filter((e) => e['detail-type'] === 'AWS API Call via CloudTrail');
    expect(trail.length).toBeGreaterThan(0);
    const detail = trail[0]!.detail as { eventName: string; responseElements: { failures: Array<{ reason: string }> } };
    expect(detail.eventName).toBe('RunTask');
    expect(detail.responseElements.failures.every((f) => f.reason.startsWith('RESOURCE:'))).toBe(true);
    expect(s.allTasks().some((t) => t.lastStatus === 'PROVISIONING')).toBe(false);
  });
});

describe('distinctInstance + spread (the starvation of issue 9)', () => {
  it.each(['off', 'on'] as const)('every task is placed with managed scaling %s, with and without consolidation', async (mode) => {
    for (const consolidation of [false, true]) {
      const l = scenario('spread-distinct');
      l.scenario.settings.managedScaling = mode;
      const r = await simulate(l, 'ecs-pilot', { consolidation });
      expect(r.metrics).toEqual(expect.objectContaining({ tasksNeverPlaced: 0, lostTasks: 0, killedByScaleIn: 0 }));
      expect(r.metrics.tasksRunning).toBe(39);
    }
  });
});
