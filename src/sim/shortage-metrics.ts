/**
 * The run's figures for capacity shortages (docs/simulation.md, "Capacity shortages"): how soon a
 * decision record names a failed launch, the fallback capacity used, the failures the groups
 * recorded, and how often one group's desired capacity was written in any 10 minutes (flapping).
 */
import type { DecisionRecord } from '../controller.js';
import type { Snapshot } from '../core/model.js';
import type { Scenario } from './scenario.js';
import type { SimInstance } from './state.js';
import type { SimulatedCluster } from './world.js';

const TEN_MINUTES_MS = 600_000;

/** Watches the decision records for the first one that names a failed launch or a never-registering instance. */
export class DetectionClock {
  public firstNamedAt: number | undefined;
  public constructor(private readonly world: SimulatedCluster) {}

  public saw(record: DecisionRecord, at: number): void {
    if (this.firstNamedAt !== undefined) return;
    const { failures } = this.world.launches;
    const names = [...failures.failures.map((f) => f.activityId), ...this.neverRegisteringIds()];
    if (names.length === 0) return;
    const text = [record.reason ?? '', ...record.actions.map((a) => a.description)].join('\n');
    if (names.some((n) => text.includes(n))) this.firstNamedAt = at;
  }

  /** When the first shortage began for ecs-pilot: the first failed launch, or the first never-registering instance in service. */
  public startedAt(): number | undefined {
    const { failures } = this.world.launches;
    const firstFailure = failures.failures[0]?.at;
    const stuck = this.world.allInstances().filter((i) => failures.neverRegistering.has(i.arn));
    const firstStuck = stuck.length > 0 ? Math.min(...stuck.map((i) => i.launchedAt)) : undefined;
    const starts = [firstFailure, firstStuck].filter((x): x is number => x !== undefined);
    return starts.length > 0 ? Math.min(...starts) : undefined;
  }

  private neverRegisteringIds(): string[] {
    const { failures } = this.world.launches;
    return this.world
      .allInstances()
      .filter((i) => failures.neverRegistering.has(i.arn))
      .map((i) => i.ec2InstanceId);
  }
}

export function instancesByGroup(active: SimInstance[], snapshot: Snapshot): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(snapshot.groups.map((g) => [g.name, 0]));
  for (const i of active) out[i.group] = (out[i.group] ?? 0) + 1;
  return out;
}

/** Of these instances, the share on the spot market, to 3 decimals (0 with none). */
export function spotShare(active: SimInstance[], market: ReadonlyMap<string, string>): number {
  if (active.length === 0) return 0;
  return Math.round((active.filter((i) => market.get(i.arn) === 'spot').length / active.length) * 1000) / 1000;
}

/** The share counted as recovered: 90 % of the share before the shortage (issue 20, "capacity returns"). */
export const SPOT_SHARE_RECOVERED = 0.9;

/**
 * Seconds from the end of the last shortage until the spot share is back to `SPOT_SHARE_RECOVERED` of
 * its value at the minute the first shortage began; null: not by the end; undefined: no shortage, or
 * no spot before it.
 */
export function spotShareRecovery(scenario: Scenario, series: ReadonlyArray<{ minute: number; spotShare?: number }>): number | null | undefined {
  const shortages = scenario.timeline.flatMap((st) => ('capacityShortage' in st ? [{ from: st.at, to: st.at + st.capacityShortage.forSeconds }] : []));
  if (shortages.length === 0) return undefined;
  const from = Math.min(...shortages.map((x) => x.from));
  const to = Math.max(...shortages.map((x) => x.to));
  const before = series.find((p) => p.minute >= Math.floor(from / 60))?.spotShare ?? 0;
  if (before === 0) return undefined;
  const back = series.find((p) => p.minute * 60 >= to && (p.spotShare ?? 0) >= SPOT_SHARE_RECOVERED * before - 1e-9);
  return back ? back.minute * 60 - to : null;
}

/** Most entries of a sorted list of times within any window of `windowMs`. */
export function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi += 1) {
    while ((times[hi] ?? 0) - (times[lo] ?? 0) >= windowMs) lo += 1;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

export function shortageMetrics(
  world: SimulatedCluster,
  scenario: Scenario,
  snapshot: Snapshot,
  detection: DetectionClock,
  end: number,
  series: ReadonlyArray<{ minute: number; spotShare?: number }> = [],
): { secondsToDetect: number | null; fallbackInstanceHours: number; launchFailuresSeen: number; desiredWritesMax10Min: number; spotShareRecoverySeconds?: number | null } {
  const { failures, market } = world.launches;
  const started = detection.startedAt();
  const secondsToDetect = started !== undefined && detection.firstNamedAt !== undefined ? Math.max(0, Math.round((detection.firstNamedAt - started) / 1000)) : null;
  // A fallback group's instances count once a group it backs has failed a launch.
  const firstFailureOf = new Map<string, number>();
  for (const f of failures.failures) if (!firstFailureOf.has(f.group)) firstFailureOf.set(f.group, f.at);
  const backedSince = new Map<string, number>();
  for (const [from, to] of Object.entries(scenario.fallbackGroups)) {
    const at = firstFailureOf.get(from);
    if (at !== undefined) backedSince.set(to, Math.min(at, backedSince.get(to) ?? Infinity));
  }
  const spotGroups = new Set(snapshot.groups.filter((g) => g.lifecycle === 'spot').map((g) => g.name));
  let fallbackHours = 0;
  for (const i of world.allInstances()) {
    const onDemandInSpot = spotGroups.has(i.group) && market.get(i.arn) === 'on-demand';
    const since = backedSince.get(i.group);
    if (onDemandInSpot || (since !== undefined && i.launchedAt >= since)) fallbackHours += ((i.terminatedAt ?? end) - i.launchedAt) / 3_600_000;
  }
  const recovery = spotShareRecovery(scenario, series);
  const writes = [...failures.desiredWrites.values()].map((times) => maxInWindow([...times].sort((a, b) => a - b), TEN_MINUTES_MS));
  return {
    secondsToDetect,
    fallbackInstanceHours: Math.round(fallbackHours * 100) / 100,
    launchFailuresSeen: failures.failures.length,
    desiredWritesMax10Min: Math.max(0, ...writes),
    ...(recovery !== undefined ? { spotShareRecoverySeconds: recovery } : {}),
  };
}
