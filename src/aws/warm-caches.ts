/**
 * What a warm Lambda container keeps between invocations (DESIGN.md, "Few API calls"): AWS answers
 * that change rarely, and how far the last consolidation pass got. One set per set of clients, created
 * with them (`clients.ts`) and handed to the readers inside `Clients` — nothing is kept at module scope,
 * so a test or a CLI run starts cold by creating its clients.
 */
import type { InstanceRequirements } from '@aws-sdk/client-auto-scaling';
import type { InstanceTypeInfo } from '@aws-sdk/client-ec2';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import type { ProviderSettings } from '../core/capacity/modes.js';
import type { RunTaskFailureDemand } from '../core/capacity/run-task-failures.js';
import type { ConsolidationProgress } from '../core/reconcile/reconcile.js';

/** Launch set-ups (`$Latest` and `$Default` can move) and group settings: read again after ten minutes. */
export const SETTINGS_CACHE_MS = 10 * 60_000;
/** Capacity providers: at the reconcile schedule's pace, so a change of mode is seen within a minute. */
export const PROVIDER_CACHE_MS = 60_000;

/**
 * Answers kept for `ttlMs` by key, as promises: concurrent reads of one key share one call, and a
 * failed read is forgotten so the next one tries again.
 */
export class TtlCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  public constructor(private readonly ttlMs: number) {}

  public get(key: string, now: Date, read: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && now.getTime() - hit.at < this.ttlMs) return hit.value;
    const value = read();
    this.entries.set(key, { at: now.getTime(), value });
    value.catch(() => this.entries.delete(key));
    return value;
  }
}

/** What a launch template, launch configuration or attribute set names: types, or requirements to resolve. */
export interface LaunchSetup {
  types: string[];
  requirements?: InstanceRequirements;
}

export interface WarmCaches {
  /** DescribeInstanceTypes answers by type (they never change). */
  instanceTypes: Map<string, InstanceTypeInfo>;
  /** DescribeTaskDefinition answers by revision ARN (a revision never changes). */
  taskDefinitions: Map<string, TaskDefinition>;
  /** Launch set-ups by template version, launch configuration or requirements (launch-types.ts). */
  launchSetups: TtlCache<LaunchSetup>;
  /** Group settings the conflict checks read (group-settings.ts). */
  groupSettings: TtlCache<unknown>;
  /** Capacity providers by name, with when they were read (capacity-providers.ts). */
  providers: Map<string, { at: number; settings: ProviderSettings | undefined }>;
  /** Per cluster: how far consolidation got on a state it found nothing to move in (a cold container starts over). */
  consolidationProgress: Map<string, ConsolidationProgress>;
  /**
   * Per cluster: failed RunTask calls planned by recent SQS batches, so that a burst whose events land
   * in several batches is sized once (src/core/capacity/run-task-failures.ts; a cold container starts empty).
   */
  runTaskFailures: Map<string, RunTaskFailureDemand[]>;
  /** Per ASG: when the reconcile replaced an instance that never registered (issue 20: a few per hour at most). */
  unregisteredReplacements: Map<string, number[]>;
}

/** Empty caches: a cold container. */
export function newWarmCaches(): WarmCaches {
  return {
    instanceTypes: new Map(),
    taskDefinitions: new Map(),
    launchSetups: new TtlCache(SETTINGS_CACHE_MS),
    groupSettings: new TtlCache(SETTINGS_CACHE_MS),
    providers: new Map(),
    consolidationProgress: new Map(),
    runTaskFailures: new Map(),
    unregisteredReplacements: new Map(),
  };
}
