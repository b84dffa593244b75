/** fast-check generators of valid snapshots: mixed types, weights, ports, ENIs, GPUs, constraints. */
import fc from 'fast-check';
import { parseSnapshot, type Snapshot } from '../../src/core/model.js';

const TYPE_POOL = [
  { name: 'small', cpu: 1024, memoryMiB: 2048, enis: 1, gpus: 0, pricePerHour: 0.05 },
  { name: 'medium', cpu: 2048, memoryMiB: 7680, enis: 2, gpus: 0, pricePerHour: 0.1 },
  { name: 'large', cpu: 4096, memoryMiB: 15576, enis: 3, gpus: 0, pricePerHour: 0.2 },
  { name: 'cpu', cpu: 8192, memoryMiB: 7470, enis: 3, gpus: 0, pricePerHour: 0.3 },
  { name: 'mem', cpu: 2048, memoryMiB: 31400, enis: 0, gpus: 0, pricePerHour: 0.25 },
  { name: 'gpu', cpu: 4096, memoryMiB: 15578, enis: 2, gpus: 2, pricePerHour: 0.9 },
];
const AZS = ['az-a', 'az-b', 'az-c'];

const taskShape = fc.record({
  cpu: fc.constantFrom(0, 128, 256, 512, 1024, 2048, 4096),
  memoryMiB: fc.constantFrom(0, 256, 512, 1024, 4096, 8192, 16384),
  gpus: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }),
  awsvpc: fc.boolean(),
  hostPorts: fc.oneof({ weight: 4, arbitrary: fc.constant([] as number[]) }, { weight: 1, arbitrary: fc.subarray([80, 443, 22, 8080], { minLength: 1 }) }),
  group: fc.constantFrom('service:a', 'service:b', 'family:c'),
  distinct: fc.boolean(),
  memberOf: fc.option(
    fc.oneof(
      fc.constantFrom(...TYPE_POOL.map((t) => t.name)).map((t) => `attribute:ecs.instance-type == ${t}`),
      fc.constantFrom(...AZS).map((az) => `attribute:ecs.availability-zone == ${az}`),
      fc.constantFrom('attribute:ecs.instance-type in [small, large]', 'attribute:ecs.instance-type != gpu', 'attribute:ecs.availability-zone != az-a'),
    ),
    { freq: 3 },
  ),
});

type Shape = typeof taskShape extends fc.Arbitrary<infer T> ? T : never;

function toTask(id: string, s: Shape, provider: string | undefined) {
  const constraints: Array<Record<string, string>> = [];
  if (s.distinct) constraints.push({ type: 'distinctInstance' });
  if (s.memberOf) constraints.push({ type: 'memberOf', expression: s.memberOf });
  return { id, cpu: s.cpu, memoryMiB: s.memoryMiB, gpus: s.gpus, awsvpc: s.awsvpc, hostPorts: s.hostPorts, group: s.group, constraints, ...(provider ? { capacityProvider: provider } : {}) };
}

export interface SnapshotArbOptions {
  maxPending?: number;
  /** Give prices to every type (or to none). */
  prices?: boolean;
  /** Only one instance type per group (the case where desired alone determines what launches). */
  singleType?: boolean;
}

export function snapshotArb(options: SnapshotArbOptions = {}): fc.Arbitrary<Snapshot> {
  const maxPending = options.maxPending ?? 40;
  const group = fc.record({
    types: fc.uniqueArray(fc.integer({ min: 0, max: TYPE_POOL.length - 1 }), { minLength: 1, maxLength: options.singleType ? 1 : 3 }),
    weights: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 3, maxLength: 3 }),
    min: fc.integer({ min: 0, max: 2 }),
    extraMax: fc.integer({ min: 0, max: 40 }),
    extraDesired: fc.integer({ min: 0, max: 6 }),
    target: fc.constantFrom(100, 100, 90, 75, 50),
    launching: fc.integer({ min: 0, max: 2 }),
  });
  return fc
    .record({
      groups: fc.array(group, { minLength: 1, maxLength: 3 }),
      instances: fc.array(
        fc.record({
          group: fc.nat(),
          type: fc.nat(),
          az: fc.constantFrom(...AZS),
          status: fc.constantFrom('ACTIVE', 'ACTIVE', 'ACTIVE', 'DRAINING'),
          protected: fc.boolean(),
          tasks: fc.array(fc.tuple(taskShape, fc.boolean()), { maxLength: 5 }),
        }),
        { maxLength: 8 },
      ),
      pending: fc.array(fc.tuple(taskShape, fc.nat({ max: 4 }), fc.integer({ min: 1, max: 30 })), { maxLength: Math.ceil(maxPending / 6) }),
      prices: fc.constant(options.prices ?? true),
    })
    .map(({ groups, instances, pending, prices }) => {
      const instanceTypes = Object.fromEntries(
        TYPE_POOL.map(({ name, pricePerHour, ...t }) => [name, prices ? { ...t, pricePerHour } : t]),
      );
      const gs = groups.map((g, gi) => ({
        name: `g${gi}`,
        asg: `asg-g${gi}`,
        lifecycle: gi % 2 === 0 ? 'on-demand' : 'spot',
        min: g.min,
        max: g.min + g.extraMax,
        desired: 0,
        targetCapacityPercent: g.target,
        instanceTypes: g.types.map((t, i) => ({ type: TYPE_POOL[t]!.name, weight: g.weights[i] ?? 1 })),
        launching: g.launching > 0 ? [{ type: TYPE_POOL[g.types[g.types.length - 1]!]!.name, count: g.launching }] : [],
      }));
      let n = 0;
      const units = gs.map(() => 0);
      const insts = instances.map((inst, ii) => {
        const gi = inst.group % gs.length;
        const g = gs[gi]!;
        const gt = g.instanceTypes[inst.type % g.instanceTypes.length]!;
        units[gi] = (units[gi] ?? 0) + gt.weight;
        const spec = TYPE_POOL.find((t) => t.name === gt.type)!;
        // Existing tasks: keep those that fit, so the instance is not overcommitted.
        const free = [spec.cpu, spec.memoryMiB, spec.enis, spec.gpus];
        const ports = new Set([22, 2375, 2376, 51678, 51679]);
        const kept = [];
        for (const [shape, daemon] of inst.tasks) {
          const need = [shape.cpu, shape.memoryMiB, shape.awsvpc ? 1 : 0, shape.gpus];
          const clash = !shape.awsvpc && shape.hostPorts.some((p) => ports.has(p));
          if (clash || need.some((v, d) => v > (free[d] ?? 0))) continue;
          need.forEach((v, d) => { free[d] = (free[d] ?? 0) - v; });
          if (!shape.awsvpc) for (const p of shape.hostPorts) ports.add(p);
          kept.push({ ...toTask(`run-${ii}-${n++}`, { ...shape, distinct: false, memberOf: null }, g.name), daemon });
        }
        return { id: `ci-${ii}`, ec2InstanceId: `i-${ii}`, group: g.name, type: gt.type, az: inst.az, status: inst.status, protected: inst.protected, tasks: kept };
      });
      gs.forEach((g, gi) => {
        const launchUnits = g.launching.reduce((a, l) => a + l.count * (g.instanceTypes.find((t) => t.type === l.type)?.weight ?? 1), 0);
        const extra = groups[gi]!.extraDesired;
        g.desired = Math.min(g.max, Math.max(g.min, (units[gi] ?? 0) + launchUnits + extra));
        g.max = Math.max(g.max, g.desired);
      });
      const pend = pending.flatMap(([shape, provider, count], ci) =>
        Array.from({ length: count }, (_, k) => toTask(`p-${ci}-${k}`, shape, provider < gs.length ? gs[provider]!.name : provider === 4 ? 'unknown-provider' : undefined)),
      );
      return parseSnapshot({ version: 1, cluster: 'prop', takenAt: '2026-11-24T12:00:00Z', instanceTypes, groups: gs, instances: insts, pending: pend });
    });
}
