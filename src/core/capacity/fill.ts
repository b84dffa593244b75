/**
 * Packing across classes, instance by instance (the planner's `cross-class` packings).
 *
 * Class-by-class first-fit never mixes CPU-heavy and memory-heavy tasks on one instance and opens the
 * instances of a distinctInstance service last. Here each instance, running or new, is filled with the
 * mix of classes that fills it best: a bounded search over counts per class maximising the tasks'
 * value (their share of the instance in every dimension, weighted by how scarce the dimension is,
 * slightly convex so larger tasks go first; distinctInstance and host-port classes get a bonus in
 * proportion to their remaining replicas, since the service with most replicas sets the instance count).
 * Then an improvement phase (emptying the least-filled new instances into the others, then giving each
 * new instance the cheapest type that holds what it got) which only ever lowers the cost.
 *
 * Fixed point: the packing ignores capacity the groups are launching; only at the end are the new
 * instances matched, by type, to instances the ASG lists as launching, then drawn from the pool, then
 * bought. A second plan, after the groups launched what the first asked for, makes the same packing
 * and finds every instance already launching.
 */
import { fitCount, place, restoreBin, saveBin, emptyBin, type Bin } from './bins.js';
import { DIMS, FirstFitIndex } from './first-fit-index.js';
import { initialStates, openBin, slotsOnType, packTotals, type GroupState, type PackResult, type Prepared, type TypeOption } from './pack-state.js';
import type { TaskClass } from './task-classes.js';

/** The type policy of one cross-class packing: a type index of the group to prefer, or the best value per cost. */
export type TypePolicy = { prefer: number } | 'ratio';

/** Above this many classes in a bin's candidates, fill greedily (largest value first) instead of searching. */
const SEARCH_CLASSES = 12;
/** Search nodes per instance fill. */
const SEARCH_NODES = 4000;
/** New instances the improvement phase tries to empty, per group. */
const EMPTY_TRIES = 64;
/** Instances a task being moved may look at. */
const MOVE_TRIES = 32;

interface Filled {
  bin: Bin;
  option: TypeOption | undefined;
  /** Tasks per class index placed here by this packing. */
  contents: Map<number, number>;
}

interface Ctx {
  prep: Prepared;
  remaining: number[];
  /** Per class: value per task (before the replica bonus). */
  value: Float64Array;
  bonus: Float64Array;
}

const special = (c: TaskClass) => c.ports.length > 0 || c.markGroup !== undefined || c.distinctGroup !== undefined || (c.pinAz !== undefined && c.expressions.length > 0);

function placeIn(ctx: Ctx, f: Filled, ci: number, n: number): void {
  const cls = ctx.prep.classes[ci]!;
  place(cls, f.bin, n);
  f.contents.set(ci, (f.contents.get(ci) ?? 0) + n);
  ctx.remaining[ci] = (ctx.remaining[ci] ?? 0) - n;
}

/**
 * The counts per class (among `cands`) that fill `bin` best, by a depth-first search over counts,
 * largest value first, within a node budget. The bin is left unchanged.
 */
function bestFill(ctx: Ctx, bin: Bin, cands: number[]): Array<[number, number]> {
  const { classes } = ctx.prep;
  const val = (ci: number) => (ctx.value[ci] ?? 0) + (ctx.bonus[ci] ?? 0);
  const order = [...cands].sort((a, b) => val(b) - val(a) || a - b);
  if (order.length > SEARCH_CLASSES) {
    // Greedy: as many as fit of each class, largest value first.
    const taken: Array<[number, number]> = [];
    const saves: Array<() => void> = [];
    for (const ci of order) {
      const cls = classes[ci]!;
      const n = Math.min(ctx.remaining[ci] ?? 0, fitCount(cls, bin));
      if (n <= 0) continue;
      saves.push(tentative(cls, bin, n));
      taken.push([ci, n]);
    }
    for (let i = saves.length - 1; i >= 0; i--) saves[i]!();
    return taken;
  }
  let best: Array<[number, number]> = [];
  let bestValue = 0;
  let nodes = 0;
  const chosen: Array<[number, number]> = [];
  // Optimistic completion: every later class at as many as fit now.
  const dfs = (i: number, current: number): void => {
    nodes++;
    if (current > bestValue + 1e-12) {
      bestValue = current;
      best = chosen.map(([a, b]) => [a, b]);
    }
    if (i >= order.length || nodes > SEARCH_NODES) return;
    let optimistic = current;
    const fits: number[] = [];
    for (let j = i; j < order.length; j++) {
      const cj = order[j]!;
      const f = Math.min(ctx.remaining[cj] ?? 0, fitCount(classes[cj]!, bin));
      fits.push(f);
      optimistic += f * val(cj);
    }
    if (optimistic <= bestValue + 1e-12) return;
    const ci = order[i]!;
    const cls = classes[ci]!;
    const max = fits[0] ?? 0;
    for (let k = max; k >= 0 && nodes <= SEARCH_NODES; k--) {
      if (k === 0) {
        dfs(i + 1, current);
        break;
      }
      const undo = tentative(cls, bin, k);
      chosen.push([ci, k]);
      dfs(i + 1, current + k * val(ci));
      chosen.pop();
      undo();
    }
  };
  dfs(0, 0);
  return best;
}

/** Places `n` tasks of the class on the bin and returns how to take them off again. */
function tentative(cls: TaskClass, bin: Bin, n: number): () => void {
  if (special(cls)) {
    const save = saveBin(bin);
    place(cls, bin, n);
    return () => restoreBin(bin, save);
  }
  place(cls, bin, n);
  return () => {
    for (let d = 0; d < DIMS; d++) bin.free[d] = (bin.free[d] ?? 0) + (cls.need[d] ?? 0) * n;
    bin.placed -= n;
  };
}

function fillBin(ctx: Ctx, f: Filled, cands: number[]): number {
  let placed = 0;
  for (const [ci, n] of bestFill(ctx, f.bin, cands)) {
    const m = Math.min(n, ctx.remaining[ci] ?? 0, fitCount(ctx.prep.classes[ci]!, f.bin));
    if (m > 0) {
      placeIn(ctx, f, ci, m);
      placed += m;
    }
  }
  return placed;
}

/** Value per task: its share of the largest capacity per dimension, weighted by the scarcity of the dimension. */
function values(prep: Prepared, cands: number[], scale: ArrayLike<number>): Float64Array {
  const { classes } = prep;
  const demand = new Float64Array(DIMS);
  for (const ci of cands) {
    const c = classes[ci]!;
    for (let d = 0; d < DIMS; d++) demand[d] = (demand[d] ?? 0) + ((c.need[d] ?? 0) / ((scale[d] ?? 0) || 1)) * c.taskIndexes.length;
  }
  let total = 0;
  for (let d = 0; d < DIMS; d++) if ((scale[d] ?? 0) > 0) total += demand[d] ?? 0;
  const value = new Float64Array(classes.length);
  for (const ci of cands) {
    const c = classes[ci]!;
    let v = 0;
    for (let d = 0; d < DIMS; d++) {
      const s = scale[d] ?? 0;
      if (s > 0) v += ((c.need[d] ?? 0) / s) * ((demand[d] ?? 0) / (total || 1));
    }
    // Slightly convex: of two fills of equal volume, the one with the larger tasks.
    value[ci] = v > 0 ? v ** 1.1 : 1e-9;
  }
  return value;
}

/** Bonus for one-task-per-instance classes in proportion to their remaining replicas. */
function bonuses(ctx: Ctx, cands: number[]): void {
  const { classes } = ctx.prep;
  let most = 0;
  for (const ci of cands) if (onePerInstance(classes[ci]!)) most = Math.max(most, ctx.remaining[ci] ?? 0);
  for (const ci of cands) ctx.bonus[ci] = most > 0 && onePerInstance(classes[ci]!) ? (2 * (ctx.remaining[ci] ?? 0)) / most : 0;
}

const onePerInstance = (c: TaskClass) => c.ports.length > 0 || c.distinctGroup !== undefined;

function hosts(ctx: Ctx, option: TypeOption, cands: number[]): boolean {
  return cands.some((ci) => (ctx.remaining[ci] ?? 0) > 0 && slotsOnType(ctx.prep.classes[ci]!, option) > 0);
}

function newFilled(option: TypeOption): Filled {
  return { bin: emptyBin('new', '', option.type, option.weight, option.capacity), option, contents: new Map() };
}

/** The new instances of one group for `cands` (each instance opened for them, then topped up with `fillers`). */
function fillNew(ctx: Ctx, state: GroupState, cands: number[], policy: TypePolicy, budget = Number.POSITIVE_INFINITY, perUnit = false, fillers: number[] = []): Filled[] {
  const out: Filled[] = [];
  let left = budget;
  let last: { option: TypeOption; pattern: Array<[number, number]> } | undefined;
  const live = () => cands.filter((ci) => (ctx.remaining[ci] ?? 0) > 0);
  for (let guard = 0; guard < 1e7; guard++) {
    const open = live();
    if (open.length === 0) break;
    bonuses(ctx, open);
    // Same type, same pattern still available: the search would find it again (availability only shrank).
    if (last && last.option.weight <= left && hosts(ctx, last.option, open) && (policy === 'ratio' || state.types[policy.prefer] === last.option) && last.pattern.every(([ci, n]) => (ctx.remaining[ci] ?? 0) >= n)) {
      const f = newFilled(last.option);
      for (const [ci, n] of last.pattern) placeIn(ctx, f, ci, n);
      out.push(f);
      left -= last.option.weight;
      continue;
    }
    let option: TypeOption | undefined;
    const preferred = policy === 'ratio' ? undefined : state.types[policy.prefer];
    if (preferred && preferred.weight <= left && hosts(ctx, preferred, open)) option = preferred;
    else {
      let best: { o: TypeOption; score: number; value: number } | undefined;
      for (const o of state.types) {
        if (o.weight > left || !hosts(ctx, o, open)) continue;
        const trial = newFilled(o);
        const value = bestFill(ctx, trial.bin, open).reduce((a, [ci, n]) => a + n * ((ctx.value[ci] ?? 0) + (ctx.bonus[ci] ?? 0)), 0);
        // Most tasks within a max: value per capacity unit; otherwise per price.
        const per = perUnit ? o.weight : o.cost;
        const score = per > 0 ? value / per : value * 1e12;
        if (!best || score > best.score * (1 + 1e-9) || (score >= best.score * (1 - 1e-9) && value > best.value)) best = { o, score, value };
      }
      option = best?.o;
    }
    if (!option) break;
    const f = newFilled(option);
    if (fillBin(ctx, f, open) === 0) break; // cannot happen: the type hosts a task
    // Room the group's own tasks leave: tasks another group could also host fill it.
    const topUp = fillers.filter((ci) => (ctx.remaining[ci] ?? 0) > 0);
    if (topUp.length > 0) {
      bonuses(ctx, topUp);
      fillBin(ctx, f, topUp);
    }
    out.push(f);
    left -= option.weight;
    last = { option, pattern: [...f.contents] };
  }
  return out;
}

/** Re-places the bin's contents on `f` from scratch (types change under right-sizing). */
function refill(ctx: Ctx, contents: Map<number, number>, bin: Bin): boolean {
  const entries = [...contents].sort((a, b) => (ctx.value[b[0]] ?? 0) - (ctx.value[a[0]] ?? 0) || a[0] - b[0]);
  for (const [ci, n] of entries) {
    const cls = ctx.prep.classes[ci]!;
    if (fitCount(cls, bin) < n) return false;
    place(cls, bin, n);
  }
  return true;
}

/** The cheapest type of the group that holds the bin's contents (no heavier in weight); the bin itself otherwise. */
function rightSize(ctx: Ctx, state: GroupState, f: Filled): Filled {
  let best = f;
  for (const o of state.types) {
    const current = best.option!;
    if (o.cost >= current.cost - 1e-12 || o.weight > current.weight) continue;
    // What the instance holds must fit the type's capacity before a trial instance is worth building.
    let fits = true;
    for (let d = 0; d < DIMS && fits; d++) fits = (f.option!.capacity[d] ?? 0) - (f.bin.free[d] ?? 0) <= (o.capacity[d] ?? 0) + 1e-9;
    if (!fits) continue;
    const bin = emptyBin('new', '', o.type, o.weight, o.capacity);
    if (refill(ctx, f.contents, bin)) best = { bin, option: o, contents: f.contents };
  }
  return best;
}

/** A bin of the packing and the group it belongs to (the improvement phase moves tasks across groups). */
interface Placed {
  f: Filled;
  gi: number;
}

/** New instances a packing may have for the upgrade step (each trial re-runs the emptying). */
const UPGRADE_BINS = 48;

/** Instances (running and new) up to which emptying also moves a task out of the way (quadratic). */
const DEEP_TARGETS = 64;

/** Takes one task of a plain class (no ports or task-group marks) off an instance of the packing. */
function unplaceOne(cls: TaskClass, f: Filled, ci: number): void {
  for (let d = 0; d < DIMS; d++) f.bin.free[d] = (f.bin.free[d] ?? 0) + (cls.need[d] ?? 0);
  f.bin.placed -= 1;
  const n = (f.contents.get(ci) ?? 0) - 1;
  if (n > 0) f.contents.set(ci, n);
  else f.contents.delete(ci);
}

/** How full an instance is: its largest used share of any dimension. */
function fullness(f: Filled): number {
  let used = 0;
  for (let d = 0; d < DIMS; d++) {
    const cap = f.option?.capacity[d] ?? 0;
    if (cap > 0) used = Math.max(used, 1 - (f.bin.free[d] ?? 0) / cap);
  }
  return used;
}

/**
 * One emptying pass: the least-filled new instances not yet removed, each emptied into the others where
 * every one of its tasks finds room (else left as it was). Adds them to `removed`, returns their cost.
 */
function emptyPass(ctx: Ctx, targets: Placed[], firstNew: number, removed: Set<Filled>, eligible: Array<Set<number>>, tries: number, freed: number[], chains: boolean, paid: boolean[]): number {
  const deep = chains && targets.length <= DEEP_TARGETS;
  const index = new FirstFitIndex(ctx.prep.scale);
  for (const t of targets) index.push(removed.has(t.f) ? [-1, -1, -1, -1] : t.f.bin.free);
  let saved = 0;
  const order = targets
    .slice(firstNew)
    .map((t, i) => ({ t, self: firstNew + i, u: fullness(t.f) }))
    .filter((x) => !removed.has(x.t.f))
    .sort((a, b) => a.u - b.u || b.self - a.self);
  for (const { t: victim, self } of order.slice(0, tries)) {
    const f = victim.f;
    if (f.contents.size === 0) continue; // an instance the upgrade step is trying: not a victim
    index.update(self, [-1, -1, -1, -1]);
    const saves = new Map<number, { save: ReturnType<typeof saveBin>; contents: Map<number, number> }>();
    let ok = true;
    const entries = [...f.contents].sort((a, b) => (ctx.value[b[0]] ?? 0) - (ctx.value[a[0]] ?? 0) || a[0] - b[0]);
    for (const [ci, count] of entries) {
      const cls = ctx.prep.classes[ci]!;
      const groups = eligible[ci]!;
      let left = count;
      // Bounded: instances with room but a port, task group or group in the way would make this O(n) per task.
      let looked = 0;
      for (let t = index.findFrom(0, cls.need, MOVE_TRIES); t !== -1 && left > 0 && looked++ < MOVE_TRIES; t = index.findFrom(t + 1, cls.need, MOVE_TRIES)) {
        const target = targets[t]!;
        if (!groups.has(target.gi)) continue;
        const n = Math.min(left, fitCount(cls, target.f.bin));
        if (n <= 0) continue;
        if (!saves.has(t)) saves.set(t, { save: saveBin(target.f.bin), contents: new Map(target.f.contents) });
        place(cls, target.f.bin, n);
        target.f.contents.set(ci, (target.f.contents.get(ci) ?? 0) + n);
        index.update(t, target.f.bin.free);
        left -= n;
      }
      // Small packings: a task that found no room may take the place of one that moves elsewhere.
      for (let t = 0; left > 0 && deep && t < targets.length; t++) {
        const target = targets[t]!;
        if (target.f === f || removed.has(target.f) || !groups.has(target.gi)) continue;
        for (const other of [...target.f.contents.keys()]) {
          if (left === 0) break;
          if (other === ci || special(ctx.prep.classes[other]!)) continue;
          const oc = ctx.prep.classes[other]!;
          const keep = (k: number) => {
            if (!saves.has(k)) saves.set(k, { save: saveBin(targets[k]!.f.bin), contents: new Map(targets[k]!.f.contents) });
          };
          keep(t);
          unplaceOne(oc, target.f, other);
          const u = fitCount(cls, target.f.bin) > 0 ? targets.findIndex((x, k) => k !== t && x.f !== f && !removed.has(x.f) && eligible[other]!.has(x.gi) && fitCount(oc, x.f.bin) > 0) : -1;
          if (u === -1) {
            place(oc, target.f.bin, 1);
            target.f.contents.set(other, (target.f.contents.get(other) ?? 0) + 1);
            continue;
          }
          keep(u);
          const dest = targets[u]!;
          place(oc, dest.f.bin, 1);
          dest.f.contents.set(other, (dest.f.contents.get(other) ?? 0) + 1);
          index.update(u, dest.f.bin.free);
          place(cls, target.f.bin, 1);
          target.f.contents.set(ci, (target.f.contents.get(ci) ?? 0) + 1);
          left--;
        }
        index.update(t, target.f.bin.free);
      }
      if (left > 0) {
        ok = false;
        break;
      }
    }
    if (ok) {
      removed.add(f);
      // An instance of a group with launching capacity or a pool may cost nothing (matched at the end).
      saved += paid[victim.gi] ? (f.option?.cost ?? 0) : 0;
      freed[victim.gi] = (freed[victim.gi] ?? 0) + (f.option?.weight ?? 0);
      continue;
    }
    for (const [t, { save, contents }] of saves) {
      const target = targets[t]!;
      restoreBin(target.f.bin, save);
      target.f.contents = contents;
      index.update(t, target.f.bin.free);
    }
    index.update(self, f.bin.free);
  }
  return saved;
}

/**
 * Empties the least-filled new instances into the others — of any group the tasks may go to, running
 * ones included — where every task finds room; each success saves an instance. Then, on small
 * packings, upgrades: a new instance given a larger type of its group (within the units its group has
 * left) is kept when the instances its extra room empties cost more than the upgrade. Then right-sizes
 * every new instance. Across groups: an instance bought for tasks only one group can host (GPUs, a
 * provider) has room that tasks another group opened an instance for can fill.
 */
function improve(ctx: Ctx, states: GroupState[], registered: Filled[][], news: Filled[][], eligible: Array<Set<number>>, left: number[], chains: boolean): Filled[][] {
  const targets: Placed[] = [];
  registered.forEach((fs, gi) => {
    for (const f of fs) targets.push({ f, gi });
  });
  const firstNew = targets.length;
  news.forEach((fs, gi) => {
    for (const f of fs) targets.push({ f, gi });
  });
  const removed = new Set<Filled>();
  const tries = EMPTY_TRIES * Math.max(1, news.filter((fs) => fs.length > 0).length);
  const freed = states.map(() => 0);
  // Whether an instance of the group is surely bought (nothing launching, no pool to draw it from).
  const paid = states.map((s) => s.launchingCount === 0 && s.initialPool === 0);
  emptyPass(ctx, targets, firstNew, removed, eligible, tries, freed, chains, paid);
  if (targets.length - firstNew <= UPGRADE_BINS) {
    for (let i = firstNew; i < targets.length; i++) {
      const t = targets[i]!;
      for (const o of states[t.gi]!.types) {
        const current = t.f.option!;
        // Only where the instance is surely bought: a launching one of its type may be what it becomes.
        if (!paid[t.gi] || removed.has(t.f) || o.cost <= current.cost + 1e-12 || o.weight - current.weight > (left[t.gi] ?? 0) + (freed[t.gi] ?? 0)) continue;
        const bin = emptyBin('new', '', o.type, o.weight, o.capacity);
        if (!refill(ctx, t.f.contents, bin)) continue;
        const saves = targets.map((x) => ({ save: saveBin(x.f.bin), contents: new Map(x.f.contents) }));
        const before = { bin: t.f.bin, option: current, freed: freed.slice() };
        t.f.bin = bin;
        t.f.option = o;
        const trial = new Set(removed);
        const saved = emptyPass(ctx, targets, firstNew, trial, eligible, tries, freed, chains, paid);
        if (saved > o.cost - current.cost + 1e-9) {
          for (const f of trial) removed.add(f);
          freed[t.gi] = (freed[t.gi] ?? 0) - (o.weight - current.weight);
          continue;
        }
        targets.forEach((x, k) => {
          restoreBin(x.f.bin, saves[k]!.save);
          x.f.contents = saves[k]!.contents;
        });
        t.f.bin = before.bin;
        t.f.option = before.option;
        before.freed.forEach((v, g) => {
          freed[g] = v;
        });
      }
    }
  }
  // An instance added (within the units its group has left) is kept when the instances it empties cost more.
  const added: Placed[] = [];
  if (targets.length - firstNew <= UPGRADE_BINS) {
    states.forEach((state, gi) => {
      for (const o of state.types) {
        if (!paid[gi] || o.weight > (left[gi] ?? 0) + (freed[gi] ?? 0)) continue;
        const f = newFilled(o);
        const saves = targets.map((x) => ({ save: saveBin(x.f.bin), contents: new Map(x.f.contents) }));
        const before = freed.slice();
        targets.push({ f, gi });
        const trial = new Set(removed);
        const saved = emptyPass(ctx, targets, firstNew, trial, eligible, tries, freed, chains, paid);
        if (f.contents.size > 0 && saved > o.cost + 1e-9) {
          for (const x of trial) removed.add(x);
          freed[gi] = (freed[gi] ?? 0) - o.weight;
          added.push({ f, gi });
          continue;
        }
        targets.pop();
        targets.forEach((x, k) => {
          restoreBin(x.f.bin, saves[k]!.save);
          x.f.contents = saves[k]!.contents;
        });
        before.forEach((v, g) => {
          freed[g] = v;
        });
      }
    });
  }
  const kept = news.map((fs, gi) => [...fs, ...added.filter((a) => a.gi === gi).map((a) => a.f)]);
  return kept.map((fs, gi) => fs.filter((f) => !removed.has(f)).map((f) => rightSize(ctx, states[gi]!, f)));
}

/** Work budget of `placeWaiting` (bin visits). */
const WAITING_WORK = 200000;

/**
 * At a max, tasks still waiting (smallest first) go into any instance of a group they may use that has
 * room, or take the place of a task that moves to another instance (+1 placed), or of a larger task
 * whose place holds two of them (+1). Only tasks without ports or task-group marks are moved (they
 * leave nothing behind on the instance). Never places fewer tasks; bounded work.
 */
function placeWaiting(ctx: Ctx, targets: Placed[], eligible: Array<Set<number>>): void {
  const { classes } = ctx.prep;
  const movable = (ci: number) => !special(classes[ci]!);
  /** Takes one task of class ci off t's instance (its room freed), without counting it as waiting. */
  const unplace = (t: Placed, ci: number) => {
    const cls = classes[ci]!;
    for (let d = 0; d < DIMS; d++) t.f.bin.free[d] = (t.f.bin.free[d] ?? 0) + (cls.need[d] ?? 0);
    t.f.bin.placed -= 1;
    const n = (t.f.contents.get(ci) ?? 0) - 1;
    if (n > 0) t.f.contents.set(ci, n);
    else t.f.contents.delete(ci);
  };
  const take = (t: Placed, ci: number) => {
    unplace(t, ci);
    ctx.remaining[ci] = (ctx.remaining[ci] ?? 0) + 1;
  };
  let work = 0;
  const waiting = () =>
    classes
      .map((_, ci) => ci)
      .filter((ci) => (ctx.remaining[ci] ?? 0) > 0)
      .sort((a, b) => dominantShare(ctx, classes[a]!) - dominantShare(ctx, classes[b]!) || a - b);
  for (let progress = true; progress && work < WAITING_WORK; ) {
    progress = false;
    for (const ci of waiting()) {
      const cls = classes[ci]!;
      const mine = targets.filter((t) => eligible[ci]!.has(t.gi));
      for (const t of mine) {
        work++;
        const n = Math.min(ctx.remaining[ci] ?? 0, fitCount(cls, t.f.bin));
        if (n > 0) {
          placeIn(ctx, t.f, ci, n);
          progress = true;
        }
      }
      for (const t of mine) {
        if ((ctx.remaining[ci] ?? 0) === 0 || work >= WAITING_WORK) break;
        for (const other of [...t.f.contents.keys()]) {
          if (other === ci || !movable(other) || (ctx.remaining[ci] ?? 0) === 0) continue;
          work += targets.length;
          take(t, other);
          if (fitCount(cls, t.f.bin) === 0) {
            placeIn(ctx, t.f, other, 1);
            continue;
          }
          // The displaced task finds another instance, or two waiting tasks fit in its place.
          const elsewhere = targets.find((u) => u !== t && eligible[other]!.has(u.gi) && fitCount(classes[other]!, u.f.bin) > 0);
          const saveT = saveBin(t.f.bin);
          const contentsT = new Map(t.f.contents);
          const remaining = ctx.remaining.slice();
          if (elsewhere) placeIn(ctx, elsewhere.f, other, 1);
          let gained = 0;
          for (const cj of waiting()) {
            if (cj === other || !eligible[cj]!.has(t.gi)) continue;
            const n = Math.min(ctx.remaining[cj] ?? 0, fitCount(classes[cj]!, t.f.bin));
            if (n > 0) {
              placeIn(ctx, t.f, cj, n);
              gained += n;
            }
          }
          if (gained >= (elsewhere ? 1 : 2)) {
            progress = true;
            continue;
          }
          restoreBin(t.f.bin, saveT);
          t.f.contents = contentsT;
          ctx.remaining = remaining;
          if (elsewhere) unplace(elsewhere, other);
          placeIn(ctx, t.f, other, 1);
        }
      }
    }
  }
}

/** Per class, how many of the group's tasks to pack: the largest prefix, smallest first, that fits the budget. */
function mostThatFit(ctx: Ctx, state: GroupState, cands: number[], policy: TypePolicy, budget: number): number[] {
  const base = ctx.remaining.slice();
  const { classes } = ctx.prep;
  const share = (ci: number) => dominantShare(ctx, classes[ci]!);
  const order = cands.filter((ci) => (base[ci] ?? 0) > 0).sort((a, b) => share(a) - share(b) || a - b);
  const capsFor = (k: number) => {
    const caps = base.slice();
    for (const ci of order) {
      const n = Math.min(base[ci] ?? 0, k);
      caps[ci] = n;
      k -= n;
    }
    return caps;
  };
  const fits = (k: number) => {
    ctx.remaining = capsFor(k);
    fillNew(ctx, state, cands, policy, budget, true);
    return order.every((ci) => (ctx.remaining[ci] ?? 0) === 0);
  };
  let lo = 0;
  let hi = order.reduce((a, ci) => a + (base[ci] ?? 0), 0);
  if (fits(hi)) lo = hi;
  else {
    hi--;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(mid)) lo = mid;
      else hi = mid - 1;
    }
  }
  ctx.remaining = base;
  return capsFor(lo);
}

function dominantShare(ctx: Ctx, cls: TaskClass): number {
  let m = 0;
  for (let d = 0; d < DIMS; d++) {
    const s = ctx.prep.scale[d] ?? 0;
    if (s > 0) m = Math.max(m, (cls.need[d] ?? 0) / s);
  }
  return m;
}

/** Repair steps at a clamped max (each tries every instance and type once). */
const REPAIR_STEPS = 256;

/**
 * At a clamped max, the units the fill left over: tasks still out (smallest first) go into any instance
 * with room, else into an instance grown to a larger type within the units left, else into a new one.
 */
function repair(ctx: Ctx, state: GroupState, registered: Filled[], news: Filled[], cands: number[], budget: number): Filled[] {
  const { classes } = ctx.prep;
  let left = budget - news.reduce((a, f) => a + (f.option?.weight ?? 0), 0);
  const out = news.slice();
  const share = (ci: number) => dominantShare(ctx, classes[ci]!);
  const order = cands.filter((ci) => (ctx.remaining[ci] ?? 0) > 0).sort((a, b) => share(a) - share(b) || a - b);
  let steps = 0;
  for (const ci of order) {
    const cls = classes[ci]!;
    while ((ctx.remaining[ci] ?? 0) > 0 && steps++ < REPAIR_STEPS) {
      const room = [...registered, ...out].find((f) => fitCount(cls, f.bin) > 0);
      if (room) {
        placeIn(ctx, room, ci, Math.min(ctx.remaining[ci] ?? 0, fitCount(cls, room.bin)));
        continue;
      }
      let grown: { at: number; f: Filled; extra: number } | undefined;
      out.forEach((f, at) => {
        for (const o of state.types) {
          const extra = o.weight - (f.option?.weight ?? 0);
          if (extra <= 0 || extra > left || (grown && extra >= grown.extra)) continue;
          const bin = emptyBin('new', '', o.type, o.weight, o.capacity);
          if (refill(ctx, f.contents, bin) && fitCount(cls, bin) > 0) grown = { at, f: { bin, option: o, contents: new Map(f.contents) }, extra };
        }
      });
      if (grown) {
        out[grown.at] = grown.f;
        left -= grown.extra;
        placeIn(ctx, grown.f, ci, 1);
        continue;
      }
      const option = state.types.filter((o) => o.weight <= left && slotsOnType(cls, o) > 0).sort((a, b) => slotsOnType(cls, b) / b.weight - slotsOnType(cls, a) / a.weight || a.weight - b.weight)[0];
      if (!option) break;
      const f = newFilled(option);
      fillBin(ctx, f, [ci, ...order.filter((x) => x !== ci && (ctx.remaining[x] ?? 0) > 0)]);
      out.push(f);
      left -= option.weight;
    }
  }
  return out;
}

export interface CrossClassOptions {
  policy: TypePolicy;
  improve: boolean;
  /**
   * A group's max leaves tasks out: count every task alike (so the most fit), choose types by tasks
   * per capacity unit and open instances only within max − the units already running.
   */
  mostTasks?: boolean;
  /**
   * Groups that alone can host some class (GPUs, a capacity provider) pack first, and each instance
   * they open takes, in the room its own tasks leave, tasks other groups could host too.
   */
  shareRoom?: boolean;
  /**
   * Small packings: emptying an instance may also move a task out of the way of one that found no room
   * (a different local optimum: the planner keeps the cheaper packing of the two).
   */
  chains?: boolean;
}

/**
 * One cross-class packing of the snapshot, or undefined when it would take a group past its max
 * (the class-by-class packings, which respect max as they go, then decide).
 */
export function packCrossClass(
  prep: Prepared,
  options: CrossClassOptions,
  explain: (states: GroupState[], cls: TaskClass, prefs: number[]) => string,
): PackResult | undefined {
  const { snapshot, classes } = prep;
  const states = initialStates(prep);
  const ctx: Ctx = { prep, remaining: classes.map((c) => (c.expressionError === undefined ? c.taskIndexes.length : 0)), value: new Float64Array(classes.length), bonus: new Float64Array(classes.length) };
  const all = classes.map((_, ci) => ci);
  const valuesFor = (cands: number[], scale: ArrayLike<number>, count = options.mostTasks) => {
    const v = values(prep, cands, scale);
    // Most tasks: one per task, volume only to break ties.
    if (count) for (const ci of cands) v[ci] = 1 + 1e-3 * (v[ci] ?? 0);
    return v;
  };
  ctx.value = valuesFor(all, prep.scale);

  // 1. Running instances: each filled with the best mix of the classes that may go there.
  const registered: Filled[][] = states.map(() => []);
  states.forEach((state, gi) => {
    const eligible = all.filter((ci) => (prep.preferences[ci] ?? []).includes(gi));
    for (const bin of state.registeredBins) {
      const f: Filled = { bin, option: undefined, contents: new Map() };
      registered[gi]!.push(f);
      const open = eligible.filter((ci) => (ctx.remaining[ci] ?? 0) > 0);
      if (open.length === 0) continue;
      bonuses(ctx, open);
      fillBin(ctx, f, open);
    }
  });

  // 2. New instances: each group, in order, for the classes whose first host it is, then for what an
  // earlier group's max left over (spill); a second sweep gives any group's units left to what still waits.
  const news: Filled[][] = states.map(() => []);
  const hostable = classes.map((cls, ci) => (prep.preferences[ci] ?? []).filter((gi) => !states[gi]!.closed && states[gi]!.types.some((o) => slotsOnType(cls, o) > 0)));
  // The units already running are the same in a second plan, so these budgets are too (fixed point).
  const left = states.map((state) => state.group.max - state.countedUnits);
  const done = new Set<number>();
  const packGroup = (gi: number, cands: number[]) => {
    const state = states[gi]!;
    if (cands.length === 0 || left[gi]! <= 0) return;
    const saved = ctx.value;
    const fillers = options.shareRoom ? all.filter((ci) => !cands.includes(ci) && (ctx.remaining[ci] ?? 0) > 0 && hostable[ci]!.includes(gi)) : [];
    ctx.value = valuesFor([...cands, ...fillers], maxCapacity(state), false);
    const policy = options.policy === 'ratio' || options.policy.prefer < state.types.length ? options.policy : 'ratio';
    const budget = left[gi]!;
    const base = ctx.remaining.slice();
    // At a clamped max: the most of the smallest tasks that pack within it (binary search on their number).
    const caps = options.mostTasks ? mostThatFit(ctx, state, cands, policy, budget) : base;
    ctx.remaining = caps.slice();
    let filled = fillNew(ctx, state, cands, policy, budget, options.mostTasks, fillers);
    ctx.remaining = base.map((b, ci) => b - ((caps[ci] ?? 0) - (ctx.remaining[ci] ?? 0)));
    if (options.mostTasks) filled = repair(ctx, state, [...registered[gi]!, ...news[gi]!], filled, cands, budget);
    left[gi] = budget - filled.reduce((a, f) => a + (f.option?.weight ?? 0), 0);
    news[gi]!.push(...filled);
    ctx.value = saved;
  };
  const order = groupOrder(hostable, states.length, options.shareRoom ?? false);
  for (const gi of order) {
    // Classes whose groups before this one are done: their first host, or an earlier one's max is reached.
    packGroup(
      gi,
      all.filter((ci) => {
        const h = hostable[ci]!;
        const at = h.indexOf(gi);
        return at !== -1 && (ctx.remaining[ci] ?? 0) > 0 && h.slice(0, at).every((g) => done.has(g));
      }),
    );
    done.add(gi);
  }
  for (const gi of order) packGroup(gi, all.filter((ci) => (ctx.remaining[ci] ?? 0) > 0 && hostable[ci]!.includes(gi)));
  const eligible = classes.map((_, ci) => new Set(prep.preferences[ci] ?? []));
  // Last, so it only lowers the cost of what is placed (it moves all of an instance's tasks or none).
  if (options.improve) {
    const improved = improve(ctx, states, registered, news, eligible, left, options.chains ?? false);
    improved.forEach((fs, gi) => {
      news[gi] = fs;
    });
  }
  // Tasks a max left waiting: into room anywhere, or in place of tasks that move.
  if (options.mostTasks && ctx.remaining.some((n) => n > 0)) {
    const targets: Placed[] = [];
    registered.forEach((fs, gi) => {
      for (const f of fs) targets.push({ f, gi });
    });
    news.forEach((fs, gi) => {
      for (const f of fs) targets.push({ f, gi });
    });
    placeWaiting(ctx, targets, eligible);
  }

  // 3. Accounting: match new instances to launching ones by type, then the pool, then buy.
  const labels: Array<string | undefined> = new Array(snapshot.pending.length);
  const reasons: Array<string | undefined> = new Array(snapshot.pending.length);
  const nextTask = classes.map(() => 0);
  const label = (ci: number, n: number, bin: Bin) => {
    const cls = classes[ci]!;
    for (let k = 0; k < n; k++) labels[cls.taskIndexes[nextTask[ci]!++] ?? -1] = bin.label;
  };
  const onePerKeys = classes.map((cls) => [...cls.ports.map((p) => `port:${p}`), ...(cls.distinctGroup !== undefined ? [`group:${cls.distinctGroup}`] : [])]);
  states.forEach((state, gi) => {
    for (const f of registered[gi]!) for (const [ci, n] of f.contents) label(ci, n, f.bin);
    // Launching instances by type, in the order the ASG lists them.
    const listed = new Map<string, Bin[]>();
    for (const b of state.pendingBins) listed.set(b.type, [...(listed.get(b.type) ?? []), b]);
    for (const f of news[gi]!) {
      const launching = listed.get(f.option!.type)?.shift();
      // Not launching: the packed instance itself is opened (its tasks are on it already).
      const bin = launching ?? state.pendingBins[openBin(state, f.option!, f.bin)]!;
      for (const [ci, n] of f.contents) {
        const cls = classes[ci]!;
        if (launching) place(cls, bin, n);
        for (let d = 0; d < DIMS; d++) state.demandOnPending[d] = (state.demandOnPending[d] ?? 0) + (cls.need[d] ?? 0) * n;
        for (const k of onePerKeys[ci]!) state.onePerInstanceDemand.set(k, (state.onePerInstanceDemand.get(k) ?? 0) + n);
        label(ci, n, bin);
      }
    }
  });
  if (states.some((s) => s.committedUnits + s.newUnits > s.group.max)) return undefined;

  let unplaceableCount = 0;
  classes.forEach((cls, ci) => {
    if (nextTask[ci]! >= cls.taskIndexes.length) return;
    const reason = explain(states, cls, prep.preferences[ci] ?? []);
    for (let k = nextTask[ci]!; k < cls.taskIndexes.length; k++) reasons[cls.taskIndexes[k] ?? -1] = reason;
    unplaceableCount += cls.taskIndexes.length - nextTask[ci]!;
  });
  return { ordering: 'cross-class', states, labels, reasons, unplaceableCount, ...packTotals(states) };
}

/**
 * Groups in the order of the classes' first hosts (first appearance), then the rest; with `soleFirst`,
 * groups that are the only host of some class before all others (their instances are bought anyway).
 */
function groupOrder(hostable: number[][], count: number, soleFirst: boolean): number[] {
  const order: number[] = [];
  const seen = new Set<number>();
  const firsts = soleFirst ? [...hostable.filter((h) => h.length === 1), ...hostable] : hostable;
  for (const h of firsts) {
    const first = h[0];
    if (first !== undefined && !seen.has(first)) {
      seen.add(first);
      order.push(first);
    }
  }
  for (let gi = 0; gi < count; gi++) if (!seen.has(gi)) order.push(gi);
  return order;
}

function maxCapacity(state: GroupState): Float64Array {
  const cap = new Float64Array(DIMS);
  for (const o of state.types) for (let d = 0; d < DIMS; d++) cap[d] = Math.max(cap[d] ?? 0, o.capacity[d] ?? 0);
  return cap;
}
