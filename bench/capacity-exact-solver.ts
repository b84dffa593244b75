/**
 * The exact optimum of a snapshot's plan, as an integer program solved to proven optimality by HiGHS
 * (the `highs` WebAssembly build, a devDependency used only by the benchmarks).
 *
 * Every group of the snapshot, every dimension and constraint kind the snapshot format has: x[c][b]
 * tasks of class c on bin b — a running ACTIVE instance of a group, or candidate new instance j of type
 * t of group g with y[g][t][j] ∈ {0,1}, y[g][t][j] ≥ y[g][t][j+1] — and u[c] tasks left waiting. A class
 * may use a bin of a group it may go to (its capacity provider, or any group without one) and of a type
 * (and AZ, for running instances) its memberOf expressions accept. Per bin and dimension (CPU, memory,
 * ENIs, GPUs) Σ need·x ≤ free·y; per host port Σ x ≤ y; per distinctInstance task group Σ x ≤ y (and
 * none where the group already runs); per group Σ weight·y ≤ max − desired. Minimise M·Σu + Σ price·y
 * with M above any cost: the most tasks are placed first, then at least cost — the planner's order.
 *
 * Assumes what the generated snapshots hold: nothing launching and `desired` = the units registered
 * (so the budget is max − desired), and a distinctInstance group's tasks all carry the constraint.
 */
import highsModule from 'highs';
import type { CapacityPlan } from '../src/core/capacity/index.js';
import { evaluate, parseExpression, type Expr } from '../src/core/capacity/expression.js';
import { DEFAULT_RESERVED_PORTS, instanceCapacity, type Snapshot, type Task } from '../src/core/model.js';

// `highs` is CommonJS typed with a default export; under ESM the import is the loader itself.
type Loader = typeof highsModule.default;
export const loadHighs: Loader = (highsModule as unknown as { default?: Loader }).default ?? (highsModule as unknown as Loader);
export type Highs = Awaited<ReturnType<Loader>>;

/** Price per hour of a group's type (the group's override, else the type's). */
export function priceOf(s: Snapshot, groupName: string, type: string): number {
  const g = s.groups.find((x) => x.name === groupName);
  return g?.instanceTypes.find((t) => t.type === type)?.pricePerHour ?? s.instanceTypes[type]?.pricePerHour ?? 0;
}

/** Cost per hour of a plan's new instances. */
export function planCost(s: Snapshot, p: CapacityPlan): number {
  return p.groups.reduce((a, g) => a + g.newInstances.reduce((x, n) => x + n.count * priceOf(s, g.name, n.type), 0), 0);
}

interface Klass {
  need: number[];
  ports: number[];
  distinct?: string;
  provider?: string;
  expressions: Expr[];
  count: number;
}

function classesOf(tasks: readonly Task[]): Klass[] {
  const byKey = new Map<string, Klass>();
  for (const t of tasks) {
    const distinct = t.constraints.some((c) => c.type === 'distinctInstance') ? (t.group ?? '') : undefined;
    const ports = t.awsvpc ? [] : [...new Set(t.hostPorts)].sort((a, b) => a - b);
    const need = [t.cpu, t.memoryMiB, t.awsvpc ? 1 : 0, t.gpus];
    const texts = t.constraints.flatMap((c) => (c.type === 'memberOf' ? [c.expression] : [])).sort();
    const key = `${need.join(',')}|${ports.join(',')}|${distinct ?? ''}|${t.capacityProvider ?? ''}|${texts.join('\u0000')}`;
    const k = byKey.get(key);
    if (k) k.count++;
    else byKey.set(key, { need, ports, distinct, provider: t.capacityProvider, expressions: texts.map(parseExpression), count: 1 });
  }
  return [...byKey.values()];
}

export interface ExactResult {
  status: string;
  cost: number;
  unplaced: number;
  ms: number;
  /** New instances per `group:type` in the optimum. */
  bought?: Record<string, number>;
}

interface BinVar {
  name: string;
  group: string;
  type: string;
  az: string | undefined;
  free: number[];
  ports: Set<number>;
  groups: Set<string>;
  price?: number;
  weight?: number;
  prev?: string;
}

/**
 * Solves the snapshot to proven optimality. `upperCost` (the cost of a plan known to place every task,
 * when `allPlacedKnown`) bounds the candidate new instances of each type.
 */
export function solveExact(highs: Highs, s: Snapshot, upperCost: number, allPlacedKnown: boolean, timeLimit = 60): ExactResult {
  const classes = classesOf(s.pending);
  const bins: BinVar[] = [];
  for (const inst of s.instances) {
    if (inst.status !== 'ACTIVE') continue;
    const cap = instanceCapacity(s, inst);
    const free = [cap.cpu, cap.memoryMiB, cap.enis, cap.gpus];
    const ports = new Set(inst.reservedPorts);
    const groups = new Set<string>();
    for (const t of inst.tasks) {
      [t.cpu, t.memoryMiB, t.awsvpc ? 1 : 0, t.gpus].forEach((v, d) => {
        free[d]! -= v;
      });
      if (!t.awsvpc) for (const p of t.hostPorts) ports.add(p);
      groups.add(t.group ?? '');
    }
    bins.push({ name: `e${bins.length}`, group: inst.group, type: inst.type, az: inst.az, free, ports, groups });
  }
  const groupOk = (k: Klass, group: string) => k.provider === undefined || k.provider === group;
  const fitsEmpty = (k: Klass, free: number[], type: string) =>
    k.need.every((v, d) => v <= (free[d] ?? 0)) && !k.ports.some((p) => (DEFAULT_RESERVED_PORTS as readonly number[]).includes(p)) && k.expressions.every((e) => evaluate(e, { type, az: undefined }));
  const budgets = new Map<string, number>();
  for (const g of s.groups) {
    const budget = Math.max(0, g.max - g.desired);
    budgets.set(g.name, budget);
    for (const gt of g.instanceTypes) {
      const spec = s.instanceTypes[gt.type]!;
      const cap = [spec.cpu, spec.memoryMiB, spec.enis, spec.gpus];
      const price = priceOf(s, g.name, gt.type);
      // Never more instances of a type than tasks it could host.
      const hostable = classes.reduce((a, k) => a + (groupOk(k, g.name) && fitsEmpty(k, cap, gt.type) ? k.count : 0), 0);
      let u = Math.min(hostable, Math.floor(budget / gt.weight));
      if (allPlacedKnown && price > 0) u = Math.min(u, Math.floor(upperCost / price + 1e-9));
      let prev: string | undefined;
      for (let j = 0; j < u; j++) {
        const name = `y${bins.length}`;
        bins.push({ name, group: g.name, type: gt.type, az: undefined, free: cap, ports: new Set(DEFAULT_RESERVED_PORTS), groups: new Set(), price, weight: gt.weight, prev });
        prev = name;
      }
    }
  }
  const newBins = bins.filter((b) => b.price !== undefined);
  const bigM = newBins.reduce((a, b) => a + (b.price ?? 0), 0) + 1;

  const x = (ci: number, bi: number) => `x${ci}_${bi}`;
  const allowed = (k: Klass, b: BinVar) =>
    groupOk(k, b.group) &&
    k.need.every((v, d) => v <= (b.free[d] ?? 0)) &&
    !k.ports.some((p) => b.ports.has(p)) &&
    !(k.distinct !== undefined && b.groups.has(k.distinct)) &&
    k.expressions.every((e) => evaluate(e, { type: b.type, az: b.az }));
  const lines: string[] = [];
  const obj: string[] = [];
  for (const b of newBins) obj.push(`${b.price} ${b.name}`);
  classes.forEach((_, ci) => {
    obj.push(`${bigM} u${ci}`);
  });
  lines.push('Minimize', ` obj: ${obj.join(' + ')}`, 'Subject To');
  const generals: string[] = [];
  const binaries: string[] = newBins.map((b) => b.name);
  const bounds: string[] = [];
  classes.forEach((k, ci) => {
    const terms = bins.flatMap((b, bi) => (allowed(k, b) ? [x(ci, bi)] : []));
    lines.push(` a${ci}: ${[...terms, `u${ci}`].join(' + ')} = ${k.count}`);
    generals.push(`u${ci}`);
  });
  const allPorts = new Set(classes.flatMap((k) => k.ports));
  const distinctGroups = new Set(classes.flatMap((k) => (k.distinct === undefined ? [] : [k.distinct])));
  bins.forEach((b, bi) => {
    const on = (ci: number) => allowed(classes[ci]!, b);
    for (let d = 0; d < 4; d++) {
      const terms = classes.flatMap((k, ci) => (on(ci) && (k.need[d] ?? 0) > 0 ? [`${k.need[d]} ${x(ci, bi)}`] : []));
      if (terms.length === 0) continue;
      if (b.price !== undefined) lines.push(` c${bi}_${d}: ${terms.join(' + ')} - ${b.free[d]} ${b.name} <= 0`);
      else lines.push(` c${bi}_${d}: ${terms.join(' + ')} <= ${b.free[d]}`);
    }
    // One task per instance: per host port, and per distinctInstance task group.
    const onePer = (label: string, member: (k: Klass) => boolean) => {
      const terms = classes.flatMap((k, ci) => (on(ci) && member(k) ? [x(ci, bi)] : []));
      if (terms.length > 1 || (terms.length === 1 && b.price === undefined)) {
        lines.push(b.price !== undefined ? ` ${label}: ${terms.join(' + ')} - ${b.name} <= 0` : ` ${label}: ${terms.join(' + ')} <= 1`);
      } else if (terms.length === 1) bounds.push(` ${terms[0]} <= 1`);
    };
    for (const p of allPorts) onePer(`p${bi}_${p}`, (k) => k.ports.includes(p));
    [...distinctGroups].forEach((dg, di) => {
      onePer(`d${bi}_${di}`, (k) => k.distinct === dg);
    });
    classes.forEach((k, ci) => {
      if (!on(ci)) return;
      generals.push(x(ci, bi));
      // Linking: a task on a new bin opens it (the capacity rows already force it where need > 0).
      if (b.price !== undefined && k.need.every((v) => v === 0)) lines.push(` l${ci}_${bi}: ${x(ci, bi)} - ${k.count} ${b.name} <= 0`);
    });
    if (b.prev) lines.push(` s${bi}: ${b.name} - ${b.prev} <= 0`);
  });
  for (const g of s.groups) {
    const mine = newBins.filter((b) => b.group === g.name);
    if (mine.length > 0) lines.push(` budget_${s.groups.indexOf(g)}: ${mine.map((b) => `${b.weight} ${b.name}`).join(' + ')} <= ${budgets.get(g.name)}`);
  }
  lines.push('Bounds', ...bounds, 'General', ` ${generals.join(' ')}`, 'Binary', ` ${binaries.join(' ') || ''}`, 'End');
  const t0 = performance.now();
  const res = highs.solve(lines.join('\n'), { output_flag: false, mip_rel_gap: 0, mip_abs_gap: 1e-7, time_limit: timeLimit, presolve: 'on' });
  const ms = performance.now() - t0;
  if (res.Status !== 'Optimal') return { status: res.Status, cost: Number.NaN, unplaced: Number.NaN, ms };
  let unplaced = 0;
  for (let ci = 0; ci < classes.length; ci++) unplaced += Math.round((res.Columns[`u${ci}`] as { Primal: number } | undefined)?.Primal ?? 0);
  let cost = 0;
  const bought: Record<string, number> = {};
  for (const b of newBins) {
    if (((res.Columns[b.name] as { Primal: number } | undefined)?.Primal ?? 0) <= 0.5) continue;
    cost += b.price ?? 0;
    bought[`${b.group}:${b.type}`] = (bought[`${b.group}:${b.type}`] ?? 0) + 1;
  }
  return { status: 'Optimal', cost, unplaced, ms, bought };
}
