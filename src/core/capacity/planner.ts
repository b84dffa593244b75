/**
 * The capacity planner: one pass over all waiting demand, every dimension ECS places on.
 *
 * 1. Waiting tasks are grouped into classes of identical requirements and sorted, largest first.
 *    Several orderings × type choices are packed and the cheapest kept, so the result is never worse
 *    than plain first-fit-decreasing, which is one of them.
 * 2. Each class goes first-fit onto free capacity: registered ACTIVE instances of its eligible groups,
 *    then, group by group, instances still launching and instances this plan opens. A new instance's
 *    type is the one that would finish the remaining demand (of the group, or of the class being
 *    placed) most cheaply on its own (price where every type has one, capacity units otherwise).
 * 3. Desired capacity = current desired + new units, raised to keep `targetCapacityPercent` headroom
 *    over the units in use, clamped to min/max.
 *
 * Capacity the ASG is launching but does not list yet (desired above what it lists) is a pool of units:
 * the planner draws instances from it with the same type choice as for new ones, so a second event
 * does not ask again for what the first asked for.
 *
 * Pure: no clock, no I/O. Deterministic: the same snapshot gives the same plan. A fixed point: once
 * its desired capacity is applied, planning again opens nothing.
 */
import { weightOf, type Snapshot } from '../model.js';
import { emptyBin, fitCount, place, type Bin } from './bins.js';
import { ecsManagedEstimate } from './ecs-managed.js';
import { evaluate } from './expression.js';
import { DIMS, type FirstFitIndex } from './first-fit-index.js';
import { DIM_NAMES, beginMatched, endMatched, initialStates, openBin, openVirtual, prepare, slotsOnType, packTotals, usedUnitsOf, type GroupState, type PackResult, type Prepared, type TypeOption } from './pack-state.js';
import { packCrossClass, type CrossClassOptions, type TypePolicy } from './fill.js';
import { fluidBound } from './lower-bound.js';
import type { TaskClass } from './task-classes.js';
import { onDemandHelps } from './unavailable.js';
import { ORDERINGS, TYPE_CHOICES, type CapacityPlan, type GroupPlan, type Ordering, type PlanOptions, type Placement, type Unplaceable } from './types.js';

/** Class indexes in packing order. */
function orderClasses(prep: Prepared, ordering: Ordering | 'ascending'): number[] {
  const { classes, scale } = prep;
  const total = new Float64Array(DIMS);
  for (const c of classes) for (let d = 0; d < DIMS; d++) total[d] = (total[d] ?? 0) + ((c.need[d] ?? 0) / (scale[d] ?? 1)) * c.taskIndexes.length;
  const score = (c: TaskClass): number => {
    let s = 0;
    for (let d = 0; d < DIMS; d++) {
      const share = (c.need[d] ?? 0) / (scale[d] ?? 1);
      if (ordering === 'dot-product') s += share * (total[d] ?? 0);
      else if (ordering === 'dominant' || ordering === 'ascending') s = Math.max(s, share);
      else s += share * share;
    }
    return s;
  };
  // Most constrained first (except in plain FFD): tasks that need an instance of their own per host
  // port or task group open the bins that smaller tasks then fill.
  const onePerInstance = (c: TaskClass): number => (ordering !== 'dominant' && ordering !== 'ascending' && (c.ports.length > 0 || c.distinctGroup !== undefined) ? 1 : 0);
  // Smallest first: within a capped max, the most tasks fit.
  const sign = ordering === 'ascending' ? -1 : 1;
  const s = new Float64Array(classes.length);
  const k = new Uint8Array(classes.length);
  classes.forEach((c, i) => {
    s[i] = sign * score(c);
    k[i] = onePerInstance(c);
  });
  const order = classes.map((_, i) => i);
  // Ties in the order of the classes (of their first waiting task): deterministic, and a numeric sort.
  order.sort((a, b) => (k[b] ?? 0) - (k[a] ?? 0) || (s[b] ?? 0) - (s[a] ?? 0) || a - b);
  return order;
}

/**
 * Picks the type for a new instance of `state`'s group to host `cls`, or undefined if none can.
 * Each candidate is scored by what finishing the group's remaining demand with that type alone
 * would cost: instances needed (enough for the class's tasks, and for the remaining demand in every
 * dimension) × its cost. For a large burst this is cost per unit of capacity; for the last few tasks
 * it picks the smallest type that holds them. Ties go to fewer, larger instances.
 */
function chooseType(state: GroupState, cls: TaskClass, classLeft: number, classLocal = false): TypeOption | undefined {
  if (state.closed) return undefined; // marked unavailable: nothing new until the mark expires
  const budget = state.virtual ? state.group.max - state.countedUnits - state.virtual.units : state.pool + state.group.max - state.committedUnits - state.newUnits;
  let best: { o: TypeOption; total: number; n: number } | undefined;
  for (const o of state.types) {
    if (o.weight > budget) continue;
    const slots = slotsOnType(cls, o);
    if (slots <= 0) continue;
    let n = Math.ceil(classLeft / Math.min(slots, classLeft));
    for (let d = 0; d < DIMS; d++) {
      const cap = o.capacity[d] ?? 0;
      const demand = classLocal ? (cls.need[d] ?? 0) * classLeft : (state.remaining[d] ?? 0);
      if (cap > 0) n = Math.max(n, Math.ceil(demand / cap - 1e-9));
    }
    const total = n * o.cost;
    if (!best || total < best.total * (1 - 1e-9) || (total <= best.total * (1 + 1e-9) && n < best.n)) best = { o, total, n };
  }
  return best?.o;
}

/** Records `n` tasks of the class on the bin; returns the index of the class's next task. */
function assignTasks(cls: TaskClass, home: GroupState | undefined, labels: Array<string | undefined>, next: number, state: GroupState, bin: Bin, index: FirstFitIndex, i: number, n: number, onPending: boolean): number {
  place(cls, bin, n);
  index.update(i, bin.free);
  for (let k = 0; k < n; k++) labels[cls.taskIndexes[next++] ?? -1] = bin.label;
  if (home) for (let d = 0; d < DIMS; d++) home.remaining[d] = (home.remaining[d] ?? 0) - (cls.need[d] ?? 0) * n;
  if (onPending) {
    for (let d = 0; d < DIMS; d++) state.demandOnPending[d] = (state.demandOnPending[d] ?? 0) + (cls.need[d] ?? 0) * n;
    for (const p of cls.ports) state.onePerInstanceDemand.set(`port:${p}`, (state.onePerInstanceDemand.get(`port:${p}`) ?? 0) + n);
    if (cls.distinctGroup !== undefined) {
      const k = `group:${cls.distinctGroup}`;
      state.onePerInstanceDemand.set(k, (state.onePerInstanceDemand.get(k) ?? 0) + n);
    }
  }
  return next;
}

/**
 * How a class-by-class packing treats capacity being launched: `listed` puts tasks on the instances
 * the ASG lists as launching first, as they are, and first-fit is exact (so a second plan retraces the
 * first); `matched` packs as if nothing were launching, with a bounded first-fit search (n log n with
 * any number of task shapes), and only at the end matches its new instances to launching ones by type,
 * then to the pool (the same packing in a second plan finds them all launching).
 */
type LaunchMode = 'listed' | 'matched';

/** Bins a first-fit query may reject before it opens a new instance (`matched` packings). */
const FIRST_FIT_TRIES = 12;

function pack(prep: Prepared, ordering: Ordering | 'ascending', classLocal = false, mode: LaunchMode = 'listed'): PackResult | undefined {
  const { snapshot } = prep;
  const states = initialStates(prep);
  const limit = mode === 'matched' ? FIRST_FIT_TRIES : undefined;
  if (mode === 'matched') for (const state of states) beginMatched(state);
  const labels: Array<string | undefined> = new Array(snapshot.pending.length);
  const reasons: Array<string | undefined> = new Array(snapshot.pending.length);
  for (let ci = 0; ci < prep.classes.length; ci++) {
    const cls = prep.classes[ci]!;
    const home = prep.preferences[ci]?.[0];
    if (home === undefined) continue;
    const rem = states[home]?.remaining;
    if (rem) for (let d = 0; d < DIMS; d++) rem[d] = (rem[d] ?? 0) + (cls.need[d] ?? 0) * cls.taskIndexes.length;
  }

  let unplaceableCount = 0;
  const unplaced: Array<[TaskClass, number, number[]]> = [];
  for (const ci of orderClasses(prep, ordering)) {
    const cls = prep.classes[ci]!;
    const prefs = prep.preferences[ci] ?? [];
    const home = prefs[0] === undefined ? undefined : states[prefs[0]];
    let next = 0; // next task of the class to place
    const total = cls.taskIndexes.length;
    const assign = (state: GroupState, bin: Bin, index: FirstFitIndex, i: number, n: number, onPending: boolean): void => {
      next = assignTasks(cls, home, labels, next, state, bin, index, i, n, onPending);
    };

    if (cls.expressionError === undefined) {
      // 1. Registered instances of every eligible group.
      for (const gi of prefs) {
        const state = states[gi];
        if (!state) continue;
        for (let i = state.registered.findFrom(0, cls.need, limit); i !== -1 && next < total; i = state.registered.findFrom(i + 1, cls.need, limit)) {
          const bin = state.registeredBins[i];
          if (!bin) break;
          const n = Math.min(total - next, fitCount(cls, bin));
          if (n > 0) assign(state, bin, state.registered, i, n, false);
        }
        if (next === total) break;
      }
      // 2. Launching instances, then new ones, group by group in order of preference.
      for (const gi of prefs) {
        const state = states[gi];
        if (!state || next === total) continue;
        let i = 0;
        while (next < total) {
          i = state.pending.findFrom(i, cls.need, limit);
          if (i === -1) {
            const option = chooseType(state, cls, total - next, classLocal);
            if (!option) break;
            i = state.virtual ? openVirtual(state, option) : openBin(state, option);
          }
          const bin = state.pendingBins[i];
          if (!bin) break;
          const n = Math.min(total - next, fitCount(cls, bin));
          if (n > 0) assign(state, bin, state.pending, i, n, true);
          i++;
        }
      }
    }

    if (next < total) {
      const left = total - next;
      unplaceableCount += left;
      if (home) for (let d = 0; d < DIMS; d++) home.remaining[d] = (home.remaining[d] ?? 0) - (cls.need[d] ?? 0) * left;
      unplaced.push([cls, next, prefs]);
      next = total;
    }
  }
  if (mode === 'matched') {
    const real = new Map<string, string>();
    for (const state of states) for (const [from, to] of endMatched(state)) real.set(from, to);
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i];
      if (l !== undefined) labels[i] = real.get(l) ?? l;
    }
    if (states.some((s) => s.committedUnits + s.newUnits > s.group.max)) return undefined;
  }
  for (const [cls, first, prefs] of unplaced) {
    const reason = explain(states, cls, prefs);
    for (let k = first; k < cls.taskIndexes.length; k++) reasons[cls.taskIndexes[k] ?? -1] = reason;
  }

  return { ordering, states, labels, reasons, unplaceableCount, ...packTotals(states) };
}

function fmtDim(d: number, amount: number): string {
  if (d === 2) return amount === 1 ? 'an ENI for its awsvpc network' : `${amount} ENIs`;
  if (d === 3) return `${amount} GPU${amount === 1 ? '' : 's'}`;
  return `${amount} ${DIM_NAMES[d]}`;
}

/** A reason a person can act on, for tasks of `cls` that found no room. */
function explain(states: GroupState[], cls: TaskClass, prefs: number[]): string {
  if (cls.expressionError !== undefined) return `cannot evaluate constraint ${cls.expressionError}`;
  if (cls.capacityProvider !== undefined && prefs.length === 0) {
    return `capacity provider "${cls.capacityProvider}" is not a group of this snapshot`;
  }
  if (prefs.length === 0) return 'the snapshot has no groups';
  const parts = prefs.map((gi) => {
    const state = states[gi];
    if (!state) return '';
    const g = state.group.name;
    const hosts = state.types.filter((o) => slotsOnType(cls, o) > 0);
    if (state.closed && hosts.length > 0) return unavailableReason(state, cls);
    if (hosts.length > 0) {
      const smallest = Math.min(...hosts.map((o) => o.weight));
      return `group ${g} is at its max of ${state.group.max} capacity units (${state.committedUnits + state.newUnits} used, the smallest type that fits needs ${smallest})`;
    }
    const why: string[] = [];
    for (let d = 0; d < DIMS; d++) {
      const need = cls.need[d] ?? 0;
      const largest = Math.max(...state.types.map((o) => o.capacity[d] ?? 0));
      if (need > largest) {
        why.push(d === 2 && largest === 0 ? `needs an ENI for awsvpc; no type in group ${g} has ENIs for tasks` : `needs ${fmtDim(d, need)}; largest type in group ${g} has ${largest}`);
      }
    }
    const reserved = cls.ports.filter((p) => emptyBin('new', '', '', 1, []).ports.has(p));
    if (reserved.length > 0) why.push(`host port ${reserved.join(', ')} is reserved by the ECS agent on every instance`);
    if (cls.expressions.length > 0) {
      const matching = state.types.filter((o) => cls.expressions.every((e) => evaluate(e, { type: o.type, az: cls.pinAz })));
      if (matching.length === 0) why.push(`memberOf "${cls.expressionTexts.join('" and "')}" matches no instance type of group ${g}`);
    }
    if (why.length === 0) {
      const needs = [0, 1, 2, 3].filter((d) => (cls.need[d] ?? 0) > 0).map((d) => fmtDim(d, cls.need[d] ?? 0));
      why.push(`no single instance type of group ${g} offers ${needs.join(', ')} together`);
    }
    return why.join('; ');
  });
  return parts.filter((p) => p.length > 0).join('; ');
}

/**
 * Why tasks wait for a group marked unavailable: which launches failed, until when, and — for tasks
 * whose capacity provider strategy names only this group — what option would help.
 */
function unavailableReason(state: GroupState, cls: TaskClass): string {
  const g = state.group;
  const mark = g.unavailable!;
  const why = `group ${g.name} is unavailable until ${mark.until}: its launches fail (${mark.class}${mark.activityId ? `, activity ${mark.activityId}` : ''})`;
  if (cls.capacityProvider === undefined) return why;
  const help =
    g.lifecycle === 'spot' && onDemandHelps(mark.class)
      ? `set groups[].onDemandFallback: true on ${g.name} (a mixed-instances group) to launch them on-demand, or give the service a strategy that names another provider`
      : `on-demand launches fail the same way (${mark.class}); give the service a strategy that names another provider`;
  return `${why}; the tasks' capacity provider strategy names only ${g.name}, so no other group can host them (nothing is launched for them): ${help}`;
}

/**
 * One preparation per group that some class without a capacity provider may use besides others: that
 * group first in every such class's preferences (the rest in their order).
 */
function routings(prep: Prepared): Prepared[] {
  const shared = new Set<number>();
  prep.classes.forEach((c, ci) => {
    const prefs = prep.preferences[ci] ?? [];
    if (c.capacityProvider === undefined && prefs.length > 1) for (const gi of prefs) shared.add(gi);
  });
  return [...shared]
    .sort((a, b) => a - b)
    .map((gi) => ({
      ...prep,
      preferences: prep.preferences.map((prefs, ci) => (prep.classes[ci]!.capacityProvider === undefined && prefs.includes(gi) && prefs[0] !== gi ? [gi, ...prefs.filter((g) => g !== gi)] : prefs)),
    }));
}

/** Above this many task classes only the class-by-class packings run (their cost stays n log n). */
const CROSS_CLASS_MAX = 200;
/** Up to this many waiting tasks, cross-class packings are also made with move chains. */
const CHAIN_TASKS = 2000;
/** Above this many waiting tasks, one cross-class packing instead of one per instance type. */
const LARGE_BURST = 10000;

/**
 * Fewest unplaceable tasks, then cost, then new units, then the desired capacity it sets (Σ over
 * groups, with headroom: so a second plan that buys nothing keeps the first plan's desired), then
 * the units in use.
 */
function better(a: PackResult, b: PackResult): boolean {
  if (a.unplaceableCount !== b.unplaceableCount) return a.unplaceableCount < b.unplaceableCount;
  if (Math.abs(a.cost - b.cost) > 1e-9) return a.cost < b.cost;
  if (a.newUnits !== b.newUnits) return a.newUnits < b.newUnits;
  const da = desiredTotal(a);
  const db = desiredTotal(b);
  if (da !== db) return da < db;
  return a.usedUnits < b.usedUnits;
}

function desiredTotal(r: PackResult): number {
  return r.states.reduce((a, s) => a + desiredOf(s), 0);
}

/** Current desired + new units, raised to keep the headroom over the units in use, within [min, max]. */
function desiredOf(state: GroupState): number {
  const g = state.group;
  // Marked unavailable: no raise (not even for headroom) until the mark expires.
  if (state.closed) return Math.min(g.max, Math.max(g.min, state.committedUnits));
  const withHeadroom = Math.ceil((usedUnitsOf(state) * 100) / g.targetCapacityPercent - 1e-9);
  return Math.min(g.max, Math.max(g.min, state.committedUnits + state.newUnits, withHeadroom));
}

function lowerBoundOf(state: GroupState): number {
  let bound = 0;
  for (let d = 0; d < DIMS; d++) {
    const largest = Math.max(...state.types.map((o) => o.capacity[d] ?? 0));
    const uncovered = (state.demandOnPending[d] ?? 0) - (state.launchingFree[d] ?? 0) - state.initialPool * (state.capacityPerUnit[d] ?? 0);
    if (largest > 0 && uncovered > 0) bound = Math.max(bound, Math.ceil(uncovered / largest - 1e-9));
  }
  // A host port, or a distinctInstance task group, takes one task per instance.
  const minWeight = Math.min(...state.types.map((o) => o.weight));
  const poolInstances = Math.floor(state.initialPool / minWeight);
  for (const count of state.onePerInstanceDemand.values()) bound = Math.max(bound, count - state.launchingCount - poolInstances);
  return bound;
}

/**
 * The fluid LP bound (lower-bound.ts) on the cost of new capacity for the tasks the plan puts in the
 * group: their demand less what the group's running ACTIVE instances have free, what its launching
 * instances offer and what the pool can hold; one task per instance for each host port and
 * distinctInstance group, less the instances there already are.
 */
function lpBoundOf(prep: Prepared, fresh: GroupState, state: GroupState, kept: PackResult): number {
  const mine = new Set<string>();
  for (const b of state.registeredBins) mine.add(b.label);
  for (const b of state.pendingBins) mine.add(b.label);
  const demand = new Float64Array(DIMS);
  const onePer = new Map<string, number>();
  for (const cls of prep.classes) {
    let n = 0;
    for (const t of cls.taskIndexes) {
      const l = kept.labels[t];
      if (l !== undefined && mine.has(l)) n++;
    }
    if (n === 0) continue;
    for (let d = 0; d < DIMS; d++) demand[d] = (demand[d] ?? 0) + (cls.need[d] ?? 0) * n;
    const keys = cls.ports.map((p) => `port:${p}`);
    if (cls.distinctGroup !== undefined) keys.push(`group:${cls.distinctGroup}`);
    for (const k of keys) onePer.set(k, (onePer.get(k) ?? 0) + n);
  }
  for (const b of fresh.registeredBins) for (let d = 0; d < DIMS; d++) demand[d] = (demand[d] ?? 0) - Math.max(0, b.free[d] ?? 0);
  for (let d = 0; d < DIMS; d++) demand[d] = Math.max(0, (demand[d] ?? 0) - (state.launchingFree[d] ?? 0) - state.initialPool * (state.capacityPerUnit[d] ?? 0));
  const minWeight = Math.min(...state.types.map((o) => o.weight));
  const existing = fresh.registeredBins.length + state.launchingCount + Math.floor(state.initialPool / minWeight);
  const k = Math.max(0, ...[...onePer.values()].map((n) => n - existing));
  return fluidBound(state.types.map((o) => ({ cost: o.cost, capacity: o.capacity })), demand, k);
}

function groupPlan(snapshot: Snapshot, state: GroupState, homeTasks: number[][], gi: number, lpBound: number, protectedIds: Set<string>): GroupPlan {
  const g = state.group;
  const desired = desiredOf(state);
  const counts = new Map<string, number>();
  for (const b of state.pendingBins) if (b.kind === 'new') counts.set(b.type, (counts.get(b.type) ?? 0) + 1);
  const newInstances = g.instanceTypes.filter((t) => counts.has(t.type)).map((t) => ({ type: t.type, count: counts.get(t.type) ?? 0 }));
  return {
    name: g.name,
    asg: g.asg,
    current: g.desired,
    desired,
    newInstances,
    newUnits: state.newUnits,
    lowerBound: lowerBoundOf(state),
    lpBound: Math.round(lpBound * 1e6) / 1e6,
    efficiency: state.newCost > 1e-9 ? Math.round(Math.min(1, lpBound / state.newCost) * 1e4) / 1e4 : 1,
    ecsManagedEstimate: ecsManagedEstimate(snapshot, g, homeTasks[gi] ?? []),
    scaleInCandidates: state.registeredBins.filter((b) => !b.busy && b.placed === 0 && !protectedIds.has(b.label)).map((b) => b.label),
    launchOrder: state.launchOrder,
    ...onDemandBaseOf(snapshot, state, desired),
  };
}

/**
 * The on-demand base for a group that launches on-demand instead: raised by the units of `desired`
 * no listed instance accounts for (weights honoured: the base is in the same capacity units). The ASG
 * may launch them only at its next attempt (minutes), so a raise is remembered with the desired
 * capacity it covers for this shortage mark: a later plan raises only for desired beyond it.
 */
function onDemandBaseOf(snapshot: Snapshot, state: GroupState, desired: number): Pick<GroupPlan, 'onDemandBase'> {
  const od = state.group.onDemandFallback;
  const mark = state.group.unavailable;
  if (!state.onDemandInstead || !od || !mark) return {};
  const listed = state.countedUnits + state.group.launching.reduce((a, l) => a + l.count * weightOf(state.group, l.type), 0);
  const covered = od.covers !== undefined && od.forMark === mark.at;
  const stalledUnits = covered ? Math.max(0, desired - (od.covers ?? 0)) : Math.max(0, desired - listed);
  if (stalledUnits === 0) return {};
  // Never more on-demand than the group's desired capacity.
  const target = Math.min(Math.max(desired, od.base), od.base + stalledUnits);
  if (target <= od.base) return {};
  return { onDemandBase: { previous: od.base, target, raisedFrom: od.raisedFrom ?? od.base, stalledUnits: target - od.base, at: snapshot.takenAt, covers: desired, forMark: mark.at, because: `${state.group.unavailable?.class ?? 'unknown'}${state.group.unavailable?.activityId ? `, activity ${state.group.unavailable.activityId}` : ''}` } };
}

/**
 * Plans capacity for the snapshot's waiting tasks.
 *
 * @example
 * const result = plan(parseSnapshot(doc));
 * for (const g of result.groups) console.log(g.name, g.current, '→', g.desired);
 */
export function plan(snapshot: Snapshot, options: PlanOptions = {}): CapacityPlan {
  const prep = prepare(snapshot);
  const orderings = options.orderings && options.orderings.length > 0 ? options.orderings : ORDERINGS;
  let best: PackResult | undefined;
  const typeChoices = options.typeChoices && options.typeChoices.length > 0 ? options.typeChoices : TYPE_CHOICES;
  const consider = (result: PackResult | undefined) => {
    if (result && (!best || better(result, best))) best = result;
  };
  // Instances the ASG lists as launching: also pack onto them as they are, first.
  const modes: LaunchMode[] = snapshot.groups.some((g) => g.launching.length > 0) ? ['matched', 'listed'] : ['matched'];
  const classByClass = (ordering: Ordering | 'ascending') => {
    for (const typeChoice of typeChoices) for (const mode of modes) consider(pack(prep, ordering, typeChoice === 'class-demand', mode));
  };
  // Many task shapes: FFD-DotProduct alone (each packing is n log n; six would be six times that).
  const many = prep.classes.length > CROSS_CLASS_MAX && options.orderings === undefined && options.typeChoices === undefined;
  // A large burst of few shapes: l2-norm and FFD's class-demand type choice rarely win there and each
  // costs a whole packing; FFD itself (dominant, group demand) stays, so the plan is never worse than it.
  const large = snapshot.pending.length > LARGE_BURST && options.orderings === undefined && options.typeChoices === undefined;
  if (many) for (const mode of modes) consider(pack(prep, 'dot-product', false, mode));
  else if (large) {
    classByClass('dot-product');
    for (const mode of modes) consider(pack(prep, 'dominant', false, mode));
  } else for (const ordering of orderings) classByClass(ordering);
  if (!best) throw new Error('no ordering to plan with');
  const all = options.orderings === undefined && options.typeChoices === undefined;
  // A group's max left tasks out: smallest first places the most in the capacity it allows.
  if (all && best.unplaceableCount > 0) classByClass('ascending');
  if ((options.crossClass ?? all) && prep.classes.length <= CROSS_CLASS_MAX) {
    const typeCount = Math.max(0, ...snapshot.groups.map((g) => g.instanceTypes.length));
    // A large burst: the per-instance type choice only (one packing per type would multiply the time).
    const perType = snapshot.pending.length > LARGE_BURST ? 0 : typeCount;
    const policies: TypePolicy[] = ['ratio', ...Array.from({ length: perType }, (_, prefer) => ({ prefer }))];
    const improve = options.improve ?? true;
    const why = (states: GroupState[], cls: TaskClass, prefs: number[]) => explain(states, cls, prefs);
    // Small bursts: each cross-class packing also with move chains in its improvement phase.
    const chains = snapshot.pending.length <= CHAIN_TASKS;
    const cross = (p: Prepared, o: CrossClassOptions) => {
      consider(packCrossClass(p, o, why));
      if (chains && o.improve) consider(packCrossClass(p, { ...o, chains: true }, why));
    };
    for (const policy of policies) cross(prep, { policy, improve });
    if (best.unplaceableCount > 0) cross(prep, { policy: 'ratio', improve, mostTasks: true });
    // Several groups that may take the same tasks: each group first for all of them, so they share
    // its instances instead of each class going to the group cheapest for it alone.
    const routed = routings(prep);
    if (routed.length > 0) cross(prep, { policy: 'ratio', improve, shareRoom: true });
    for (const routing of routed) {
      cross(routing, { policy: 'ratio', improve });
      cross(routing, { policy: 'ratio', improve, shareRoom: true });
      if (best.unplaceableCount > 0) {
        cross(routing, { policy: 'ratio', improve, mostTasks: true });
        consider(pack(routing, 'ascending'));
      }
    }
  }
  const kept: PackResult = best;

  // Tasks each group would see as PROVISIONING under ECS (its own, plus those with no provider it is first choice for).
  const homeTasks: number[][] = snapshot.groups.map(() => []);
  prep.classes.forEach((c, i) => {
    const home = prep.preferences[i]?.[0];
    if (home !== undefined) homeTasks[home]?.push(...c.taskIndexes);
  });
  for (const h of homeTasks) h.sort((a, b) => a - b);

  const fresh = initialStates(prep);
  const protectedIds = new Set(snapshot.instances.filter((i) => i.protected).map((i) => i.id));
  const placements: Placement[] = [];
  const unplaceable: Unplaceable[] = [];
  snapshot.pending.forEach((task, i) => {
    const label = kept.labels[i];
    if (label !== undefined) placements.push({ task: task.id, instance: label });
    else unplaceable.push({ task: task.id, reason: kept.reasons[i] ?? 'not placed' });
  });
  return {
    groups: kept.states.map((s, gi) => groupPlan(snapshot, s, homeTasks, gi, lpBoundOf(prep, fresh[gi]!, s, kept), protectedIds)),
    placements,
    unplaceable,
    ordering: kept.ordering,
  };
}
