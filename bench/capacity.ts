/**
 * npm run bench:capacity — plans generated bursts of waiting tasks and prints, per workload:
 * plan time (median, in-process), new instances, lowerBound, ECS managed's first step, new/lowerBound,
 * and the same packing with plain first-fit-decreasing for comparison.
 *
 *   npm run bench:capacity                 all workloads
 *   npm run bench:capacity -- --quick      1 000 and 10 000 tasks only
 *   npm run bench:capacity -- --size 50000 one size only (no figures written)
 *   npm run bench:capacity -- --json       machine-readable
 *   npm run bench:capacity -- --exact      only the exact-optimum section (HiGHS, bench/capacity-exact.ts)
 *   npm run bench:capacity -- --no-exact   without it
 *   npm run bench:capacity -- --scale      only the all-distinct-shapes section (bench/capacity-scale.ts)
 *   npm run bench:capacity -- --no-scale   without it
 */
import { performance } from 'node:perf_hooks';
import { plan, type CapacityPlan } from '../src/core/capacity/index.js';
import { parseSnapshot, type Snapshot } from '../src/core/model.js';
import { printExact, runExact } from './capacity-exact.js';
import { printScale, runScale } from './capacity-scale.js';
import { BENCH_TYPES } from './capacity-types.js';
import { rng } from './rng.js';
import { flatten, writeFigures } from './figures.js';

const TYPES = BENCH_TYPES;
const TYPE_ORDER = ['m5.xlarge', 'm5.2xlarge', 'm5.large', 'm5.4xlarge', 'c5.2xlarge', 'r5.2xlarge'] as const;

interface Shape {
  cpu: number;
  memoryMiB: number;
  gpus?: number;
  awsvpc?: boolean;
  hostPorts?: number[];
  weight: number;
}

const MIXES: Record<string, { shapes: Shape[]; gpu?: boolean; bound: 'cpu/memory' | 'other' }> = {
  'small/large': {
    bound: 'cpu/memory',
    shapes: [
      { cpu: 256, memoryMiB: 512, weight: 30 },
      { cpu: 512, memoryMiB: 1024, weight: 25 },
      { cpu: 1024, memoryMiB: 2048, weight: 20 },
      { cpu: 2048, memoryMiB: 4096, weight: 15 },
      { cpu: 4096, memoryMiB: 8192, weight: 10 },
    ],
  },
  'memory-heavy': {
    bound: 'cpu/memory',
    shapes: [
      { cpu: 256, memoryMiB: 2048, weight: 40 },
      { cpu: 512, memoryMiB: 6144, weight: 30 },
      { cpu: 1024, memoryMiB: 12288, weight: 20 },
      { cpu: 128, memoryMiB: 1024, weight: 10 },
    ],
  },
  'awsvpc-heavy': {
    bound: 'other',
    shapes: [
      { cpu: 256, memoryMiB: 512, awsvpc: true, weight: 50 },
      { cpu: 512, memoryMiB: 1024, awsvpc: true, weight: 30 },
      { cpu: 1024, memoryMiB: 2048, weight: 20 },
    ],
  },
  'host-port': {
    bound: 'other',
    shapes: [
      { cpu: 256, memoryMiB: 512, hostPorts: [80], weight: 30 },
      { cpu: 512, memoryMiB: 1024, hostPorts: [8080], weight: 20 },
      { cpu: 512, memoryMiB: 1024, weight: 50 },
    ],
  },
  gpu: {
    bound: 'other',
    gpu: true,
    shapes: [
      { cpu: 2048, memoryMiB: 8192, gpus: 1, weight: 20 },
      { cpu: 8192, memoryMiB: 32768, gpus: 4, weight: 5 },
      { cpu: 512, memoryMiB: 1024, weight: 75 },
    ],
  },
};


function workload(n: number, mix: string, typeCount: number, seed = 42): Snapshot {
  const { shapes, gpu } = MIXES[mix]!;
  const random = rng(seed + n + typeCount);
  const total = shapes.reduce((a, s) => a + s.weight, 0);
  const types = TYPE_ORDER.slice(0, typeCount).map((type) => ({ type, weight: TYPES[type].cpu / 2048 }));
  const groups: Array<Record<string, unknown>> = [
    { name: 'general', asg: 'asg-general', lifecycle: 'spot', min: 0, max: 100000, desired: 0, instanceTypes: types },
  ];
  if (gpu) {
    groups.push({ name: 'gpu', asg: 'asg-gpu', min: 0, max: 100000, desired: 0, instanceTypes: [{ type: 'g4dn.xlarge', weight: 1 }, { type: 'g4dn.12xlarge', weight: 12 }] });
  }
  const pending = Array.from({ length: n }, (_, i) => {
    let r = random() * total;
    const shape =
      shapes.find((s) => {
        r -= s.weight;
        return r < 0;
      }) ?? shapes[0]!;
    const { weight: _w, ...task } = shape;
    return { id: `t-${i}`, ...task, group: `service:s${i % 37}`, capacityProvider: task.gpus ? 'gpu' : 'general' };
  });
  return parseSnapshot({ version: 1, cluster: 'bench', takenAt: '2026-11-24T12:00:00Z', instanceTypes: TYPES, groups, instances: [], pending });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

const sum = (p: CapacityPlan, f: (g: CapacityPlan['groups'][number]) => number) => p.groups.reduce((a, g) => a + f(g), 0);
const instances = (p: CapacityPlan) => sum(p, (g) => g.newInstances.reduce((a, x) => a + x.count, 0));

function cost(s: Snapshot, p: CapacityPlan): number {
  return sum(p, (g) => g.newInstances.reduce((a, x) => a + x.count * (s.instanceTypes[x.type]?.pricePerHour ?? 0), 0));
}

/**
 * New capacity in instances of the largest type, in the dimension that binds (the one with the
 * largest demand / largest capacity): with several types the planner buys cheaper, smaller
 * instances, so the instance count alone overstates waste.
 */
function largestTypeEquivalents(s: Snapshot, p: CapacityPlan): number {
  let total = 0;
  for (const g of p.groups) {
    const group = s.groups.find((x) => x.name === g.name)!;
    const caps = group.instanceTypes.map((t) => s.instanceTypes[t.type]!);
    const dims = ['cpu', 'memoryMiB', 'enis', 'gpus'] as const;
    const largest = dims.map((d) => Math.max(...caps.map((c) => c[d])));
    const demand = dims.map(() => 0);
    for (const t of s.pending) {
      if (t.capacityProvider !== g.name) continue;
      [t.cpu, t.memoryMiB, t.awsvpc ? 1 : 0, t.gpus].forEach((v, d) => { demand[d]! += v; });
    }
    let b = 0;
    dims.forEach((_, d) => {
      if (largest[d]! > 0 && demand[d]! / largest[d]! > demand[b]! / (largest[b]! || 1)) b = d;
    });
    const bought = g.newInstances.reduce((a, x) => a + x.count * s.instanceTypes[x.type]![dims[b]!], 0);
    total += bought / (largest[b] || 1);
  }
  return total;
}

/**
 * A lower bound on the hourly cost of any plan: every dimension's demand bought at the cheapest price
 * per unit of that dimension any type offers (not reachable in general: no type is cheapest in all).
 */
function costLowerBound(s: Snapshot, p: CapacityPlan): number {
  let total = 0;
  for (const g of p.groups) {
    const group = s.groups.find((x) => x.name === g.name)!;
    const dims = ['cpu', 'memoryMiB', 'enis', 'gpus'] as const;
    const demand = dims.map(() => 0);
    for (const t of s.pending) if (t.capacityProvider === g.name) [t.cpu, t.memoryMiB, t.awsvpc ? 1 : 0, t.gpus].forEach((v, d) => { demand[d]! += v; });
    let bound = 0;
    dims.forEach((dim, d) => {
      const perUnit = Math.min(...group.instanceTypes.map((t) => { const c = s.instanceTypes[t.type]!; return c[dim] > 0 ? (c.pricePerHour ?? 0) / c[dim] : Infinity; }));
      if (demand[d]! > 0 && Number.isFinite(perUnit)) bound = Math.max(bound, demand[d]! * perUnit);
    });
    total += bound;
  }
  return total;
}

interface Row {
  tasks: number;
  mix: string;
  types: number;
  planMs: number;
  newInstances: number;
  lowerBound: number;
  ecsManagedStep: number;
  ratio: number;
  capacityRatio: number;
  costPerHour: number;
  costRatio: number;
  ffdInstances: number;
  ffdCostPerHour: number;
  ordering: string;
}

function measure(n: number, mix: string, typeCount: number): Row {
  const s = workload(n, mix, typeCount);
  const runs = n >= 50000 ? 3 : n >= 10000 ? 5 : 9;
  plan(s); // warm-up
  const times: number[] = [];
  let result: CapacityPlan | undefined;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = plan(s);
    times.push(performance.now() - t0);
  }
  const p = result!;
  const ffd = plan(s, { orderings: ['dominant'], typeChoices: ['group-demand'] });
  const lb = sum(p, (g) => g.lowerBound);
  return {
    tasks: n,
    mix,
    types: typeCount,
    planMs: Math.round(median(times) * 10) / 10,
    newInstances: instances(p),
    lowerBound: lb,
    ecsManagedStep: sum(p, (g) => g.ecsManagedEstimate),
    ratio: lb === 0 ? 1 : Math.round((instances(p) / lb) * 1000) / 1000,
    capacityRatio: lb === 0 ? 1 : Math.round((largestTypeEquivalents(s, p) / lb) * 1000) / 1000,
    costPerHour: Math.round(cost(s, p) * 100) / 100,
    costRatio: Math.round((cost(s, p) / (costLowerBound(s, p) || 1)) * 1000) / 1000,
    ffdInstances: instances(ffd),
    ffdCostPerHour: Math.round(cost(s, ffd) * 100) / 100,
    ordering: p.ordering,
  };
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  if (args.has('--help')) {
    console.log('usage: npm run bench:capacity [-- --quick] [-- --json] [-- --exact | --no-exact] [-- --scale | --no-scale]');
    return;
  }
  if (args.has('--exact')) {
    printExact(await runExact());
    return;
  }
  if (args.has('--scale')) {
    printScale(runScale());
    return;
  }
  const argv = process.argv.slice(2);
  const only = argv.includes('--size') ? Number(argv[argv.indexOf('--size') + 1]) : undefined;
  const sizes = only !== undefined ? [only] : args.has('--quick') ? [1000, 10000] : [1000, 10000, 50000];
  // One size is a partial run: no figures, no scale or exact sections.
  if (only !== undefined) for (const a of ['--quick', '--no-scale', '--no-exact']) args.add(a);
  const rows: Row[] = [];
  for (const n of sizes) {
    for (const mix of Object.keys(MIXES)) {
      for (const types of mix === 'small/large' ? [1, 3, 6] : [6]) rows.push(measure(n, mix, types));
    }
  }
  // The docs' figures (bench/figures.ts), from a full run only.
  if (!args.has('--quick')) writeFigures('capacity', 'npm run bench:capacity', Object.assign({}, ...rows.map((r) => flatten(`${r.tasks}.${r.mix.replace(/\W+/g, '-')}.${r.types}`, r))));
  if (args.has('--json')) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  const header = ['tasks', 'mix', 'types', 'plan ms', 'new', 'lowerBound', 'new/LB', 'capacity/LB', 'ECS step', '$/h', '$/$LB', 'FFD new', 'FFD $/h', 'kept'];
  const cells = rows.map((r) => [
    String(r.tasks),
    r.mix,
    String(r.types),
    r.planMs.toFixed(1),
    String(r.newInstances),
    String(r.lowerBound),
    r.ratio.toFixed(3),
    r.capacityRatio.toFixed(3),
    String(r.ecsManagedStep),
    r.costPerHour.toFixed(2),
    r.costRatio.toFixed(3),
    String(r.ffdInstances),
    r.ffdCostPerHour.toFixed(2),
    r.ordering,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i <= 1 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  console.log(`Capacity planner, Node ${process.version}, median plan time in-process.`);
  console.log('lowerBound: per dimension ceil(demand / largest type), one task per instance per host port;');
  console.log('capacity/LB: new capacity in largest-type instances (binding dimension) / lowerBound;');
  console.log('$/$LB: cost per hour / a lower bound on cost (each dimension at its cheapest type); FFD: plain first-fit-decreasing.');
  console.log(line(header));
  for (const c of cells) console.log(line(c));
  // Growth: time per task against n log n between the smallest and largest size of the main mix.
  const main6 = rows.filter((r) => r.mix === 'small/large' && r.types === 6);
  const a = main6[0];
  const b = main6[main6.length - 1];
  if (a && b && b.tasks > a.tasks) {
    const measured = b.planMs / a.planMs;
    const nlogn = (b.tasks * Math.log2(b.tasks)) / (a.tasks * Math.log2(a.tasks));
    console.log(`growth ${a.tasks} → ${b.tasks} tasks (small/large, 6 types): time ×${measured.toFixed(1)}, n log n ×${nlogn.toFixed(1)}, n ×${(b.tasks / a.tasks).toFixed(0)}`);
  }
  if (!args.has('--no-scale') && !args.has('--quick')) printScale(runScale());
  if (!args.has('--no-exact')) printExact(await runExact());
}

await main();
