import { applyPlan, plan } from '../../../src/core/capacity/index.js';
import { parseSnapshot } from '../../../src/core/model.js';
import { aGroup, anInstance, aSnapshot, aTask, loadJson, tasks } from '../../support/builders.js';
import { verifyPlan } from '../../support/verify-plan.js';

const demo = loadJson('events/clusters/demo.json');

const group = (p: ReturnType<typeof plan>, name = 'general') => p.groups.find((g) => g.name === name)!;

describe('Function: plan — ECS placement rules', () => {
  it('places nothing on DRAINING instances', () => {
    const s = aSnapshot({
      groups: [aGroup({ desired: 1 })],
      instances: [anInstance({ id: 'drain', status: 'DRAINING' })],
      pending: [aTask({ id: 't1' })],
    });
    const p = plan(s);
    expect(p.placements).toEqual([{ task: 't1', instance: 'new:general:m5.large:1' }]);
    expect(group(p).desired).toBe(2);
    expect(verifyPlan(s, p)).toEqual([]);
  });

  it('honours reserved ports and host-port collisions', () => {
    const s = aSnapshot({
      groups: [aGroup({ desired: 2 })],
      instances: [
        anInstance({ id: 'a', reservedPorts: [22, 8080] }),
        anInstance({ id: 'b', tasks: [aTask({ hostPorts: [80] })] }),
      ],
      pending: [aTask({ id: 'p8080', hostPorts: [8080] }), aTask({ id: 'p80', hostPorts: [80] }), aTask({ id: 'p80b', hostPorts: [80] })],
    });
    const p = plan(s);
    const where = Object.fromEntries(p.placements.map((x) => [x.task, x.instance]));
    expect(where.p8080).toBe('b');
    expect(where.p80).toBe('a');
    expect(where.p80b).toMatch(/^new:/);
    expect(verifyPlan(s, p)).toEqual([]);
  });

  it('reports a host port every instance reserves as unplaceable', () => {
    const p = plan(aSnapshot({ pending: [aTask({ id: 'ssh', hostPorts: [22] })] }));
    expect(p.unplaceable).toEqual([{ task: 'ssh', reason: 'host port 22 is reserved by the ECS agent on every instance' }]);
    expect(group(p).desired).toBe(0);
  });

  it('gives each awsvpc task an ENI and no more than the instance has', () => {
    // m5.large: 2 ENIs for tasks; one already used.
    const s = aSnapshot({
      groups: [aGroup({ desired: 1 })],
      instances: [anInstance({ id: 'a', tasks: [aTask({ awsvpc: true, cpu: 128, memoryMiB: 128 })] })],
      pending: tasks(5, { awsvpc: true, cpu: 128, memoryMiB: 128, hostPorts: [80] }),
    });
    const p = plan(s);
    expect(p.placements.filter((x) => x.instance === 'a')).toHaveLength(1);
    expect(group(p).newInstances).toEqual([{ type: 'm5.large', count: 2 }]);
    expect(verifyPlan(s, p)).toEqual([]);
  });

  it('rejects awsvpc tasks in a group whose types have no ENI for tasks', () => {
    const s = aSnapshot({
      instanceTypes: { tiny: { cpu: 1024, memoryMiB: 1024, enis: 0, gpus: 0 } },
      groups: [aGroup({ instanceTypes: [{ type: 'tiny', weight: 1 }] })],
      pending: [aTask({ id: 'v', awsvpc: true })],
    });
    expect(plan(s).unplaceable[0]?.reason).toBe('needs an ENI for awsvpc; no type in group general has ENIs for tasks');
  });

  it('counts desired capacity in weights', () => {
    // 9 tasks of 2048 CPU: the 2xlarge (weight 4, 4 tasks) costs as much per task as the large (weight 1,
    // 1 task), so the planner takes the larger ones and the smallest type for the last task.
    const s = aSnapshot({
      groups: [aGroup({ desired: 0, instanceTypes: [{ type: 'm5.large', weight: 1 }, { type: 'm5.2xlarge', weight: 4 }] })],
      pending: tasks(9, { cpu: 2048, memoryMiB: 4096 }),
    });
    const p = plan(s);
    expect(group(p).newInstances).toEqual([{ type: 'm5.large', count: 1 }, { type: 'm5.2xlarge', count: 2 }]);
    expect(group(p).desired).toBe(1 * 1 + 2 * 4);
    expect(verifyPlan(s, p)).toEqual([]);
  });

  it.each([
    ['clamps to max and reports the rest', { min: 0, max: 3 }, 5, 3, 2],
    ['raises to min', { min: 4, max: 10 }, 1, 4, 0],
  ])('%s', (_name, bounds, n, desired, unplaceable) => {
    const s = aSnapshot({ groups: [aGroup({ ...bounds, desired: 0 })], pending: tasks(n, { cpu: 2048, memoryMiB: 1024 }) });
    const p = plan(s);
    expect(group(p).desired).toBe(desired);
    expect(p.unplaceable).toHaveLength(unplaceable);
    if (unplaceable > 0) expect(p.unplaceable[0]?.reason).toMatch(/group general is at its max of 3 capacity units/);
    expect(verifyPlan(s, p)).toEqual([]);
  });

  it('counts instances still launching once: a second event does not scale out again', () => {
    const pending = tasks(3, { cpu: 2048, memoryMiB: 1024 });
    const first = plan(aSnapshot({ groups: [aGroup({ desired: 0 })], pending }));
    expect(group(first).desired).toBe(3);
    // The same tasks are still waiting; the ASG has desired 3 and nothing registered yet.
    const again = plan(aSnapshot({ groups: [aGroup({ desired: 3 })], pending }));
    expect(group(again).desired).toBe(3);
    expect(group(again).newInstances).toEqual([]);
    expect(again.placements.every((x) => x.instance.startsWith('launching:general:m5.large:'))).toBe(true);
  });

  it('keeps targetCapacityPercent headroom over the units in use', () => {
    const s = aSnapshot({ groups: [aGroup({ targetCapacityPercent: 80 })], pending: tasks(8, { cpu: 2048, memoryMiB: 1024 }) });
    const p = plan(s);
    expect(group(p).newUnits).toBe(8);
    expect(group(p).desired).toBe(10); // 8 / 0.8
    expect(plan(applyPlan(s, p)).groups[0]?.desired).toBe(10);
  });

  it('honours distinctInstance against running tasks of the same group', () => {
    const s = aSnapshot({
      groups: [aGroup({ desired: 2 })],
      instances: [anInstance({ id: 'a', tasks: [aTask({ group: 'service:web' })] }), anInstance({ id: 'b' })],
      pending: tasks(3, { group: 'service:web', constraints: [{ type: 'distinctInstance' }] }),
    });
    const p = plan(s);
    expect(p.placements.map((x) => x.instance)).toEqual(['b', 'new:general:m5.large:1', 'new:general:m5.large:2']);
    expect(verifyPlan(s, p)).toEqual([]);
  });

  it('honours memberOf on instance type and availability zone', () => {
    const s = aSnapshot({
      groups: [aGroup({ desired: 2, instanceTypes: [{ type: 'm5.large', weight: 1 }, { type: 'm5.xlarge', weight: 2 }] })],
      instances: [anInstance({ id: 'a', az: 'us-east-1a' }), anInstance({ id: 'b', az: 'us-east-1b' })],
      pending: [
        aTask({ id: 'in-b', constraints: [{ type: 'memberOf', expression: 'attribute:ecs.availability-zone == us-east-1b' }] }),
        aTask({ id: 'xl', constraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type == m5.xlarge' }] }),
        aTask({ id: 'in-c', constraints: [{ type: 'memberOf', expression: 'attribute:ecs.availability-zone == us-east-1c' }] }),
      ],
    });
    const p = plan(s);
    const where = Object.fromEntries(p.placements.map((x) => [x.task, x.instance]));
    expect(where['in-b']).toBe('b');
    expect(where.xl).toBe('new:general:m5.xlarge:1');
    expect(where['in-c']).toMatch(/^new:general:/);
    expect(verifyPlan(s, p)).toEqual([]);
  });

  it('explains what no instance type of the group can give', () => {
    const s = aSnapshot({
      groups: [aGroup({ name: 'gpu-spot', instanceTypes: [{ type: 'g4dn.xlarge', weight: 1 }] })],
      pending: [
        aTask({ id: 'big', gpus: 4, capacityProvider: 'gpu-spot' }),
        aTask({ id: 'where', capacityProvider: 'FARGATE' }),
        aTask({ id: 'type', capacityProvider: 'gpu-spot', constraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type == p3.2xlarge' }] }),
        aTask({ id: 'attr', constraints: [{ type: 'memberOf', expression: 'attribute:stack == prod' }] }),
      ],
    });
    expect(plan(s).unplaceable).toEqual([
      { task: 'big', reason: 'needs 4 GPUs; largest type in group gpu-spot has 1' },
      { task: 'where', reason: 'capacity provider "FARGATE" is not a group of this snapshot' },
      { task: 'type', reason: 'memberOf "attribute:ecs.instance-type == p3.2xlarge" matches no instance type of group gpu-spot' },
      { task: 'attr', reason: expect.stringContaining('cannot evaluate constraint memberOf "attribute:stack == prod": unsupported attribute') },
    ]);
  });

  it('lists scale-in candidates: ACTIVE, unprotected, only daemon tasks', () => {
    const s = aSnapshot({
      groups: [aGroup({ desired: 4 })],
      instances: [
        anInstance({ id: 'empty', tasks: [aTask({ daemon: true })] }),
        anInstance({ id: 'busy', tasks: [aTask()] }),
        anInstance({ id: 'protected', protected: true }),
        anInstance({ id: 'draining', status: 'DRAINING' }),
      ],
    });
    expect(group(plan(s)).scaleInCandidates).toEqual(['empty']);
  });

  it('prefers the cheaper group for tasks that name no capacity provider', () => {
    const s = aSnapshot({
      groups: [
        aGroup({ name: 'od', instanceTypes: [{ type: 'm5.large', weight: 1 }] }),
        aGroup({ name: 'spot', lifecycle: 'spot', instanceTypes: [{ type: 'm5.large', weight: 1, pricePerHour: 0.03 }] }),
      ],
      pending: tasks(4, { cpu: 1024, memoryMiB: 1024 }),
    });
    const p = plan(s);
    expect(group(p, 'spot').newInstances).toEqual([{ type: 'm5.large', count: 2 }]);
    expect(group(p, 'od').newInstances).toEqual([]);
  });

  it('estimates the first step of ECS managed scaling (largest type, largest task group)', () => {
    const s = aSnapshot({
      groups: [aGroup({ instanceTypes: [{ type: 'm5.large', weight: 1 }, { type: 'm5.xlarge', weight: 2 }], maximumScalingStepSize: 3 })],
      pending: [...tasks(10, { cpu: 1024, memoryMiB: 1024 }), ...tasks(4, { cpu: 256, memoryMiB: 256, hostPorts: [80] })],
    });
    // m5.xlarge holds 4 of the first kind (3 instances), 1 of the port-bound kind (4 instances) → max 4, clamped to 3.
    expect(group(plan(s)).ecsManagedEstimate).toBe(3);
  });

  it('is deterministic and a fixed point on the demo cluster', () => {
    const s = parseSnapshot(demo);
    const p = plan(s);
    expect(plan(s)).toEqual(p);
    expect(verifyPlan(s, p)).toEqual([]);
    const again = plan(applyPlan(s, p));
    expect(again.groups.map((g) => [g.name, g.desired, g.newUnits])).toEqual(p.groups.map((g) => [g.name, g.desired, 0]));
  });
});

describe('Function: plan — packing across classes, clamped max, bounds', () => {
  const count = (p: ReturnType<typeof plan>, name = 'general') => group(p, name).newInstances.reduce((a, n) => a + n.count, 0);

  it('packs the classic 11/9 first-fit-decreasing case in the optimal 9 instances', () => {
    // On 4096 CPU: {2080, 1056, 960} and {1088, 1088, 960, 960} fill an instance exactly; FFD needs 11.
    const s = aSnapshot({
      groups: [aGroup({ instanceTypes: [{ type: 'm5.xlarge', weight: 2 }] })],
      pending: [
        ...tasks(6, { cpu: 2080, memoryMiB: 512 }),
        ...tasks(6, { cpu: 1088, memoryMiB: 512 }),
        ...tasks(6, { cpu: 1056, memoryMiB: 512 }),
        ...tasks(12, { cpu: 960, memoryMiB: 512 }),
      ],
    });
    const p = plan(s);
    expect(count(p)).toBe(9);
    expect(count(plan(s, { orderings: ['dominant'], typeChoices: ['group-demand'] }))).toBe(11);
    expect(verifyPlan(s, p)).toEqual([]);
  });

  it('mixes CPU-heavy and memory-heavy tasks on one instance', () => {
    const s = aSnapshot({
      groups: [aGroup({ instanceTypes: [{ type: 'm5.2xlarge', weight: 4 }] })],
      pending: [...tasks(8, { cpu: 2048, memoryMiB: 1024 }), ...tasks(8, { cpu: 256, memoryMiB: 7168 })],
    });
    const p = plan(s);
    // CPU 18 432 / 8 192 and memory 65 536 / 31 400 both need 3 instances: the plan takes 3.
    expect(count(p)).toBe(3);
    const mixed = new Set(p.placements.map((x) => x.instance));
    expect(mixed.size).toBe(3);
    expect(verifyPlan(s, p)).toEqual([]);
  });

  it('at a clamped max places as many tasks as the capacity allows, smallest first', () => {
    // 2 × m5.xlarge within max: all 20 small tasks and one large fit; largest-first fits only 2 large + 16 small.
    const s = aSnapshot({
      groups: [aGroup({ max: 4, instanceTypes: [{ type: 'm5.xlarge', weight: 2 }] })],
      pending: [...tasks(4, { cpu: 2048, memoryMiB: 8192, group: 'service:big' }), ...tasks(20, { cpu: 256, memoryMiB: 512 })],
    });
    const p = plan(s);
    expect(p.unplaceable).toHaveLength(3);
    const big = new Set(s.pending.filter((t) => t.group === 'service:big').map((t) => t.id));
    expect(p.unplaceable.every((u) => big.has(u.task))).toBe(true);
    expect(group(p).desired).toBe(4);
    expect(verifyPlan(s, p)).toEqual([]);
  });

  it('reports the fluid LP bound and the efficiency it implies', () => {
    const s = aSnapshot({ pending: tasks(10, { cpu: 1024, memoryMiB: 2048 }) });
    const p = plan(s);
    // 10 240 CPU on m5.large (2 048 CPU, $0.096): 5 instances at least, $0.48; the plan buys exactly that.
    expect(group(p).lpBound).toBeCloseTo(0.48, 9);
    expect(group(p).efficiency).toBe(1);
    expect(count(p)).toBe(5);
  });

  it('gives the lpBound a one-task-per-instance row: host ports', () => {
    const s = aSnapshot({ pending: tasks(6, { cpu: 128, memoryMiB: 128, hostPorts: [80] }) });
    const p = plan(s);
    expect(group(p).lpBound).toBeCloseTo(6 * 0.096, 9);
    expect(count(p)).toBe(6);
  });
});
