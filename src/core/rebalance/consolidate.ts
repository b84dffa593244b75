/**
 * Consolidation (docs/consolidation.md): drain ACTIVE instances whose tasks all fit on the group's other
 * instances — the planner decides, with no new capacity — within a disruption budget. Candidates in
 * order: rebalance-recommended spot instances, then the least utilised, then the most expensive per
 * unit of use. Once drained and empty, the reconcile loop terminates them (desired −1).
 *
 * Never: in a group while tasks wait for its capacity or it is launching; outside the configured windows;
 * below the room a spot group keeps for its busiest instances' tasks (`spotSpareInstances`);
 * an instance the same plan sends another instance's tasks to;
 * instances running standalone tasks (unless allowed), opted-out services or tagged
 * `ecs-pilot:consolidation=off`; moves that would take a service below its minimumHealthyPercent.
 */
import type { ClusterConfig, ConsolidationConfig } from '../config-schema.js';
import { ATTRIBUTES, type Action } from '../actions.js';
import { composeDemand } from '../capacity/demand.js';
import { plan } from '../capacity/index.js';
import { DRAIN_REASONS, LIFECYCLE_STATES, serviceOfGroup } from '../names.js';
import { COUNTED_STATUSES, holdsInstance, instanceCapacity, needsNewHome, weightOf, type Instance, type Snapshot, type Task } from '../model.js';

export const OPT_OUT_TAG = 'ecs-pilot:consolidation';

export interface ConsolidationMove {
  instance: Instance;
  /** Where each of its tasks goes (existing instance ids). */
  placements: Array<{ task: string; instance: string }>;
  utilisation: number;
  reason: string;
}

const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

/** True when `now` falls in one of the windows (none configured: always). */
export function inWindow(config: ConsolidationConfig, now: Date): boolean {
  if (config.windows.length === 0) return true;
  return config.windows.some((w) => {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: w.timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
    const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
    const day = get('weekday').toUpperCase().slice(0, 3);
    const minutes = Number(get('hour')) * 60 + Number(get('minute'));
    const [fh, fm] = w.from.split(':').map(Number);
    const [th, tm] = w.to.split(':').map(Number);
    const from = (fh ?? 0) * 60 + (fm ?? 0);
    const to = (th ?? 0) * 60 + (tm ?? 0);
    if (from <= to) return w.days.includes(day as (typeof w.days)[number]) && minutes >= from && minutes < to;
    // Spans midnight: the early morning part belongs to the previous day's window.
    const yesterday = DAYS[(DAYS.indexOf(day as (typeof DAYS)[number]) + 6) % 7] ?? day;
    return (minutes >= from && w.days.includes(day as (typeof w.days)[number])) || (minutes < to && w.days.includes(yesterday as (typeof w.days)[number]));
  });
}

const service = (t: Task): string | undefined => serviceOfGroup(t.group);
const moving = (i: Instance): Task[] => i.tasks.filter(needsNewHome);

/**
 * The snapshot as if `leaving` were gone (DRAINING, taking nothing): the demand is only their tasks,
 * each in the provider it ran in — what else waits is planned by the capacity duty, not here.
 */
export function asIfGone(snapshot: Snapshot, leaving: readonly Instance[]): Snapshot {
  const ids = new Set(leaving.map((i) => i.id));
  const instances = snapshot.instances.map((x) => (ids.has(x.id) ? { ...x, status: 'DRAINING' as const } : x));
  return composeDemand({ ...snapshot, instances }, { waiting: false, draining: false, leaving: instances.filter((x) => ids.has(x.id)) }).snapshot;
}

/** Share of the instance's dominant resource its non-daemon tasks use. */
export function utilisation(snapshot: Snapshot, i: Instance): number {
  const cap = instanceCapacity(snapshot, i);
  const used = moving(i).reduce((a, t) => ({ cpu: a.cpu + t.cpu, mem: a.mem + t.memoryMiB }), { cpu: 0, mem: 0 });
  return Math.max(cap.cpu > 0 ? used.cpu / cap.cpu : 0, cap.memoryMiB > 0 ? used.mem / cap.memoryMiB : 0);
}

function pricePerHour(snapshot: Snapshot, i: Instance): number {
  const g = snapshot.groups.find((x) => x.name === i.group);
  return g?.instanceTypes.find((t) => t.type === i.type)?.pricePerHour ?? snapshot.instanceTypes[i.type]?.pricePerHour ?? weightOf(g ?? { instanceTypes: [] } as never, i.type);
}

/** Why this instance may not be drained by ecs-pilot's own moves, or undefined when it may. */
export function exclusion(i: Instance, cluster: ClusterConfig): string | undefined {
  if (i.tags[OPT_OUT_TAG] === 'off' || i.attributes[OPT_OUT_TAG] === 'off') return `tagged ${OPT_OUT_TAG}=off`;
  const tasks = moving(i);
  if (!cluster.consolidation.drainStandaloneTasks && tasks.some((t) => service(t) === undefined)) return 'runs a standalone task';
  const optedOut = tasks.map(service).find((s) => s !== undefined && cluster.consolidation.optOutServices.includes(s));
  if (optedOut) return `runs opted-out service ${optedOut}`;
  return undefined;
}

/** Instances of a group of this size that may drain at once: the percent (at least one) or the count, the smaller. */
export function drainBudget(groupSize: number, config: ConsolidationConfig): number {
  const byPercent = Math.max(1, Math.floor((groupSize * config.maxDrainingPercent) / 100));
  return Math.min(byPercent, config.maxDraining ?? byPercent);
}

/** ECS replaces a draining instance's service tasks within the service's deployment settings. */
function keepsServicesHealthy(snapshot: Snapshot, cluster: ClusterConfig, draining: Instance[]): boolean {
  const running = new Map<string, number>();
  const leaving = new Map<string, number>();
  const drainingIds = new Set(draining.map((d) => d.id));
  for (const i of snapshot.instances) {
    for (const t of moving(i)) {
      const s = service(t);
      if (!s) continue;
      if (i.status === 'ACTIVE' && !drainingIds.has(i.id)) running.set(s, (running.get(s) ?? 0) + 1);
      else leaving.set(s, (leaving.get(s) ?? 0) + 1);
    }
  }
  for (const [s, out] of leaving) {
    const settings = cluster.services[s] ?? { minimumHealthyPercent: 100, maximumPercent: 200 };
    const desired = (running.get(s) ?? 0) + out;
    // Either ECS may start the replacements first (maximumPercent), or it may stop them first (minimumHealthyPercent).
    const surge = Math.floor((desired * settings.maximumPercent) / 100) - desired;
    const minHealthy = Math.ceil((desired * settings.minimumHealthyPercent) / 100);
    if (out > surge && (running.get(s) ?? 0) < minHealthy) return false;
  }
  return true;
}

/** The `n` most utilised ACTIVE instances of a group that run tasks to move (ties by id), leaving out `except`. */
export function busiestInstances(snapshot: Snapshot, group: string, n: number, except: ReadonlySet<string> = new Set()): Instance[] {
  return snapshot.instances
    .filter((i) => i.group === group && i.status === 'ACTIVE' && !except.has(i.id) && moving(i).length > 0)
    .sort((a, b) => utilisation(snapshot, b) - utilisation(snapshot, a) || a.id.localeCompare(b.id))
    .slice(0, n);
}

/**
 * A spot group keeps room for the tasks of its `spare` busiest instances on its other instances, with
 * nothing new launched: a replacement takes detection + boot + task start (about 140 s as modelled)
 * against a 2-minute notice, so without room a spot interruption's tasks do not restart in time
 * (docs/consolidation.md). 0: no such room kept.
 */
export function keepsSpotSpare(snapshot: Snapshot, group: string, spare: number): boolean {
  if (spare <= 0) return true;
  const busiest = busiestInstances(snapshot, group, spare);
  if (busiest.length === 0) return true;
  const trial = asIfGone(
    { ...snapshot, groups: snapshot.groups.map((g) => ({ ...g, max: g.desired, inServiceUnits: undefined, launching: [] })) },
    busiest,
  );
  const result = plan(trial);
  return result.unplaceable.length === 0 && !result.groups.some((g) => g.newUnits > 0) && result.placements.every((p) => snapshot.instances.some((x) => x.id === p.instance));
}

/** Tasks waiting for the group's capacity (those naming no provider wait for every group). */
export const waitingFor = (snapshot: Snapshot, group: string): number => snapshot.pending.filter((t) => t.capacityProvider === undefined || t.capacityProvider === group).length;

/**
 * Why consolidation is held back, without planning anything: off, outside its windows, or (per group)
 * tasks waiting for capacity. Undefined when nothing holds it back.
 */
export function consolidationBlocked(snapshot: Snapshot, cluster: ClusterConfig, now: Date): string | undefined {
  const config = cluster.consolidation;
  if (!config.enabled) return 'consolidation is off';
  if (!inWindow(config, now)) return 'outside the consolidation windows';
  if (!snapshot.groups.some((g) => waitingFor(snapshot, g.name) > 0)) return undefined;
  // Each task counted once (one naming no provider waits for every group, but is one task).
  const named = snapshot.groups.flatMap((g) => {
    const n = snapshot.pending.filter((t) => t.capacityProvider === g.name).length;
    return n > 0 ? [`${n} for ${g.name}`] : [];
  });
  const any = snapshot.pending.filter((t) => t.capacityProvider === undefined).length;
  return `${snapshot.pending.length} task(s) wait for capacity (${[...named, ...(any > 0 ? [`${any} for any group`] : [])].join(', ')}): their groups are not consolidated`;
}

export interface ConsolidationPass {
  moves: ConsolidationMove[];
  skipped: string | undefined;
  /** Candidates (in the pass's order, across groups) looked at so far: where the next pass goes on. */
  reached: number;
  /** Every candidate was looked at (none left beyond the per-tick cap). */
  exhausted: boolean;
}

/**
 * The consolidation moves. At most `maxCandidatesPerTick` candidates are tried; `from` skips the first
 * ones, which a previous pass over the same state already tried and found immovable.
 */
export function consolidationMoves(snapshot: Snapshot, cluster: ClusterConfig, now: Date, from = 0): ConsolidationPass {
  const config = cluster.consolidation;
  const skipped = consolidationBlocked(snapshot, cluster, now);
  if (!config.enabled || !inWindow(config, now)) return { moves: [], skipped, reached: 0, exhausted: true };
  let working: Snapshot = snapshot;
  const moves: ConsolidationMove[] = [];
  // Each candidate costs one plan of the whole cluster: cap them per tick; the next tick goes on.
  let tries = config.maxCandidatesPerTick;
  let seen = 0;
  let exhausted = true;
  for (const group of snapshot.groups) {
    if (waitingFor(snapshot, group.name) > 0) continue;
    const members = snapshot.instances.filter((i) => i.group === group.name && i.lifecycleState !== LIFECYCLE_STATES.terminatingWait);
    const inService = members.filter((i) => COUNTED_STATUSES.has(i.status)).reduce((a, i) => a + weightOf(group, i.type), 0);
    if (group.desired > inService) continue; // launching: the group is scaling out
    let budget = drainBudget(members.length, config) - members.filter((i) => i.status === 'DRAINING').length;
    const candidates = members
      .filter((i) => i.status === 'ACTIVE' && moving(i).length > 0 && exclusion(i, cluster) === undefined)
      .map((i) => ({ i, u: utilisation(snapshot, i), prescale: i.attributes[ATTRIBUTES.drainReason] === DRAIN_REASONS.prescale, price: pricePerHour(snapshot, i) / Math.max(utilisation(snapshot, i), 0.01) }))
      .sort((a, b) => Number(b.prescale) - Number(a.prescale) || a.u - b.u || b.price - a.price || a.i.id.localeCompare(b.i.id));
    // Instances this plan already sends tasks to stay: draining one would move those tasks twice.
    const receiving = new Set(moves.flatMap((m) => m.placements.map((p) => p.instance)));
    for (const { i, u } of candidates) {
      if (budget <= 0) break;
      if (tries <= 0) {
        exhausted = false;
        break;
      }
      seen += 1;
      if (seen <= from || receiving.has(i.id)) continue;
      tries -= 1;
      // Would its tasks fit on the other instances, with nothing new? The ASG's desired is kept as it
      // is, so no launching capacity is assumed.
      const trial = asIfGone({ ...working, groups: working.groups.map((g) => ({ ...g, max: g.desired, inServiceUnits: undefined, launching: [] })) }, [i]);
      const result = plan(trial);
      if (result.unplaceable.length > 0 || result.groups.some((g) => g.newUnits > 0) || result.placements.some((p) => !working.instances.some((x) => x.id === p.instance))) continue;
      const drained = [...moves.map((m) => m.instance), i];
      if (!keepsServicesHealthy(snapshot, cluster, drained)) continue;
      // The tasks now count on their new instances for the next candidate.
      const byTarget = new Map<string, Task[]>();
      for (const p of result.placements) {
        const t = moving(i).find((x) => x.id === p.task);
        if (t) byTarget.set(p.instance, [...(byTarget.get(p.instance) ?? []), t]);
      }
      const next: Snapshot = {
        ...working,
        instances: working.instances.map((x) => (x.id === i.id ? { ...x, status: 'DRAINING' as const, tasks: x.tasks.filter((t) => t.daemon) } : { ...x, tasks: [...x.tasks, ...(byTarget.get(x.id) ?? [])] })),
      };
      if (group.lifecycle === 'spot' && !keepsSpotSpare(next, group.name, cluster.spotSpareInstances)) continue;
      moves.push({ instance: i, placements: result.placements, utilisation: u, reason: `${moving(i).length} task(s) at ${Math.round(u * 100)} % fit on the other instances of ${group.name}` });
      working = next;
      for (const p of result.placements) receiving.add(p.instance);
      budget -= 1;
    }
  }
  return { moves, skipped, reached: seen, exhausted };
}

/**
 * A digest of everything consolidation decides from (its config, groups, instances with their tasks, attributes and
 * tags, waiting tasks, types): the same digest means the same moves, so a pass that found nothing need
 * not run again until it changes. FNV-1a over the JSON, two 32-bit halves.
 */
export function consolidationFingerprint(snapshot: Snapshot, cluster: ClusterConfig): string {
  // Sorted by id: the same cluster read in another order is the same state.
  const byId = <T extends { id: string }>(xs: T[]): T[] => [...xs].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const instances = byId(snapshot.instances).map((i) => ({ ...i, tasks: byId(i.tasks) }));
  const text = JSON.stringify([cluster, snapshot.cluster, snapshot.groups, instances, byId(snapshot.pending), snapshot.instanceTypes]);
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let k = 0; k < text.length; k += 1) {
    const c = text.charCodeAt(k);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return `${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}`;
}

/**
 * The actions for the moves: drain each instance, re-checked against fresh state, its drain reason
 * (`consolidate`) written first — so once it is DRAINING the reconcile loop knows the drain is its own
 * and finishes it, whatever interrupts this invocation.
 */
export function decideConsolidation(snapshot: Snapshot, cluster: ClusterConfig, now: Date): Action[] {
  return consolidationActions(snapshot, consolidationMoves(snapshot, cluster, now).moves);
}

export function consolidationActions(snapshot: Snapshot, moves: ConsolidationMove[]): Action[] {
  return moves.map(
    (m): Action => ({
      kind: 'drain',
      cluster: snapshot.cluster,
      containerInstanceArns: [m.instance.id],
      drainReason: DRAIN_REASONS.consolidate,
      reason: `consolidate: ${m.reason}`,
      expectTasks: { [m.instance.id]: m.instance.tasks.filter(holdsInstance).length + m.instance.tasks.filter((t) => t.daemon).length },
    }),
  );
}
