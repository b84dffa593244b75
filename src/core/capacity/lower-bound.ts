/**
 * A lower bound on the cost of the new capacity a group needs, stronger than counting instances per
 * dimension: the fluid linear program over the group's types,
 *
 *   minimise Σ cost_t·z_t  subject to  Σ cap_t,d·z_t ≥ demand_d (every dimension),  Σ z_t ≥ k,  z ≥ 0
 *
 * (k: the most tasks that each need an instance of their own, per host port or distinctInstance group).
 * Any plan buys whole instances that satisfy these rows, so its cost is at least the LP's optimum.
 * Solved exactly through its dual (one variable per dimension that has demand, plus one for k):
 * the dual optimum is at a vertex, and with at most five variables and a few types every vertex
 * can be tried. Pure, no solver library (the handlers import core).
 */

export interface FluidType {
  cost: number;
  capacity: ArrayLike<number>;
}

/** Vertices tried at most (C(types + 5, 5) stays below this for up to 20 types). */
const MAX_VERTICES = 60000;

export function fluidBound(types: readonly FluidType[], demand: ArrayLike<number>, onePerInstance: number): number {
  const dims: number[] = [];
  for (let d = 0; d < demand.length; d++) if ((demand[d] ?? 0) > 1e-9) dims.push(d);
  const m = dims.length + (onePerInstance > 0 ? 1 : 0);
  if (m === 0 || types.length === 0) return 0;
  // Dual: maximise b·y subject to rows·y ≤ cost, y ≥ 0.
  const b = [...dims.map((d) => demand[d] ?? 0), ...(onePerInstance > 0 ? [onePerInstance] : [])];
  const rows = types.map((t) => ({ a: [...dims.map((d) => t.capacity[d] ?? 0), ...(onePerInstance > 0 ? [1] : [])], c: t.cost }));
  // Every dimension with demand needs some type offering it, else no plan places it (no bound here).
  for (let j = 0; j < m; j++) if (!rows.some((r) => (r.a[j] ?? 0) > 0)) return 0;
  const all = [...rows, ...Array.from({ length: m }, (_, j) => ({ a: Array.from({ length: m }, (_, i) => (i === j ? -1 : 0)), c: 0 }))];
  let best = 0;
  let tried = 0;
  const pick: number[] = [];
  const visit = (from: number): void => {
    if (tried > MAX_VERTICES) return;
    if (pick.length === m) {
      tried++;
      const y = solve(pick.map((i) => all[i]!.a), pick.map((i) => all[i]!.c));
      if (!y) return;
      for (const r of all) {
        let lhs = 0;
        for (let j = 0; j < m; j++) lhs += (r.a[j] ?? 0) * (y[j] ?? 0);
        if (lhs > r.c + 1e-9 * Math.max(1, Math.abs(r.c))) return;
      }
      let value = 0;
      for (let j = 0; j < m; j++) value += (b[j] ?? 0) * (y[j] ?? 0);
      if (value > best) best = value;
      return;
    }
    for (let i = from; i <= all.length - (m - pick.length); i++) {
      pick.push(i);
      visit(i + 1);
      pick.pop();
    }
  };
  visit(0);
  return best;
}

/** Solves the square system A·y = c by Gaussian elimination with partial pivoting; undefined if singular. */
function solve(a: number[][], c: number[]): number[] | undefined {
  const n = c.length;
  const m = a.map((row, i) => [...row, c[i] ?? 0]);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[piv]![col]!)) piv = r;
    if (Math.abs(m[piv]![col]!) < 1e-12) return undefined;
    [m[col], m[piv]] = [m[piv]!, m[col]!];
    const p = m[col]!;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const row = m[r]!;
      const f = row[col]! / p[col]!;
      if (f !== 0) for (let k = col; k <= n; k++) row[k] = row[k]! - f * p[k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}
