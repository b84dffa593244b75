import fc from 'fast-check';
import { parseConfig } from '../../../src/config/load.js';
import type { ClusterConfig } from '../../../src/config/schema.js';
import { consolidationMoves, decideConsolidation, inWindow } from '../../../src/core/rebalance/consolidate.js';
import { parseSnapshot, type Snapshot } from '../../../src/core/model.js';
import { parseScenario } from '../../../src/sim/scenario.js';
import { SimulatedCluster } from '../../../src/sim/world.js';
import { runDuty } from '../../../src/controller.js';
import { DUTIES } from '../../../src/duties/index.js';
import { withColdCaches } from '../../../src/aws/clients.js';

const NOW = new Date('2026-11-24T03:00:00Z');
const TYPES = { 'm5.xlarge': { cpu: 4096, memoryMiB: 15576, enis: 3, gpus: 0, pricePerHour: 0.192 } };

function cluster(consolidation: Record<string, unknown> = {}, services: Record<string, unknown> = {}): ClusterConfig {
  return parseConfig({ clusters: [{ name: 'c', groups: [{ name: 'g', asg: 'asg-g' }], consolidation: { enabled: true, ...consolidation }, services }] }).clusters[0]!;
}

/** Instances with the given task counts (1024 CPU, 1 GiB each) of service `web` unless said otherwise. */
function snapshot(loads: Array<number | { n: number; standalone?: boolean; tags?: Record<string, string>; attrs?: Record<string, string>; status?: string }>, extra: Partial<Record<string, unknown>> = {}): Snapshot {
  let k = 0;
  const instances = loads.map((l, i) => {
    const spec = typeof l === 'number' ? { n: l } : l;
    return {
      id: `ci-${i}`,
      ec2InstanceId: `i-${String(i).padStart(8, '0')}`,
      group: 'g',
      type: 'm5.xlarge',
      az: 'a',
      status: spec.status ?? 'ACTIVE',
      tags: spec.tags ?? {},
      attributes: spec.attrs ?? {},
      tasks: Array.from({ length: spec.n }, () => ({ id: `t-${k++}`, cpu: 1024, memoryMiB: 1024, group: spec.standalone ? 'family:batch' : 'service:web' })),
    };
  });
  return parseSnapshot({ version: 1, cluster: 'c', takenAt: NOW.toISOString(), instanceTypes: TYPES, groups: [{ name: 'g', asg: 'asg-g', min: 0, max: 50, desired: loads.length, instanceTypes: [{ type: 'm5.xlarge', weight: 1 }] }], instances, pending: [], ...extra });
}

const moved = (s: Snapshot, c = cluster(), now = NOW) => consolidationMoves(s, c, now).moves.map((m) => m.instance.id);

describe('Function: consolidationMoves', () => {
  it('drains the least utilised instance whose tasks fit on the others', () => {
    // 4 slots per instance: 3 + 3 + 1 → the 1 moves.
    expect(moved(snapshot([3, 3, 1]))).toEqual(['ci-2']);
  });

  it('drains nothing when the tasks do not fit elsewhere', () => {
    expect(moved(snapshot([4, 4, 2]))).toEqual([]);
  });

  it('takes a pre-scaled (rebalance-recommended) instance first', () => {
    expect(moved(snapshot([1, 2, { n: 2, attrs: { 'ecs-pilot.drain-reason': 'prescale' } }]))).toEqual(['ci-2']);
  });

  it('keeps to the disruption budget: 10 % of the group, at least one; fewer when some already drain', () => {
    const twenty = Array.from({ length: 20 }, () => 1);
    expect(moved(snapshot(twenty))).toHaveLength(2);
    expect(moved(snapshot(twenty), cluster({ maxDraining: 1 }))).toHaveLength(1);
    expect(moved(snapshot(twenty), cluster({ maxDrainingPercent: 50 }))).toHaveLength(10);
    const withDraining = snapshot([...twenty.slice(0, 19), { n: 0, status: 'DRAINING' }]);
    expect(moved(withDraining)).toHaveLength(1);
  });

  it.each([
    ['consolidation off', cluster({ enabled: false }), snapshot([3, 1])],
    ['tasks waiting for capacity', cluster(), snapshot([3, 1], { pending: [{ id: 'p', cpu: 512, memoryMiB: 512 }] })],
    ['the group launching', cluster(), snapshot([3, 1], { groups: [{ name: 'g', asg: 'asg-g', min: 0, max: 50, desired: 3, instanceTypes: [{ type: 'm5.xlarge', weight: 1 }] }] })],
    // [4, x]: only the second instance could go; its exclusion must hold.
    ['a standalone task', cluster(), snapshot([4, { n: 1, standalone: true }])],
    ['the opt-out tag', cluster(), snapshot([4, { n: 1, tags: { 'ecs-pilot:consolidation': 'off' } }])],
    ['an opted-out service', cluster({ optOutServices: ['web'] }), snapshot([3, 1])],
    ['a service that can neither surge nor lose a task', cluster({}, { web: { minimumHealthyPercent: 100, maximumPercent: 100 } }), snapshot([3, 1])],
  ])('drains nothing with %s', (_name, c, s) => {
    expect(moved(s, c)).toEqual([]);
  });

  it('says why it holds back with each waiting task counted once (issue 13: counts that agree)', () => {
    const s = snapshot([3, 1], { pending: [{ id: 'p1', cpu: 512, memoryMiB: 512, capacityProvider: 'g' }, { id: 'p2', cpu: 512, memoryMiB: 512, capacityProvider: 'g' }, { id: 'p3', cpu: 512, memoryMiB: 512 }] });
    expect(consolidationMoves(s, cluster(), NOW)).toEqual({ moves: [], skipped: '3 task(s) wait for capacity (2 for g, 1 for any group): their groups are not consolidated', reached: 0, exhausted: true });
  });

  it('never drains an instance that the same plan sends tasks to (issue 13, item 7)', () => {
    const c = cluster({ maxDrainingPercent: 50 });
    for (const loads of [[1, 1, 1, 1], [1, 2, 1, 2, 3, 1], [2, 1, 1, 3, 1, 1, 2, 1]]) {
      const { moves } = consolidationMoves(snapshot(loads), c, NOW);
      const drained = new Set(moves.map((m) => m.instance.id));
      const targets = new Set(moves.flatMap((m) => m.placements.map((p) => p.instance)));
      expect(moves.length).toBeGreaterThan(0);
      expect([...targets].filter((t) => drained.has(t))).toEqual([]);
    }
  });

  it('moves standalone tasks when allowed', () => {
    expect(moved(snapshot([3, { n: 1, standalone: true }]), cluster({ drainStandaloneTasks: true }))).toEqual(['ci-1']);
  });

  it('runs only in its windows, across midnight too', () => {
    const c = cluster({ windows: [{ from: '22:00', to: '06:00', days: ['MON'], timezone: 'UTC' }] });
    expect(inWindow(c.consolidation, new Date('2026-11-23T23:00:00Z'))).toBe(true); // Monday 23:00
    expect(inWindow(c.consolidation, new Date('2026-11-24T03:00:00Z'))).toBe(true); // Tuesday 03:00, Monday's window
    expect(inWindow(c.consolidation, new Date('2026-11-24T23:00:00Z'))).toBe(false); // Tuesday 23:00
    expect(moved(snapshot([3, 1]), c, new Date('2026-11-24T12:00:00Z'))).toEqual([]);
  });

  it('drains the instance with its drain reason (written first) and a re-check of its task count', () => {
    expect(decideConsolidation(snapshot([3, 3, 1]), cluster(), NOW)).toEqual([
      expect.objectContaining({ kind: 'drain', containerInstanceArns: ['ci-2'], drainReason: 'consolidate', expectTasks: { 'ci-2': 1 } }),
    ]);
  });
});

describe('Property: consolidation executed in simulation', () => {
  it('keeps every service at or above minimumHealthyPercent at every moment, and all tasks running again', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 3, max: 7 }),
        fc.array(fc.record({ desired: fc.integer({ min: 1, max: 6 }), cpu: fc.constantFrom(512, 1024, 2048), minHealthy: fc.constantFrom(50, 100), maxPercent: fc.constantFrom(100, 150, 200) }), { minLength: 1, maxLength: 3 }),
        async (instances, specs) => {
          const snap = snapshot(Array.from({ length: instances }, () => 0));
          const services = specs.map((s, i) => ({ name: `s${i}`, desired: s.desired, cpu: s.cpu, memoryMiB: 1024, capacityProvider: 'g', minimumHealthyPercent: s.minHealthy, maximumPercent: s.maxPercent, placementStrategy: 'spread' as const }));
          const world = new SimulatedCluster(snap, parseScenario({ name: 'p', cluster: 'x', durationMinutes: 30, services }), { hooks: true });
          const config = parseConfig({
            clusters: [{ name: 'c', groups: [{ name: 'g', asg: 'asg-g' }], consolidation: { enabled: true, maxDrainingPercent: 50 }, services: Object.fromEntries(services.map((s) => [s.name, { minimumHealthyPercent: s.minimumHealthyPercent, maximumPercent: s.maximumPercent }])) }],
          });
          const clients = withColdCaches({ ecs: world.client('ecs'), autoscaling: world.client('autoscaling'), ec2: world.client('ec2'), cloudwatch: world.client('cloudwatch') });
          const running = (name: string) => world.allTasks().filter((t) => t.group === `service:${name}` && t.lastStatus === 'RUNNING').length;
          let settled = false;
          for (let s = 0; s <= 20 * 60; s += 5) {
            const t = world.startMs + s * 1000;
            world.advance(t);
            world.deliverable(t);
            if (!settled) settled = services.every((x) => running(x.name) === x.desired);
            else for (const x of services) expect(running(x.name)).toBeGreaterThanOrEqual(Math.ceil((x.desired * x.minimumHealthyPercent) / 100));
            if (s % 60 === 0) await runDuty(DUTIES.reconcile, { version: '0', id: `tick-${s}`, 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date(t).toISOString(), resources: [], detail: {} }, { config, clients, now: new Date(t) });
          }
          for (const x of services) expect(running(x.name)).toBe(x.desired);
          expect(world.counters.killedByScaleIn).toBe(0);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
