import { parseConfig } from '../../../src/config/load.js';
import { runDuty } from '../../../src/controller.js';
import { parseSnapshot } from '../../../src/core/model.js';
import { decideConsolidation } from '../../../src/core/rebalance/consolidate.js';
import { decideReplace, replaceMoves } from '../../../src/core/rebalance/replace.js';
import { DUTIES } from '../../../src/duties/index.js';
import { parseScenario } from '../../../src/sim/scenario.js';
import { SimulatedCluster } from '../../../src/sim/world.js';
import { withColdCaches } from '../../../src/aws/clients.js';

const NOW = new Date('2026-11-24T03:00:00Z');
// small: 2 vCPU / 4 GiB at $0.10; large: 8 vCPU / 16 GiB at $0.30 (cheaper per unit).
const TYPES = { small: { cpu: 2048, memoryMiB: 4096, enis: 2, gpus: 0, pricePerHour: 0.1 }, large: { cpu: 8192, memoryMiB: 16384, enis: 3, gpus: 0, pricePerHour: 0.3 } };

function snapshot(n = 4) {
  return parseSnapshot({
    version: 1,
    cluster: 'c',
    takenAt: NOW.toISOString(),
    instanceTypes: TYPES,
    groups: [{ name: 'g', asg: 'asg-g', min: 0, max: 20, desired: n, instanceTypes: [{ type: 'small', weight: 1 }, { type: 'large', weight: 4 }] }],
    instances: Array.from({ length: n }, (_, i) => ({
      id: `ci-${i}`,
      ec2InstanceId: `i-${String(i).padStart(8, '0')}`,
      group: 'g',
      type: 'small',
      az: 'a',
      status: 'ACTIVE',
      // 1 vCPU and 2.5 GiB each: two never fit on one small instance.
      tasks: [{ id: `t-${i}`, cpu: 1024, memoryMiB: 2500, group: 'service:api', capacityProvider: 'g' }],
    })),
    pending: [],
  });
}

const config = (replace: Record<string, unknown> = { enabled: true }) =>
  parseConfig({ clusters: [{ name: 'c', groups: [{ name: 'g', asg: 'asg-g' }], consolidation: { enabled: true, maxDrainingPercent: 100, replace } }] }).clusters[0]!;

describe('Function: replaceMoves', () => {
  it('replaces four small instances consolidation cannot touch by one large, 25 % cheaper', () => {
    expect(decideConsolidation(snapshot(), config(), NOW)).toEqual([]);
    const [move] = replaceMoves(snapshot(), config(), NOW);
    expect(move).toEqual(expect.objectContaining({ group: 'g', newInstances: [{ type: 'large', count: 1 }], previous: 4, desired: 8, oldPerHour: 0.4, newPerHour: 0.3 }));
    expect(decideReplace(snapshot(), config(), NOW).map((a) => a.kind)).toEqual(['setDesiredCapacity', 'markInstance', 'markInstance', 'markInstance', 'markInstance']);
  });

  it('does nothing when the saving is below the threshold, when off, or with one type', () => {
    expect(replaceMoves(snapshot(), config({ enabled: true, minSavingPercent: 30 }), NOW)).toEqual([]);
    expect(replaceMoves(snapshot(), config({ enabled: false }), NOW)).toEqual([]);
    const one = snapshot();
    expect(replaceMoves({ ...one, groups: one.groups.map((g) => ({ ...g, instanceTypes: [{ type: 'small', weight: 1 }] })) }, config(), NOW)).toEqual([]);
  });

  it('end to end in the simulator: launches the large instance, moves the tasks, removes the small ones, loses nothing', async () => {
    const world = new SimulatedCluster(snapshot(), parseScenario({ name: 'r', cluster: 'x', durationMinutes: 30, services: [{ name: 'api', desired: 4, cpu: 1024, memoryMiB: 2500, capacityProvider: 'g' }] }), { hooks: true });
    // On AWS prices come from the config (EC2's API has none).
    const cfg = parseConfig({ clusters: [{ name: 'c', groups: [{ name: 'g', asg: 'asg-g', prices: { small: 0.1, large: 0.3 } }], consolidation: { enabled: true, maxDrainingPercent: 100, replace: { enabled: true } } }] });
    const clients = withColdCaches({ ecs: world.client('ecs'), autoscaling: world.client('autoscaling'), ec2: world.client('ec2'), cloudwatch: world.client('cloudwatch') });
    const running = () => world.allTasks().filter((t) => t.group === 'service:api' && t.lastStatus === 'RUNNING').length;
    for (let s = 0; s <= 20 * 60; s += 5) {
      const t = world.startMs + s * 1000;
      world.advance(t);
      for (const e of world.deliverable(t)) {
        if (e['detail-type'] === 'EC2 Instance-terminate Lifecycle Action') await runDuty(DUTIES.lifecycle, e, { config: cfg, clients, now: new Date(t) });
      }
      expect(running()).toBeGreaterThanOrEqual(4); // minimumHealthyPercent 100: never fewer
      if (s % 60 === 0) await runDuty(DUTIES.reconcile, { version: '0', id: `tick-${s}`, 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date(t).toISOString(), resources: [], detail: {} }, { config: cfg, clients, now: new Date(t) });
    }
    const live = world.allInstances().filter((i) => i.lifecycleState !== 'Terminated');
    expect(live.map((i) => i.type)).toEqual(['large']);
    expect(running()).toBe(4);
    expect(world.counters.killedByScaleIn).toBe(0);
  }, 60_000);
});
