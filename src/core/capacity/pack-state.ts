/** What every packing of a snapshot starts from: the prepared classes and each group's bins. */
import { COUNTED_STATUSES, instanceCapacity, weightOf, type Group, type Snapshot } from '../model.js';
import { emptyBin, fitCountEmpty, restoreBin, type Bin } from './bins.js';
import { DIMS, FirstFitIndex } from './first-fit-index.js';
import { classify, instancePorts, taskNeed, type TaskClass } from './task-classes.js';
import type { Packing } from './types.js';
import { isUnavailable, onDemandHelps } from './unavailable.js';

export interface TypeOption {
  type: string;
  weight: number;
  capacity: Float64Array;
  /** Price per hour where every type of every group has one, else the weight (capacity units). */
  cost: number;
}

export interface GroupState {
  group: Group;
  types: TypeOption[];
  registered: FirstFitIndex;
  registeredBins: Bin[];
  pending: FirstFitIndex;
  pendingBins: Bin[];
  /** The group's desired capacity before this plan. */
  committedUnits: number;
  /**
   * Units the ASG is launching that no listed instance accounts for (desired above the in-service and
   * listed launching instances). New instances are drawn from this pool first, with the same type
   * choice as new ones, so what an earlier plan asked for is not asked for again.
   */
  pool: number;
  /** Largest capacity per unit of weight any type offers, per dimension (bounds what the pool can hold). */
  capacityPerUnit: Float64Array;
  newUnits: number;
  newCost: number;
  newCounters: Map<string, number>;
  /** Runs of instances opened by this plan (from the pool or new), in the order they were opened. */
  launchOrder: Array<{ type: string; count: number }>;
  /** Demand (per dimension) of unplaced tasks whose first choice is this group. */
  remaining: Float64Array;
  /** Demand placed on launching/new instances, and their free capacity before this plan. */
  demandOnPending: Float64Array;
  launchingFree: Float64Array;
  launchingCount: number;
  initialPool: number;
  /** Tasks placed on launching/new instances per host port and per distinct task group (one per instance). */
  onePerInstanceDemand: Map<string, number>;
  /** Units of the group's instances counted in service (registered, or `inServiceUnits`). */
  countedUnits: number;
  /** The largest capacity per dimension (for the first-fit indexes). */
  scale: Float64Array;
  /**
   * The group is marked unavailable (it failed to launch) and has no on-demand fallback that helps: it
   * opens nothing new and its units no instance accounts for are not capacity (`pool` 0).
   */
  closed: boolean;
  /**
   * The group is marked unavailable but launches on-demand instead (`onDemandFallback`): its stalled
   * units (the pool) and the units this plan adds launch on-demand, by raising its on-demand base.
   */
  onDemandInstead: boolean;
  /** While a `matched` packing runs: the instances it opened (matched to launching ones at the end). */
  virtual?: { listed: Bin[]; options: TypeOption[]; units: number };
}

export interface PackResult {
  ordering: Packing;
  states: GroupState[];
  labels: Array<string | undefined>;
  reasons: Array<string | undefined>;
  unplaceableCount: number;
  cost: number;
  newUnits: number;
  usedUnits: number;
}

export const DIM_NAMES = ['CPU units', 'MiB of memory', 'ENIs', 'GPUs'] as const;

/** Everything about the snapshot that does not change between orderings. */
export interface Prepared {
  snapshot: Snapshot;
  classes: TaskClass[];
  /** Eligible group indexes per class, in order of preference. */
  preferences: number[][];
  scale: Float64Array;
  usePrices: boolean;
}

export function typeOptions(snapshot: Snapshot, group: Group, usePrices: boolean): TypeOption[] {
  return group.instanceTypes.map(({ type, weight, pricePerHour }) => {
    const t = snapshot.instanceTypes[type];
    const capacity = new Float64Array(DIMS);
    if (t) capacity.set([t.cpu, t.memoryMiB, t.enis, t.gpus]);
    return { type, weight, capacity, cost: usePrices ? (pricePerHour ?? t?.pricePerHour ?? 0) : weight };
  });
}

/** Task slots of the class on an empty instance of the type; 0 when it cannot host one. */
export function slotsOnType(cls: TaskClass, option: TypeOption): number {
  return fitCountEmpty(cls, option.type, option.capacity);
}

export function prepare(snapshot: Snapshot): Prepared {
  const classes = classify(snapshot.pending);
  const usePrices =
    snapshot.groups.length > 0 &&
    snapshot.groups.every((g) => g.instanceTypes.every((t) => (t.pricePerHour ?? snapshot.instanceTypes[t.type]?.pricePerHour) !== undefined));
  const options = snapshot.groups.map((g) => typeOptions(snapshot, g, usePrices));

  // Identical lists are shared (with many task shapes there is a list per class).
  const shared = new Map<string, number[]>();
  const share = (list: number[]) => {
    const key = list.join(',');
    const known = shared.get(key);
    if (known) return known;
    shared.set(key, list);
    return list;
  };
  const preferences = classes.map((cls) => {
    if (cls.capacityProvider !== undefined) {
      const gi = snapshot.groups.findIndex((g) => g.name === cls.capacityProvider);
      return share(gi === -1 ? [] : [gi]);
    }
    if (snapshot.groups.length === 1) return share([0]);
    // Any group: cheapest cost per task slot first; groups that cannot host it at all last.
    const scored = snapshot.groups.map((_, gi) => {
      let best = Number.POSITIVE_INFINITY;
      for (const o of options[gi] ?? []) {
        const slots = slotsOnType(cls, o);
        if (slots > 0) best = Math.min(best, o.cost / Math.min(slots, 1e6));
      }
      return { gi, best };
    });
    scored.sort((a, b) => a.best - b.best || a.gi - b.gi);
    return share(scored.map((s) => s.gi));
  });

  // Normalise each dimension by the largest capacity any type offers in it.
  const scale = new Float64Array(DIMS).fill(1);
  for (const t of Object.values(snapshot.instanceTypes)) {
    const caps = [t.cpu, t.memoryMiB, t.enis, t.gpus];
    for (let d = 0; d < DIMS; d++) scale[d] = Math.max(scale[d] ?? 1, caps[d] ?? 0);
  }
  return { snapshot, classes, preferences, scale, usePrices };
}

export function initialStates(prep: Prepared): GroupState[] {
  const { snapshot, usePrices } = prep;
  const distinctTracked = new Set<string>();
  for (const c of prep.classes) if (c.markGroup !== undefined) distinctTracked.add(c.markGroup);

  return snapshot.groups.map((group) => {
    const types = typeOptions(snapshot, group, usePrices);
    const registered = new FirstFitIndex(prep.scale);
    const registeredBins: Bin[] = [];
    let countedUnits = group.inServiceUnits ?? 0;
    for (const inst of snapshot.instances) {
      if (inst.group !== group.name) continue;
      const weight = weightOf(group, inst.type);
      if (COUNTED_STATUSES.has(inst.status) && group.inServiceUnits === undefined) countedUnits += weight;
      if (inst.status !== 'ACTIVE') continue; // only ACTIVE instances take new tasks
      const cap = instanceCapacity(snapshot, inst);
      const bin = emptyBin('registered', inst.id, inst.type, weight, [cap.cpu, cap.memoryMiB, cap.enis, cap.gpus]);
      bin.az = inst.az;
      // Its own sets (the empty bin's are shared): running tasks add to them.
      bin.ports = new Set(inst.reservedPorts);
      bin.groups = new Set();
      bin.distinctGroups = new Set();
      for (const task of inst.tasks) {
        const need = taskNeed(task);
        for (let d = 0; d < DIMS; d++) bin.free[d] = (bin.free[d] ?? 0) - (need[d] ?? 0);
        for (const p of instancePorts(task)) bin.ports.add(p);
        if (distinctTracked.has(task.group ?? '')) {
          bin.groups.add(task.group ?? '');
          if (task.constraints.some((c) => c.type === 'distinctInstance')) bin.distinctGroups.add(task.group ?? '');
        }
        if (!task.daemon) bin.busy = true;
      }
      registeredBins.push(bin);
      registered.push(bin.free);
    }

    // Instances in the ASG not registered yet, as the ASG lists them; the rest of `desired` is a pool.
    const pending = new FirstFitIndex(prep.scale);
    const pendingBins: Bin[] = [];
    const counters = new Map<string, number>();
    const launchingFree = new Float64Array(DIMS);
    let launchingUnits = 0;
    // Listed instances past the registration timeout: they account for their units of desired (not
    // pool) but will never take a task (issue 20): no bin for them.
    const timedOut = new Map<string, number>();
    for (const u of group.unregistered) if (u.timedOut) timedOut.set(u.type, (timedOut.get(u.type) ?? 0) + 1);
    for (const l of group.launching) {
      const dead = Math.min(l.count, timedOut.get(l.type) ?? 0);
      launchingUnits += dead * weightOf(group, l.type);
      for (let i = 0; i < l.count - dead; i++) {
        const t = snapshot.instanceTypes[l.type];
        const capacity = [t?.cpu ?? 0, t?.memoryMiB ?? 0, t?.enis ?? 0, t?.gpus ?? 0];
        const n = (counters.get(l.type) ?? 0) + 1;
        counters.set(l.type, n);
        const weight = weightOf(group, l.type);
        launchingUnits += weight;
        const bin = emptyBin('launching', `launching:${group.name}:${l.type}:${n}`, l.type, weight, capacity);
        for (let d = 0; d < DIMS; d++) launchingFree[d] = (launchingFree[d] ?? 0) + (capacity[d] ?? 0);
        pendingBins.push(bin);
        pending.push(bin.free);
      }
    }
    const marked = isUnavailable(group, snapshot.takenAt);
    const onDemandInstead = marked && group.onDemandFallback !== undefined && onDemandHelps(group.unavailable!.class);
    const closed = marked && !onDemandInstead;
    // A failed launch leaves desired above what the group lists: those units never come.
    const initialPool = closed ? 0 : Math.max(0, group.desired - countedUnits - launchingUnits);
    const capacityPerUnit = new Float64Array(DIMS);
    for (const o of types) for (let d = 0; d < DIMS; d++) capacityPerUnit[d] = Math.max(capacityPerUnit[d] ?? 0, (o.capacity[d] ?? 0) / o.weight);

    return {
      group,
      types,
      registered,
      registeredBins,
      pending,
      pendingBins,
      // The ASG converges on `desired`: instances above it (weight rounding, scale-in) are its business.
      committedUnits: group.desired,
      pool: initialPool,
      capacityPerUnit,
      newUnits: 0,
      newCost: 0,
      newCounters: counters,
      launchOrder: [],
      remaining: new Float64Array(DIMS),
      demandOnPending: new Float64Array(DIMS),
      launchingFree,
      launchingCount: pendingBins.length,
      initialPool,
      closed,
      onDemandInstead,
      onePerInstanceDemand: new Map(),
      countedUnits,
      scale: prep.scale,
    };
  });
}

/** Units of the instances that run or receive tasks: the `M` of ECS's capacity reservation. */
/** A packing's totals over its groups: the new instances' cost, new units and units in use. */
export function packTotals(states: readonly GroupState[]): { cost: number; newUnits: number; usedUnits: number } {
  let cost = 0;
  let newUnits = 0;
  let usedUnits = 0;
  for (const s of states) {
    cost += s.newCost;
    newUnits += s.newUnits;
    usedUnits += usedUnitsOf(s);
  }
  return { cost, newUnits, usedUnits };
}

export function usedUnitsOf(state: GroupState): number {
  let used = 0;
  for (const b of state.registeredBins) if (b.busy || b.placed > 0) used += b.weight;
  for (const b of state.pendingBins) if (b.kind === 'new' || b.placed > 0) used += b.weight;
  return used;
}


/**
 * Opens an instance of the type: drawn from the pool where it covers it (already asked for), else new.
 * `adopt`: a bin of the type a `matched` packing filled, relabelled instead of copied.
 */
export function openBin(state: GroupState, option: TypeOption, adopt?: Bin): number {
  const n = (state.newCounters.get(option.type) ?? 0) + 1;
  state.newCounters.set(option.type, n);
  // Drawn from the pool: already asked for, costs nothing new. Otherwise (or the part the pool lacks) new.
  const fromPool = Math.min(state.pool, option.weight);
  state.pool -= fromPool;
  const kind = fromPool === option.weight ? 'launching' : 'new';
  const label = `${kind}:${state.group.name}:${option.type}:${n}`;
  const bin = adopt ?? emptyBin(kind, label, option.type, option.weight, option.capacity);
  bin.kind = kind;
  bin.label = label;
  state.pendingBins.push(bin);
  if (kind === 'new') {
    state.newUnits += option.weight - fromPool;
    state.newCost += option.cost;
  }
  const last = state.launchOrder[state.launchOrder.length - 1];
  if (last && last.type === option.type) last.count++;
  else state.launchOrder.push({ type: option.type, count: 1 });
  return state.pending.push(bin.free);
}

/** Sets the launching instances aside: the packing opens its own, `endMatched` matches them. */
export function beginMatched(state: GroupState): void {
  state.virtual = { listed: state.pendingBins, options: [], units: 0 };
  state.pendingBins = [];
  state.pending = new FirstFitIndex(state.scale);
}

/** A new instance of a `matched` packing, labelled `v:<group>:<n>` until matched. */
export function openVirtual(state: GroupState, option: TypeOption): number {
  const v = state.virtual!;
  const bin = emptyBin('new', `v:${state.group.name}:${v.options.length}`, option.type, option.weight, option.capacity);
  v.options.push(option);
  v.units += option.weight;
  state.pendingBins.push(bin);
  return state.pending.push(bin.free);
}

/**
 * Matches the instances a `matched` packing opened, in order, to launching instances of the same
 * type, then opens the rest (from the pool, else new). Returns the label each one now has.
 */
export function endMatched(state: GroupState): Map<string, string> {
  const v = state.virtual!;
  const opened = state.pendingBins;
  state.pendingBins = v.listed.slice();
  state.pending = new FirstFitIndex(state.scale);
  for (const b of v.listed) state.pending.push(b.free);
  state.virtual = undefined;
  // Launching instances by type, in the order the ASG lists them.
  const byType = new Map<string, Bin[]>();
  for (const b of v.listed) byType.set(b.type, [...(byType.get(b.type) ?? []), b]);
  const labels = new Map<string, string>();
  opened.forEach((from, i) => {
    const to = byType.get(from.type)?.shift();
    const was = from.label;
    if (!to) {
      openBin(state, v.options[i]!, from);
      labels.set(was, from.label);
      return;
    }
    // Same type, both empty before this plan: the launching instance takes the opened one's state.
    restoreBin(to, from);
    labels.set(was, to.label);
  });
  return labels;
}
