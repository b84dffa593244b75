/**
 * Issue 9 on the simulator: a spot instance is warned, ecs-pilot launches its replacement and drains
 * it; once empty it is terminated with desired −1 before EC2 reclaims it, so the ASG — whose health
 * check replaces a reclaimed instance while desired still counts it — launches no second replacement.
 */
import { parseConfig } from '../../src/config/load.js';
import { runDuty } from '../../src/controller.js';
import { DUTIES } from '../../src/duties/index.js';
import { deployedRouter } from '../../src/duties/routes.js';
import { parseScenario } from '../../src/sim/scenario.js';
import { SimulatedCluster } from '../../src/sim/world.js';
import { aGroup, anInstance, aSnapshot } from '../support/builders.js';
import { withColdCaches } from '../../src/aws/clients.js';

const snapshot = () =>
  aSnapshot({
    cluster: 'x',
    groups: [aGroup({ name: 'spot', asg: 'asg-spot', lifecycle: 'spot', desired: 3 })],
    instances: [1, 2, 3].map((n) => anInstance({ id: `arn:aws:ecs:us-east-1:123456789012:container-instance/x/${n}`, ec2InstanceId: `i-0a0000000000000${n}`, group: 'spot', az: `us-east-1${'abc'[n - 1]}` })),
  });

async function run(managedScaling: 'on' | 'off') {
  const scenario = parseScenario({
    name: 'reclaim',
    cluster: 'x',
    durationMinutes: 20,
    // A fast boot and placement retry: the displaced task runs on the new instance within the 2-minute notice.
    settings: { managedScaling, instanceLaunchSeconds: 30, serviceRetryFirstSeconds: 5, serviceRetryMaxSeconds: 10 },
    services: [{ name: 'web', desired: 5, cpu: 1024, memoryMiB: 2048, capacityProvider: 'spot' }],
  });
  const world = new SimulatedCluster(snapshot(), scenario, { hooks: true, managedScaling: managedScaling === 'on' });
  const config = parseConfig({ clusters: [{ name: 'x', groups: [{ name: 'spot', asg: 'asg-spot', lifecycle: 'spot' }] }] });
  const clients = withColdCaches({ ecs: world.client('ecs'), autoscaling: world.client('autoscaling'), ec2: world.client('ec2'), cloudwatch: world.client('cloudwatch') });
  const desired: number[] = [];
  // 5 tasks of half an instance on 3 instances (one slot free). Minute 2: the first instance (two
  // tasks) is warned — one fits in the free slot, one needs a new instance; EC2 reclaims it 120 s later.
  world.at(world.startMs + 120_000, () => world.spotWave('spot', 1 / 3, 0));
  const route = await deployedRouter(config);
  for (let s = 0; s <= 20 * 60; s += 5) {
    const t = world.startMs + s * 1000;
    world.advance(t);
    const due = world.deliverable(t);
    if (s % 60 === 0) due.push({ version: '0', id: `tick-${s}`, 'detail-type': 'Scheduled Event', source: 'aws.events', time: new Date(t).toISOString(), resources: [], detail: {} });
    for (const e of due) for (const fn of route.duties(e)) await runDuty(DUTIES[fn] as never, e, { config, clients, now: new Date(t) });
    desired.push(world.groupOf('asg-spot')?.desired ?? -1);
  }
  const launched = world.allInstances().filter((i) => i.launchedAt > world.startMs);
  return { world, launched, desired };
}

describe('Scenario: spot reclaim after ecs-pilot replaced the instance (own mode)', () => {
  it('launches one replacement, terminates the drained instance with desired −1, and the ASG launches no second one', async () => {
    const { world, launched, desired } = await run('off');
    // One instance launched for the displaced task that did not fit, none after the reclaim.
    expect(launched).toHaveLength(1);
    // Desired went 3 → 4 (the replacement) → 3 (the drained instance, terminated by ecs-pilot).
    expect(Math.max(...desired)).toBe(4);
    expect(desired.at(-1)).toBe(3);
    const warned = world.allInstances().find((i) => i.ec2InstanceId === 'i-0a00000000000001');
    // Terminated through its lifecycle hook before the 120 s notice ran out: no task interrupted.
    expect(warned?.terminatedAt).toBeLessThan(world.startMs + 240_000);
    expect(world.counters).toEqual(expect.objectContaining({ interruptedTasks: 0, killedByScaleIn: 0 }));
    expect(world.allTasks().filter((t) => t.group === 'service:web' && t.lastStatus === 'RUNNING')).toHaveLength(5);
  }, 60_000);

  it('in accelerate leaves desired capacity to ECS: the ASG replaces the reclaimed instance (ECS scales the extra one in later)', async () => {
    const { launched, desired } = await run('on');
    // The control case: without ecs-pilot's terminate the ASG's health check launches a second replacement.
    expect(launched.length).toBeGreaterThan(1);
    expect(desired.at(-1)).toBeGreaterThan(3);
  }, 60_000);
});
