/**
 * The exact-optimum section of `npm run bench:capacity`: small generated snapshots of the structures
 * that trip greedy packers (complementary CPU/memory mixes, distinctInstance services with uneven
 * replica counts, the 11/9 first-fit-decreasing case, fragmented running instances, a clamped `max`,
 * ENI-bound awsvpc tasks, host ports; 3–6 priced types), each solved to proven optimality as an integer
 * program by HiGHS, and compared with the planner and with plain FFD on the largest type.
 *
 * The integer program (one group per snapshot): x[c][b] tasks of class c on bin b (a running instance,
 * or candidate new instance j of type t with y[t][j] ∈ {0,1}, y[t][j] ≥ y[t][j+1]), u[c] tasks left
 * unplaced. Per bin and dimension Σ need·x ≤ free·y; per host port Σ x ≤ y; a distinctInstance class
 * x ≤ y; Σ weight·y ≤ max − desired. Minimise M·Σu + Σ price·y with M above any cost, so the most
 * tasks are placed first, then at least cost.
 */
import highsModule from 'highs';
import { plan, type CapacityPlan } from '../src/core/capacity/index.js';
import { DEFAULT_RESERVED_PORTS, instanceCapacity, parseSnapshot, type Snapshot, type Task } from '../src/core/model.js';
import { rng } from './rng.js';

// `highs` is CommonJS typed with a default export; under ESM the import is the loader itself.
type Loader = typeof highsModule.default;
const loadHighs: Loader = (highsModule as unknown as { default?: Loader }).default ?? (highsModule as unknown as Loader);

const EXACT_TYPES = {
  'c5.large': { cpu: 2048, memoryMiB: 3600, enis: 2, gpus: 0, pricePerHour: 0.085 },
  'm5.large': { cpu: 2048, memoryMiB: 7680, enis: 2, gpus: 0, pricePerHour: 0.096 },
  'r5.large': { cpu: 2048, memoryMiB: 15700, enis: 2, gpus: 0, pricePerHour: 0.126 },
  'c5.xlarge': { cpu: 4096, memoryMiB: 7400, enis: 3, gpus: 0, pricePerHour: 0.17 },
  'm5.xlarge': { cpu: 4096, memoryMiB: 15576, enis: 3, gpus: 0, pricePerHour: 0.192 },
  'r5.xlarge': { cpu: 4096, memoryMiB: 31400, enis: 3, gpus: 0, pricePerHour: 0.252 },
  'c5.2xlarge': { cpu: 8192, memoryMiB: 15000, enis: 3, gpus: 0, pricePerHour: 0.34 },
  'm5.2xlarge': { cpu: 8192, memoryMiB: 31400, enis: 3, gpus: 0, pricePerHour: 0.384 },
} as const;
type TypeName = keyof typeof EXACT_TYPES;


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

/** The generated cases: 6 seeds of each structure. */
export function exactCases(): CaseSpec[] {
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

const weightOfType = (t: TypeName) => EXACT_TYPES[t].cpu / 2048;

export function caseSnapshot(c: CaseSpec, typesOverride?: TypeName[]): Snapshot {
  const types = typesOverride ?? c.types;
  // As the planner counts them (a type the group does not list weighs 1), so nothing is launching.
  const existingUnits = (c.running ?? []).reduce((a, x) => a + (types.includes(x.type) ? weightOfType(x.type) : 1), 0);
  const pending: Array<Record<string, unknown>> = [];
  c.tasks.forEach((t, ci) => {
    for (let k = 0; k < t.count; k++) {
      pending.push({
        id: `t${ci}-${k}`,
        cpu: t.cpu,
        memoryMiB: t.memoryMiB,
        awsvpc: t.awsvpc ?? false,
        hostPorts: t.hostPorts ?? [],
        group: t.distinct ?? `service:c${ci}`,
        constraints: t.distinct ? [{ type: 'distinctInstance' }] : [],
      });
    }
  });
  const instances = (c.running ?? []).map((x, i) => ({
    id: `ci-${i}`,
    ec2InstanceId: `i-${i}`,
    group: 'general',
    type: x.type,
    az: 'az-a',
    status: 'ACTIVE',
    tasks: x.load
      .filter((_, k, all) => {
        const used = all.slice(0, k + 1).reduce((a, [cpu, mem]) => [a[0]! + cpu, a[1]! + mem], [0, 0]);
        return used[0]! <= EXACT_TYPES[x.type].cpu && used[1]! <= EXACT_TYPES[x.type].memoryMiB;
      })
      .map(([cpu, mem], k) => ({ id: `run-${i}-${k}`, cpu, memoryMiB: mem, group: 'service:running' })),
  }));
  return parseSnapshot({
    version: 1,
    cluster: c.name,
    takenAt: '2026-11-24T12:00:00Z',
    instanceTypes: EXACT_TYPES,
    groups: [
      {
        name: 'general',
        asg: 'asg-general',
        min: 0,
        max: existingUnits + (c.budget ?? 100000),
        desired: existingUnits,
        instanceTypes: types.map((type) => ({ type, weight: weightOfType(type) })),
      },
    ],
    instances,
    pending,
  });
}

export function planCost(s: Snapshot, p: CapacityPlan): number {
  return p.groups.reduce((a, g) => a + g.newInstances.reduce((x, n) => x + n.count * (s.instanceTypes[n.type]?.pricePerHour ?? 0), 0), 0);
}

interface Klass {
  need: number[];
  ports: number[];
  distinct?: string;
  count: number;
}

function classesOf(tasks: readonly Task[]): Klass[] {
  const byKey = new Map<string, Klass>();
  for (const t of tasks) {
    const distinct = t.constraints.some((c) => c.type === 'distinctInstance') ? (t.group ?? '') : undefined;
    const ports = t.awsvpc ? [] : [...new Set(t.hostPorts)].sort((a, b) => a - b);
    const need = [t.cpu, t.memoryMiB, t.awsvpc ? 1 : 0, t.gpus];
    const key = `${need.join(',')}|${ports.join(',')}|${distinct ?? ''}`;
    const k = byKey.get(key);
    if (k) k.count++;
    else byKey.set(key, { need, ports, distinct, count: 1 });
  }
  return [...byKey.values()];
}

export interface ExactResult {
  status: string;
  cost: number;
  unplaced: number;
  ms: number;
}

type Highs = Awaited<ReturnType<Loader>>;

/** Solves the snapshot's single group to proven optimality; `upperCost` bounds the new instances of each type. */
export function solveExact(highs: Highs, s: Snapshot, upperCost: number, allPlacedKnown: boolean, timeLimit = 60): ExactResult {
  const g = s.groups[0]!;
  const classes = classesOf(s.pending);
  const budget = g.max - g.desired;
  interface BinVar {
    name: string;
    free: number[];
    ports: Set<number>;
    groups: Set<string>;
    price?: number;
    weight?: number;
    prev?: string;
  }
  const bins: BinVar[] = [];
  for (const inst of s.instances) {
    if (inst.status !== 'ACTIVE') continue;
    const cap = instanceCapacity(s, inst);
    const free = [cap.cpu, cap.memoryMiB, cap.enis, cap.gpus];
    const ports = new Set(inst.reservedPorts);
    const groups = new Set<string>();
    for (const t of inst.tasks) {
      [t.cpu, t.memoryMiB, t.awsvpc ? 1 : 0, t.gpus].forEach((v, d) => { free[d]! -= v; });
      if (!t.awsvpc) for (const p of t.hostPorts) ports.add(p);
      groups.add(t.group ?? '');
    }
    bins.push({ name: `e${bins.length}`, free, ports, groups });
  }
  const n = s.pending.length;
  g.instanceTypes.forEach((gt, ti) => {
    const spec = s.instanceTypes[gt.type]!;
    const price = gt.pricePerHour ?? spec.pricePerHour ?? 0;
    let u = Math.min(n, Math.floor(budget / gt.weight));
    if (allPlacedKnown && price > 0) u = Math.min(u, Math.floor(upperCost / price + 1e-9));
    let prev: string | undefined;
    for (let j = 0; j < u; j++) {
      const name = `y${ti}_${j}`;
      bins.push({ name, free: [spec.cpu, spec.memoryMiB, spec.enis, spec.gpus], ports: new Set(DEFAULT_RESERVED_PORTS), groups: new Set(), price, weight: gt.weight, prev });
      prev = name;
    }
  });
  const newBins = bins.filter((b) => b.price !== undefined);
  const bigM = newBins.reduce((a, b) => a + (b.price ?? 0), 0) + 1;

  const x = (ci: number, bi: number) => `x${ci}_${bi}`;
  const allowed = (k: Klass, b: BinVar) =>
    k.need.every((v, d) => v <= (b.free[d] ?? 0)) && !k.ports.some((p) => b.ports.has(p)) && !(k.distinct !== undefined && b.groups.has(k.distinct));
  const lines: string[] = [];
  const obj: string[] = [];
  for (const b of newBins) obj.push(`${b.price} ${b.name}`);
  classes.forEach((_, ci) => { obj.push(`${bigM} u${ci}`); });
  lines.push('Minimize', ` obj: ${obj.join(' + ')}`, 'Subject To');
  const generals: string[] = [];
  const binaries: string[] = newBins.map((b) => b.name);
  const bounds: string[] = [];
  classes.forEach((k, ci) => {
    const terms = bins.flatMap((b, bi) => (allowed(k, b) ? [x(ci, bi)] : []));
    lines.push(` a${ci}: ${[...terms, `u${ci}`].join(' + ')} = ${k.count}`);
    generals.push(`u${ci}`);
  });
  bins.forEach((b, bi) => {
    const on = (ci: number) => allowed(classes[ci]!, b);
    for (let d = 0; d < 4; d++) {
      const terms = classes.flatMap((k, ci) => (on(ci) && (k.need[d] ?? 0) > 0 ? [`${k.need[d]} ${x(ci, bi)}`] : []));
      if (terms.length === 0) continue;
      if (b.price !== undefined) lines.push(` c${bi}_${d}: ${terms.join(' + ')} - ${b.free[d]} ${b.name} <= 0`);
      else lines.push(` c${bi}_${d}: ${terms.join(' + ')} <= ${b.free[d]}`);
    }
    const ports = new Set(classes.flatMap((k) => k.ports));
    for (const p of ports) {
      const terms = classes.flatMap((k, ci) => (on(ci) && k.ports.includes(p) ? [x(ci, bi)] : []));
      if (terms.length > 1 || (terms.length === 1 && b.price === undefined)) {
        lines.push(b.price !== undefined ? ` p${bi}_${p}: ${terms.join(' + ')} - ${b.name} <= 0` : ` p${bi}_${p}: ${terms.join(' + ')} <= 1`);
      } else if (terms.length === 1) bounds.push(` ${terms[0]} <= 1`);
    }
    classes.forEach((k, ci) => {
      if (!on(ci)) return;
      generals.push(x(ci, bi));
      if (k.distinct !== undefined) bounds.push(` ${x(ci, bi)} <= 1`);
      // Linking: a task on a new bin opens it (the capacity rows already force it where need > 0).
      if (b.price !== undefined && k.need.every((v) => v === 0)) lines.push(` l${ci}_${bi}: ${x(ci, bi)} - ${k.count} ${b.name} <= 0`);
    });
    if (b.prev) lines.push(` s${bi}: ${b.name} - ${b.prev} <= 0`);
  });
  if (newBins.length > 0) lines.push(` budget: ${newBins.map((b) => `${b.weight} ${b.name}`).join(' + ')} <= ${budget}`);
  lines.push('Bounds', ...bounds, 'General', ` ${generals.join(' ')}`, 'Binary', ` ${binaries.join(' ') || ''}`, 'End');
  const t0 = performance.now();
  const res = highs.solve(lines.join('\n'), { output_flag: false, mip_rel_gap: 0, mip_abs_gap: 1e-7, time_limit: timeLimit, presolve: 'on' });
  const ms = performance.now() - t0;
  if (res.Status !== 'Optimal') return { status: res.Status, cost: Number.NaN, unplaced: Number.NaN, ms };
  let unplaced = 0;
  for (let ci = 0; ci < classes.length; ci++) unplaced += Math.round((res.Columns[`u${ci}`] as { Primal: number } | undefined)?.Primal ?? 0);
  let cost = 0;
  for (const b of newBins) if (((res.Columns[b.name] as { Primal: number } | undefined)?.Primal ?? 0) > 0.5) cost += b.price ?? 0;
  return { status: 'Optimal', cost, unplaced, ms };
}

export interface ExactRow {
  name: string;
  tasks: number;
  types: number;
  planCost: number;
  planUnplaced: number;
  ffdCost: number;
  ffdUnplaced: number;
  optCost: number;
  optUnplaced: number;
  ratio: number;
  ffdRatio: number;
  lpBound: number;
  status: string;
  solveMs: number;
}

function largestType(c: CaseSpec): TypeName {
  return [...c.types].sort((a, b) => EXACT_TYPES[b].cpu - EXACT_TYPES[a].cpu || EXACT_TYPES[b].memoryMiB - EXACT_TYPES[a].memoryMiB)[0]!;
}

export async function runExact(filter?: string): Promise<ExactRow[]> {
  const highs = await loadHighs();
  const rows: ExactRow[] = [];
  for (const c of exactCases()) {
    if (filter && !c.name.includes(filter)) continue;
    const s = caseSnapshot(c);
    const p = plan(s);
    const cost = planCost(s, p);
    const sl = caseSnapshot(c, [largestType(c)]);
    const ffd = plan(sl, { orderings: ['dominant'], typeChoices: ['group-demand'] });
    const ffdCost = planCost(sl, ffd);
    const allPlaced = p.unplaceable.length === 0 || ffd.unplaceable.length === 0;
    const upper = Math.min(p.unplaceable.length === 0 ? cost : Infinity, ffd.unplaceable.length === 0 ? ffdCost : Infinity);
    const opt = solveExact(highs, s, upper, allPlaced);
    const lp = p.groups.reduce((a, g) => a + ((g as { lpBound?: number }).lpBound ?? Number.NaN), 0);
    const ratioOf = (x: number) => (opt.cost === 0 ? (x === 0 ? 1 : Infinity) : x / opt.cost);
    rows.push({
      name: c.name,
      tasks: s.pending.length,
      types: c.types.length,
      planCost: cost,
      planUnplaced: p.unplaceable.length,
      ffdCost,
      ffdUnplaced: ffd.unplaceable.length,
      optCost: opt.cost,
      optUnplaced: opt.unplaced,
      ratio: ratioOf(cost),
      ffdRatio: ratioOf(ffdCost),
      lpBound: lp,
      status: opt.status,
      solveMs: opt.ms,
    });
  }
  return rows;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? Number.NaN;
}

export function printExact(rows: ExactRow[]): void {
  const solved = rows.filter((r) => r.status === 'Optimal');
  const sameUnplaced = solved.filter((r) => r.planUnplaced === r.optUnplaced);
  const ratios = sameUnplaced.map((r) => r.ratio);
  const ffdRatios = solved.filter((r) => r.ffdUnplaced === r.optUnplaced).map((r) => r.ffdRatio);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
  console.log(`\nExact optimum (HiGHS, proven): ${solved.length}/${rows.length} snapshots solved, ${rows.reduce((a, r) => a + r.tasks, 0)} tasks`);
  console.log(
    `plan/OPT (cost, where as many tasks placed): mean ${mean(ratios).toFixed(3)}, median ${quantile(ratios, 0.5).toFixed(3)}, p90 ${quantile(ratios, 0.9).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)} (${ratios.length} snapshots)`,
  );
  console.log(`FFD on the largest type/OPT: mean ${mean(ffdRatios).toFixed(3)}, p90 ${quantile(ffdRatios, 0.9).toFixed(3)}, max ${Math.max(...ffdRatios).toFixed(3)}`);
  const moreUnplaced = solved.filter((r) => r.planUnplaced > r.optUnplaced);
  console.log(`snapshots with more unplaced tasks than OPT: ${moreUnplaced.length}${moreUnplaced.map((r) => ` ${r.name} (${r.planUnplaced} vs ${r.optUnplaced})`).join(',')}`);
  const worseThanFfd = rows.filter((r) => r.planUnplaced > r.ffdUnplaced || (r.planUnplaced === r.ffdUnplaced && r.planCost > r.ffdCost + 1e-9));
  console.log(`snapshots worse than plain FFD on the largest type: ${worseThanFfd.length}${worseThanFfd.map((r) => ` ${r.name}`).join(',')}`);
  const lpRows = solved.filter((r) => r.optUnplaced === 0 && Number.isFinite(r.lpBound) && r.optCost > 0);
  if (lpRows.length > 0) console.log(`lpBound/OPT (the bound the plan reports): mean ${mean(lpRows.map((r) => r.lpBound / r.optCost)).toFixed(3)}, min ${Math.min(...lpRows.map((r) => r.lpBound / r.optCost)).toFixed(3)}`);
  const losing = rows.filter((r) => r.status !== 'Optimal' || r.planUnplaced !== r.optUnplaced || r.ratio > 1 + 1e-9);
  if (losing.length > 0) {
    console.log('cases where plan > OPT (or not solved):');
    for (const r of losing) {
      console.log(
        `  ${r.name.padEnd(20)} ${String(r.tasks).padStart(4)} tasks ${r.types} types  plan $${r.planCost.toFixed(3)} (${r.planUnplaced} unplaced)  OPT $${r.optCost.toFixed(3)} (${r.optUnplaced} unplaced)  ×${r.ratio.toFixed(3)}  ${r.status}`,
      );
    }
  }
  console.log(`HiGHS solve time: total ${(rows.reduce((a, r) => a + r.solveMs, 0) / 1000).toFixed(1)} s, max ${(Math.max(...rows.map((r) => r.solveMs)) / 1000).toFixed(1)} s`);
}

if (process.argv[1]?.endsWith('capacity-exact.ts')) {
  const filter = process.argv[2];
  runExact(filter).then(printExact);
}
