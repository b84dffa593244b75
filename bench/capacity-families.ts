/**
 * The snapshot families of the exact-optimum section of `npm run bench:capacity` (bench/capacity-exact.ts).
 *
 * A family is a generator of small snapshots of one structure the planner must get right; each is
 * planned and solved exactly, and the figures are printed per family. To add one, write a generator
 * returning `ExactCase`s and list it in `EXACT_FAMILIES` (at the end of this file).
 *
 * - single-group families (the first set): complementary CPU/memory mixes, distinctInstance services
 *   with uneven replica counts, the 11/9 first-fit-decreasing case, fragmented running instances, a
 *   clamped `max`, ENI-bound awsvpc tasks, host ports; 3–6 priced types;
 * - `clamped-multi-group`: two or three groups clamped by `max` that share the waiting tasks (most
 *   without a capacity provider, so any group may take them; some bound to one group), weights in
 *   vCPUs or in instances, running instances with room;
 * - `mixed-constraint`: every constraint kind at once — vCPU, memory, ENIs (awsvpc), host ports, GPUs,
 *   distinctInstance, memberOf on the instance type, instance weights, tasks without a provider,
 *   several groups (one of GPU types), some clamped.
 */
import { parseSnapshot, type Snapshot } from '../src/core/model.js';
import { rng } from './rng.js';

export const EXACT_TYPES = {
  'c5.large': { cpu: 2048, memoryMiB: 3600, enis: 2, gpus: 0, pricePerHour: 0.085 },
  'm5.large': { cpu: 2048, memoryMiB: 7680, enis: 2, gpus: 0, pricePerHour: 0.096 },
  'r5.large': { cpu: 2048, memoryMiB: 15700, enis: 2, gpus: 0, pricePerHour: 0.126 },
  'c5.xlarge': { cpu: 4096, memoryMiB: 7400, enis: 3, gpus: 0, pricePerHour: 0.17 },
  'm5.xlarge': { cpu: 4096, memoryMiB: 15576, enis: 3, gpus: 0, pricePerHour: 0.192 },
  'r5.xlarge': { cpu: 4096, memoryMiB: 31400, enis: 3, gpus: 0, pricePerHour: 0.252 },
  'c5.2xlarge': { cpu: 8192, memoryMiB: 15000, enis: 3, gpus: 0, pricePerHour: 0.34 },
  'm5.2xlarge': { cpu: 8192, memoryMiB: 31400, enis: 3, gpus: 0, pricePerHour: 0.384 },
} as const;
export type TypeName = keyof typeof EXACT_TYPES;


interface TaskSpec {
  cpu: number;
  memoryMiB: number;
  awsvpc?: boolean;
  hostPorts?: number[];
  distinct?: string;
  count: number;
}

interface CaseSpec {
  name: string;
  types: TypeName[];
  tasks: TaskSpec[];
  /** Running instances: type and the tasks they run (cpu, memory). */
  running?: Array<{ type: TypeName; load: Array<[number, number]> }>;
  /** Capacity units (weight 1 per 2048 CPU) the group may still add; unbounded when absent. */
  budget?: number;
}

const ALL_TYPES = Object.keys(EXACT_TYPES) as TypeName[];

function pickTypes(r: () => number, n: number, must: TypeName[] = []): TypeName[] {
  const rest = ALL_TYPES.filter((t) => !must.includes(t));
  while (must.length < n && rest.length > 0) must = [...must, rest.splice(Math.floor(r() * rest.length), 1)[0]!];
  return must;
}

const between = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

/** The first families (one group each): 6 seeds of each structure. */
function singleGroupCases(): CaseSpec[] {
  const cases: CaseSpec[] = [];
  for (let seed = 1; seed <= 6; seed++) {
    const r = rng(seed * 7919);
    cases.push({
      name: `complementary-${seed}`,
      types: pickTypes(r, between(r, 3, 6), ['c5.xlarge', 'r5.xlarge']),
      tasks: [
        { cpu: between(r, 6, 12) * 128, memoryMiB: between(r, 2, 6) * 256, count: between(r, 15, 40) },
        { cpu: between(r, 1, 3) * 128, memoryMiB: between(r, 10, 24) * 256, count: between(r, 15, 40) },
        { cpu: 512, memoryMiB: 1024, count: between(r, 0, 15) },
      ],
    });
    cases.push({
      name: `distinct-uneven-${seed}`,
      types: pickTypes(r, between(r, 3, 5), ['m5.xlarge']),
      tasks: [
        { cpu: 1024, memoryMiB: 2048, distinct: 'service:big', count: between(r, 10, 18) },
        { cpu: between(r, 2, 6) * 256, memoryMiB: 3072, distinct: 'service:mid', count: between(r, 4, 8) },
        { cpu: 2048, memoryMiB: 4096, distinct: 'service:wide', count: between(r, 2, 4) },
        { cpu: 256, memoryMiB: 512, count: between(r, 10, 40) },
      ],
    });
    const m = seed <= 3 ? 1 : 2;
    const eps = 16 * seed;
    cases.push({
      name: `ffd-11-9-${seed}`,
      types: seed % 2 === 0 ? ['m5.xlarge'] : ['m5.xlarge', 'm5.2xlarge', 'c5.xlarge'],
      tasks: [
        { cpu: 2048 + 2 * eps, memoryMiB: 512, count: 6 * m },
        { cpu: 1024 + 2 * eps, memoryMiB: 512, count: 6 * m },
        { cpu: 1024 + eps, memoryMiB: 512, count: 6 * m },
        { cpu: 1024 - 2 * eps, memoryMiB: 512, count: 12 * m },
      ],
    });
    cases.push({
      name: `fragmented-${seed}`,
      // The running instances' types are the group's, so their weights count towards desired.
      types: pickTypes(r, between(r, 3, 5), ['m5.xlarge', 'm5.2xlarge']),
      running: Array.from({ length: between(r, 6, 12) }, () => ({
        type: r() < 0.5 ? ('m5.xlarge' as const) : ('m5.2xlarge' as const),
        load: Array.from({ length: between(r, 1, 4) }, () => [between(r, 2, 8) * 256, between(r, 2, 8) * 1024] as [number, number]),
      })),
      tasks: [
        { cpu: 256, memoryMiB: 1024, count: between(r, 10, 30) },
        { cpu: 512, memoryMiB: 2048, count: between(r, 10, 25) },
        { cpu: 1024, memoryMiB: 3072, count: between(r, 5, 15) },
      ],
    });
    cases.push({
      name: `max-clamped-${seed}`,
      types: pickTypes(r, 3, ['m5.xlarge']),
      budget: between(r, 6, 14),
      tasks: [
        { cpu: 2048, memoryMiB: 8192, count: between(r, 10, 20) },
        { cpu: 1024, memoryMiB: 2048, count: between(r, 10, 20) },
        { cpu: 256, memoryMiB: 512, count: between(r, 20, 50) },
      ],
    });
    cases.push({
      name: `eni-awsvpc-${seed}`,
      types: pickTypes(r, between(r, 3, 6), ['m5.large', 'm5.2xlarge']),
      tasks: [
        { cpu: 256, memoryMiB: 512, awsvpc: true, count: between(r, 15, 40) },
        { cpu: 512, memoryMiB: 1024, awsvpc: true, count: between(r, 5, 15) },
        { cpu: 1024, memoryMiB: 2048, count: between(r, 5, 20) },
      ],
    });
    cases.push({
      name: `host-port-${seed}`,
      types: pickTypes(r, between(r, 3, 6)),
      tasks: [
        { cpu: 256, memoryMiB: 512, hostPorts: [80], count: between(r, 5, 15) },
        { cpu: 512, memoryMiB: 1024, hostPorts: [8080], count: between(r, 3, 10) },
        { cpu: 512, memoryMiB: 1024, hostPorts: [80, 8080], count: between(r, 0, 4) },
        { cpu: 512, memoryMiB: 1536, count: between(r, 10, 30) },
      ],
    });
  }
  return cases;
}


/** GPU types of the mixed-constraint family (us-east-1 on-demand prices; ENIs less the primary). */
const GPU_TYPES = {
  'g4dn.xlarge': { cpu: 4096, memoryMiB: 15578, enis: 2, gpus: 1, pricePerHour: 0.526 },
  'g4dn.2xlarge': { cpu: 8192, memoryMiB: 31400, enis: 2, gpus: 1, pricePerHour: 0.752 },
  'g4dn.12xlarge': { cpu: 49152, memoryMiB: 189000, enis: 7, gpus: 4, pricePerHour: 3.912 },
} as const;
type AnyType = TypeName | keyof typeof GPU_TYPES;
const SPECS: Record<AnyType, { cpu: number; memoryMiB: number; enis: number; gpus: number; pricePerHour: number }> = { ...EXACT_TYPES, ...GPU_TYPES };

/** One snapshot of a family: the snapshot, and the one plain FFD is compared on (default: the same). */
export interface ExactCase {
  name: string;
  family: string;
  snapshot: Snapshot;
  ffdSnapshot?: Snapshot;
}

export interface Family {
  name: string;
  cases: () => ExactCase[];
}

interface GroupSpec {
  name: string;
  /** Types and their weights (default: one unit per 2 048 CPU units, i.e. per 2 vCPUs). */
  types: Array<{ type: AnyType; weight?: number }>;
  /** Capacity units the group may still add; unbounded when absent. */
  budget?: number;
  /** Running instances: type and the tasks they run (cpu, memory). */
  running?: Array<{ type: AnyType; load: Array<[number, number]> }>;
}

interface TaskSpecX {
  cpu: number;
  memoryMiB: number;
  gpus?: number;
  awsvpc?: boolean;
  hostPorts?: number[];
  /** distinctInstance on this task group. */
  distinct?: string;
  memberOf?: string;
  /** Capacity provider (a group's name); absent: any group. */
  provider?: string;
  count: number;
}

interface SnapshotSpec {
  name: string;
  groups: GroupSpec[];
  tasks: TaskSpecX[];
}

const defaultWeight = (t: AnyType) => SPECS[t].cpu / 2048;

/** The snapshot of a spec: nothing launching, each group's desired = the units it runs. */
export function specSnapshot(c: SnapshotSpec): Snapshot {
  const pending: Array<Record<string, unknown>> = [];
  c.tasks.forEach((t, ci) => {
    for (let k = 0; k < t.count; k++) {
      const constraints: Array<Record<string, string>> = [];
      if (t.distinct) constraints.push({ type: 'distinctInstance' });
      if (t.memberOf) constraints.push({ type: 'memberOf', expression: t.memberOf });
      pending.push({
        id: `t${ci}-${k}`,
        cpu: t.cpu,
        memoryMiB: t.memoryMiB,
        gpus: t.gpus ?? 0,
        awsvpc: t.awsvpc ?? false,
        hostPorts: t.hostPorts ?? [],
        group: t.distinct ?? `service:c${ci}`,
        constraints,
        ...(t.provider ? { capacityProvider: t.provider } : {}),
      });
    }
  });
  const instances: Array<Record<string, unknown>> = [];
  const groups = c.groups.map((g) => {
    const weightOf = (type: AnyType) => g.types.find((t) => t.type === type)?.weight ?? (g.types.some((t) => t.type === type) ? defaultWeight(type) : 1);
    // As the planner counts them (a type the group does not list weighs 1), so nothing is launching.
    const existingUnits = (g.running ?? []).reduce((a, x) => a + weightOf(x.type), 0);
    for (const x of g.running ?? []) {
      const i = instances.length;
      instances.push({
        id: `ci-${i}`,
        ec2InstanceId: `i-${i}`,
        group: g.name,
        type: x.type,
        az: 'az-a',
        status: 'ACTIVE',
        tasks: x.load
          .filter((_, k, all) => {
            const used = all.slice(0, k + 1).reduce((a, [cpu, mem]) => [a[0]! + cpu, a[1]! + mem], [0, 0]);
            return used[0]! <= SPECS[x.type].cpu && used[1]! <= SPECS[x.type].memoryMiB;
          })
          .map(([cpu, mem], k) => ({ id: `run-${i}-${k}`, cpu, memoryMiB: mem, group: 'service:running' })),
      });
    }
    return {
      name: g.name,
      asg: `asg-${g.name}`,
      min: 0,
      max: existingUnits + (g.budget ?? 100000),
      desired: existingUnits,
      instanceTypes: g.types.map(({ type, weight }) => ({ type, weight: weight ?? defaultWeight(type) })),
    };
  });
  const used = new Set<AnyType>(c.groups.flatMap((g) => [...g.types.map((t) => t.type), ...(g.running ?? []).map((x) => x.type)]));
  const instanceTypes = Object.fromEntries([...used].map((t) => [t, SPECS[t]]));
  return parseSnapshot({ version: 1, cluster: c.name, takenAt: '2026-11-24T12:00:00Z', instanceTypes, groups, instances, pending });
}

function largestType(c: CaseSpec): TypeName {
  return [...c.types].sort((a, b) => EXACT_TYPES[b].cpu - EXACT_TYPES[a].cpu || EXACT_TYPES[b].memoryMiB - EXACT_TYPES[a].memoryMiB)[0]!;
}

const single = (c: CaseSpec, types: TypeName[]): SnapshotSpec => ({
  name: c.name,
  groups: [{ name: 'general', types: types.map((type) => ({ type })), budget: c.budget, running: c.running }],
  tasks: c.tasks,
});

/** The single-group families, each compared with plain FFD on the largest type. */
function singleGroupFamilies(): Family[] {
  const all = singleGroupCases();
  const names = [...new Set(all.map((c) => c.name.replace(/-\d+$/, '')))];
  return names.map((name) => ({
    name,
    cases: () =>
      all
        .filter((c) => c.name.replace(/-\d+$/, '') === name)
        .map((c) => ({ name: c.name, family: name, snapshot: specSnapshot(single(c, c.types)), ffdSnapshot: specSnapshot(single(c, [largestType(c)])) })),
  }));
}

const GENERAL: TypeName[] = ['c5.large', 'm5.large', 'r5.large', 'c5.xlarge', 'm5.xlarge', 'r5.xlarge', 'c5.2xlarge', 'm5.2xlarge'];

function pickFrom<T>(r: () => number, from: readonly T[], n: number): T[] {
  const rest = [...from];
  const out: T[] = [];
  while (out.length < n && rest.length > 0) out.push(rest.splice(Math.floor(r() * rest.length), 1)[0]!);
  return out;
}

/** Weights in vCPU pairs (the default) or one per instance, as ASGs are set up either way. */
function weighted(r: () => number, types: AnyType[]): Array<{ type: AnyType; weight?: number }> {
  const perInstance = r() < 0.35;
  return types.map((type) => (perInstance ? { type, weight: 1 } : { type }));
}

function runningLoad(r: () => number, types: AnyType[], n: number): GroupSpec['running'] {
  return Array.from({ length: n }, () => ({
    type: types[Math.floor(r() * types.length)]!,
    load: Array.from({ length: between(r, 1, 3) }, () => [between(r, 2, 8) * 256, between(r, 2, 8) * 1024] as [number, number]),
  }));
}

/**
 * Two or three groups clamped by `max` (a few units each) sharing waiting tasks: most have no capacity
 * provider (any group may take them), some are bound to one group; demand above what the groups can
 * add, so the plan must choose which tasks wait and place the most the capacity holds.
 */
function clampedMultiGroup(): ExactCase[] {
  const out: ExactCase[] = [];
  for (let seed = 1; seed <= 8; seed++) {
    const r = rng(seed * 104729);
    const names = ['spot-a', 'spot-b', 'od'].slice(0, between(r, 2, 3));
    const groups: GroupSpec[] = names.map((name) => {
      const types = pickFrom(r, GENERAL, between(r, 1, 3));
      return { name, types: weighted(r, types), budget: between(r, 3, 9), running: r() < 0.4 ? runningLoad(r, types, between(r, 1, 3)) : undefined };
    });
    const shapes: Array<[number, number]> = [
      [between(r, 2, 8) * 256, between(r, 2, 8) * 1024],
      [between(r, 1, 4) * 256, between(r, 1, 4) * 512],
      [between(r, 4, 12) * 256, between(r, 4, 16) * 512],
      [between(r, 1, 2) * 128, between(r, 8, 24) * 512],
    ];
    const tasks: TaskSpecX[] = shapes.slice(0, between(r, 3, 4)).map(([cpu, memoryMiB]) => ({
      cpu,
      memoryMiB,
      count: between(r, 8, 26),
      provider: r() < 0.3 ? names[Math.floor(r() * names.length)] : undefined,
    }));
    out.push({ name: `clamped-multi-group-${seed}`, family: 'clamped-multi-group', snapshot: specSnapshot({ name: `clamped-multi-group-${seed}`, groups, tasks }) });
  }
  return out;
}

/**
 * Every constraint kind at once: CPU- and memory-heavy tasks, awsvpc tasks (ENIs), a host port, a
 * distinctInstance service, a memberOf on the instance type, GPU tasks, tasks with and without a
 * capacity provider, weights in vCPUs or per instance, running instances, two general groups (one
 * sometimes clamped) and a GPU group.
 */
function mixedConstraint(): ExactCase[] {
  const out: ExactCase[] = [];
  for (let seed = 1; seed <= 8; seed++) {
    const r = rng(seed * 15485863);
    const aTypes = pickFrom(r, GENERAL, between(r, 2, 4));
    const bTypes = pickFrom(r, GENERAL, between(r, 2, 3));
    const gpuTypes = pickFrom(r, Object.keys(GPU_TYPES) as AnyType[], between(r, 1, 2));
    const groups: GroupSpec[] = [
      { name: 'general', types: weighted(r, aTypes), budget: r() < 0.5 ? between(r, 6, 16) : undefined, running: runningLoad(r, aTypes, between(r, 0, 3)) },
      { name: 'spot', types: weighted(r, bTypes), budget: r() < 0.5 ? between(r, 4, 12) : undefined },
      { name: 'gpu', types: gpuTypes.map((type) => ({ type, weight: SPECS[type].gpus })) },
    ];
    const pair = pickFrom(r, [...aTypes, ...bTypes], 2);
    const memberOf = r() < 0.5 ? `attribute:ecs.instance-type in [${pair.join(', ')}]` : `attribute:ecs.instance-type != ${pair[0]}`;
    const tasks: TaskSpecX[] = [
      { cpu: between(r, 4, 10) * 256, memoryMiB: between(r, 2, 6) * 512, count: between(r, 4, 14) },
      { cpu: between(r, 1, 2) * 256, memoryMiB: between(r, 6, 20) * 512, count: between(r, 4, 14), provider: r() < 0.5 ? 'general' : undefined },
      { cpu: 256, memoryMiB: 512, awsvpc: true, count: between(r, 3, 10), provider: r() < 0.5 ? 'spot' : undefined },
      { cpu: 512, memoryMiB: 1024, hostPorts: [80], count: between(r, 2, 6) },
      { cpu: 1024, memoryMiB: 2048, distinct: 'service:distinct', count: between(r, 2, 6) },
      { cpu: 512, memoryMiB: 2048, memberOf, count: between(r, 2, 8) },
      { cpu: 2048, memoryMiB: 8192, gpus: 1, count: between(r, 1, 4), provider: r() < 0.5 ? 'gpu' : undefined },
      { cpu: 256, memoryMiB: 1024, count: between(r, 5, 20), provider: 'spot' },
    ];
    out.push({ name: `mixed-constraint-${seed}`, family: 'mixed-constraint', snapshot: specSnapshot({ name: `mixed-constraint-${seed}`, groups, tasks }) });
  }
  return out;
}

/** Every family the exact-optimum section runs, in print order. Add new families here. */
export const EXACT_FAMILIES: Family[] = [
  ...singleGroupFamilies(),
  { name: 'clamped-multi-group', cases: clampedMultiGroup },
  { name: 'mixed-constraint', cases: mixedConstraint },
];
