/**
 * The exact-optimum section of `npm run bench:capacity`: small generated snapshots of the structures
 * that trip greedy packers (bench/capacity-families.ts), each solved to proven optimality as an
 * integer program by HiGHS (bench/capacity-exact-solver.ts: most tasks placed first, then least cost),
 * and compared with the planner and with plain first-fit-decreasing.
 *
 * Printed per family and over all: plan/OPT cost (mean, p90, max) where the plan places as many tasks
 * as the optimum, and the tasks left waiting against the optimum's.
 *
 *   npx tsx bench/capacity-exact.ts [name filter]     this section alone
 */
import { plan } from '../src/core/capacity/index.js';
import { EXACT_FAMILIES, type ExactCase } from './capacity-families.js';
import { loadHighs, planCost, solveExact } from './capacity-exact-solver.js';

export interface ExactRow {
  name: string;
  family: string;
  tasks: number;
  groups: number;
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
  planMs: number;
}

export function exactCases(filter?: string): ExactCase[] {
  return EXACT_FAMILIES.flatMap((f) => f.cases()).filter((c) => !filter || c.name.includes(filter));
}

export async function runExact(filter?: string): Promise<ExactRow[]> {
  const highs = await loadHighs();
  const rows: ExactRow[] = [];
  for (const c of exactCases(filter)) {
    const s = c.snapshot;
    const t0 = performance.now();
    const p = plan(s);
    const planMs = performance.now() - t0;
    const cost = planCost(s, p);
    const sf = c.ffdSnapshot ?? s;
    const ffd = plan(sf, { orderings: ['dominant'], typeChoices: ['group-demand'] });
    const ffdCost = planCost(sf, ffd);
    const allPlaced = p.unplaceable.length === 0 || ffd.unplaceable.length === 0;
    const upper = Math.min(p.unplaceable.length === 0 ? cost : Infinity, ffd.unplaceable.length === 0 ? ffdCost : Infinity);
    const opt = solveExact(highs, s, upper, allPlaced);
    const lp = p.groups.reduce((a, g) => a + g.lpBound, 0);
    const ratioOf = (x: number) => (opt.cost === 0 ? (x === 0 ? 1 : Infinity) : x / opt.cost);
    rows.push({
      name: c.name,
      family: c.family,
      tasks: s.pending.length,
      groups: s.groups.length,
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
      planMs,
    });
  }
  return rows;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? Number.NaN;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);

export interface ExactSummary {
  snapshots: number;
  solved: number;
  mean: number;
  p90: number;
  max: number;
  /** Tasks the plan left waiting, and the optimum, summed over the solved snapshots. */
  planWaiting: number;
  optWaiting: number;
  /** Snapshots where the plan left more tasks waiting than the optimum. */
  moreWaiting: number;
}

export function summarise(rows: ExactRow[]): ExactSummary {
  const solved = rows.filter((r) => r.status === 'Optimal');
  const ratios = solved.filter((r) => r.planUnplaced === r.optUnplaced).map((r) => r.ratio);
  return {
    snapshots: rows.length,
    solved: solved.length,
    mean: mean(ratios),
    p90: quantile(ratios, 0.9),
    max: Math.max(...ratios),
    planWaiting: solved.reduce((a, r) => a + r.planUnplaced, 0),
    optWaiting: solved.reduce((a, r) => a + r.optUnplaced, 0),
    moreWaiting: solved.filter((r) => r.planUnplaced > r.optUnplaced).length,
  };
}

export function printExact(rows: ExactRow[]): void {
  const solved = rows.filter((r) => r.status === 'Optimal');
  console.log(`\nExact optimum (HiGHS, proven; most tasks placed first, then least cost): ${solved.length}/${rows.length} snapshots solved, ${rows.reduce((a, r) => a + r.tasks, 0)} tasks`);
  console.log('plan/OPT: cost where the plan places as many tasks as OPT. waiting: tasks left waiting, plan vs OPT (snapshots where the plan leaves more).');
  const header = ['family', 'snapshots', 'mean', 'p90', 'max', 'waiting plan', 'waiting OPT', 'more waiting', 'FFD mean'];
  const cells: string[][] = [];
  const families = [...new Set(rows.map((r) => r.family))];
  const line = (name: string, rs: ExactRow[]) => {
    const s = summarise(rs);
    const ffd = rs.filter((r) => r.status === 'Optimal' && r.ffdUnplaced === r.optUnplaced).map((r) => r.ffdRatio);
    cells.push([name, `${s.solved}/${s.snapshots}`, s.mean.toFixed(3), s.p90.toFixed(3), s.max.toFixed(3), String(s.planWaiting), String(s.optWaiting), String(s.moreWaiting), ffd.length > 0 ? mean(ffd).toFixed(3) : '-']);
  };
  for (const f of families) line(f, rows.filter((r) => r.family === f));
  line('all', rows);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const fmt = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  console.log(fmt(header));
  for (const c of cells) console.log(fmt(c));
  const moreUnplaced = solved.filter((r) => r.planUnplaced > r.optUnplaced);
  console.log(`snapshots with more tasks waiting than OPT: ${moreUnplaced.length}${moreUnplaced.map((r) => ` ${r.name} (${r.planUnplaced} vs ${r.optUnplaced})`).join(',')}`);
  const worseThanFfd = rows.filter((r) => r.planUnplaced > r.ffdUnplaced || (r.planUnplaced === r.ffdUnplaced && r.planCost > r.ffdCost + 1e-9));
  console.log(`snapshots worse than plain FFD: ${worseThanFfd.length}${worseThanFfd.map((r) => ` ${r.name}`).join(',')}`);
  const lpRows = solved.filter((r) => r.optUnplaced === 0 && Number.isFinite(r.lpBound) && r.optCost > 0);
  if (lpRows.length > 0) console.log(`lpBound/OPT (the bound the plan reports): mean ${mean(lpRows.map((r) => r.lpBound / r.optCost)).toFixed(3)}, min ${Math.min(...lpRows.map((r) => r.lpBound / r.optCost)).toFixed(3)}`);
  const losing = rows.filter((r) => r.status !== 'Optimal' || r.planUnplaced !== r.optUnplaced || r.ratio > 1 + 1e-9);
  if (losing.length > 0) {
    console.log('cases where plan > OPT (or not solved):');
    for (const r of losing) {
      console.log(
        `  ${r.name.padEnd(24)} ${String(r.tasks).padStart(4)} tasks ${r.groups} group(s)  plan $${r.planCost.toFixed(3)} (${r.planUnplaced} waiting)  OPT $${r.optCost.toFixed(3)} (${r.optUnplaced} waiting)  ×${r.ratio.toFixed(3)}  ${r.status}`,
      );
    }
  }
  console.log(`plan time: max ${Math.max(...rows.map((r) => r.planMs)).toFixed(0)} ms; HiGHS solve time: total ${(rows.reduce((a, r) => a + r.solveMs, 0) / 1000).toFixed(1)} s, max ${(Math.max(...rows.map((r) => r.solveMs)) / 1000).toFixed(1)} s`);
}

if (process.argv[1]?.endsWith('capacity-exact.ts')) {
  const filter = process.argv[2];
  runExact(filter).then(printExact);
}
