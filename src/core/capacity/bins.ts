/** A bin is an instance as the packer sees it: free resources, taken ports, task groups, AZ. */
import { DEFAULT_RESERVED_PORTS } from '../model.js';
import { evaluate } from './expression.js';
import { DIMS } from './first-fit-index.js';
import type { TaskClass } from './task-classes.js';

export type BinKind = 'registered' | 'launching' | 'new';

export interface Bin {
  kind: BinKind;
  /** Instance id, or `launching:<group>:<type>:<n>` / `new:<group>:<type>:<n>`. */
  label: string;
  type: string;
  weight: number;
  /** Unknown for instances not launched yet until a task pins it. */
  az: string | undefined;
  free: Float64Array;
  ports: Set<number>;
  /** Task groups present (only groups some waiting task is distinct on are tracked). */
  groups: Set<string>;
  /** Task groups that have a `distinctInstance` task here: no other task of theirs may join. */
  distinctGroups: Set<string>;
  placed: number;
  /** Runs a non-daemon task already. */
  busy: boolean;
}

// Shared by every bin until a placement adds to them (copy on write: a burst opens many thousands of
// instances, most of which never get a port or a task group).
const AGENT_PORTS: Set<number> = new Set(DEFAULT_RESERVED_PORTS);
const NO_GROUPS: Set<string> = new Set();

export function emptyBin(kind: BinKind, label: string, type: string, weight: number, capacity: ArrayLike<number>): Bin {
  return {
    kind,
    label,
    type,
    weight,
    az: undefined,
    free: Float64Array.from(capacity),
    ports: AGENT_PORTS,
    groups: NO_GROUPS,
    distinctGroups: NO_GROUPS,
    placed: 0,
    busy: false,
  };
}

/** How many tasks of the class the bin can still take (ports, constraints and every dimension). */
export function fitCount(cls: TaskClass, bin: Bin): number {
  let n = Number.POSITIVE_INFINITY;
  for (let d = 0; d < DIMS; d++) {
    const need = cls.need[d] ?? 0;
    if (need > 0) n = Math.min(n, Math.floor((bin.free[d] ?? 0) / need));
  }
  if (n <= 0) return 0;
  if (cls.ports.length > 0) {
    for (const p of cls.ports) if (bin.ports.has(p)) return 0;
    n = 1;
  }
  if (cls.distinctGroup !== undefined) {
    if (bin.groups.has(cls.distinctGroup)) return 0;
    n = 1;
  } else if (cls.markGroup !== undefined && bin.distinctGroups.has(cls.markGroup)) {
    return 0;
  }
  if (cls.expressions.length > 0) {
    const target = { type: bin.type, az: bin.az ?? cls.pinAz };
    for (const e of cls.expressions) if (!evaluate(e, target)) return 0;
  }
  return n;
}

const RESERVED = new Set<number>(DEFAULT_RESERVED_PORTS);

/** `fitCount` on an empty instance of the type, without building one (called per class and type). */
export function fitCountEmpty(cls: TaskClass, type: string, capacity: ArrayLike<number>): number {
  let n = Number.POSITIVE_INFINITY;
  for (let d = 0; d < DIMS; d++) {
    const need = cls.need[d] ?? 0;
    if (need > 0) n = Math.min(n, Math.floor((capacity[d] ?? 0) / need));
  }
  if (n <= 0) return 0;
  if (cls.ports.length > 0) {
    for (const p of cls.ports) if (RESERVED.has(p)) return 0;
    n = 1;
  }
  if (cls.distinctGroup !== undefined) n = 1;
  if (cls.expressions.length > 0) {
    const target = { type, az: cls.pinAz };
    for (const e of cls.expressions) if (!evaluate(e, target)) return 0;
  }
  return n;
}

/** Records `n` tasks of the class on the bin. */
export function place(cls: TaskClass, bin: Bin, n: number): void {
  for (let d = 0; d < DIMS; d++) bin.free[d] = (bin.free[d] ?? 0) - (cls.need[d] ?? 0) * n;
  if (cls.ports.length > 0) {
    if (bin.ports === AGENT_PORTS) bin.ports = new Set(AGENT_PORTS);
    for (const p of cls.ports) bin.ports.add(p);
  }
  if (cls.markGroup !== undefined) {
    if (bin.groups === NO_GROUPS) bin.groups = new Set();
    bin.groups.add(cls.markGroup);
  }
  if (cls.distinctGroup !== undefined) {
    if (bin.distinctGroups === NO_GROUPS) bin.distinctGroups = new Set();
    bin.distinctGroups.add(cls.distinctGroup);
  }
  if (bin.az === undefined && cls.pinAz !== undefined && cls.expressions.length > 0) bin.az = cls.pinAz;
  bin.placed += n;
}

/** A bin's state before a tentative change, to undo it. */
export interface BinSave {
  free: Float64Array;
  ports: Set<number>;
  groups: Set<string>;
  distinctGroups: Set<string>;
  az: string | undefined;
  placed: number;
}

export function saveBin(bin: Bin): BinSave {
  const copy = <T>(set: Set<T>, shared: Set<T>) => (set === shared ? shared : new Set(set));
  return { free: Float64Array.from(bin.free), ports: copy(bin.ports, AGENT_PORTS), groups: copy(bin.groups, NO_GROUPS), distinctGroups: copy(bin.distinctGroups, NO_GROUPS), az: bin.az, placed: bin.placed };
}

export function restoreBin(bin: Bin, save: BinSave): void {
  bin.free = save.free;
  bin.ports = save.ports;
  bin.groups = save.groups;
  bin.distinctGroups = save.distinctGroups;
  bin.az = save.az;
  bin.placed = save.placed;
}
