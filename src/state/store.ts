/**
 * The cluster-state store (docs/state.md): ECS's task and container-instance events applied in
 * `detail.version` order, made whole again by a full read from the APIs on a schedule and after a gap.
 * Two implementations answer alike: DynamoDB (src/aws/state-store.ts, deployed) and memory
 * (src/state/memory-store.ts: replay, simulate, benchmarks). The contract tests run both.
 */
import type { StoreMeta, Verdict } from '../core/state/freshness.js';
import type { InstanceRecord, TaskRecord } from './records.js';

export interface ApplyResult {
  verdict: Verdict;
  /** The version skipped one the store never saw (an event lost or late): a resync is due. */
  gap: boolean;
}

/** The live part of a cluster's state: no stopped task, no deregistered instance. */
export interface ClusterState {
  tasks: TaskRecord[];
  instances: InstanceRecord[];
  meta: StoreMeta;
}

export interface ResyncResult {
  /** Records the full read changed (new, newer, or marked gone because the read no longer lists them). */
  written: number;
  markedGone: number;
  /** Records kept because an event newer than the full read had already written them. */
  keptNewer: number;
}

export interface StateStore {
  /** Writes the task if its version is newer than the stored one; a duplicate or older event writes nothing. */
  applyTask(cluster: string, record: TaskRecord, now: Date): Promise<ApplyResult>;
  applyInstance(cluster: string, record: InstanceRecord, now: Date): Promise<ApplyResult>;
  /** One task as stored (gone ones included), for the staleness check of a task's event. */
  task(cluster: string, taskArn: string): Promise<TaskRecord | undefined>;
  read(cluster: string): Promise<ClusterState>;
  /** The meta alone (is a full read due?): one small read. */
  meta(cluster: string): Promise<StoreMeta>;
  /**
   * Makes the store equal to a full read that started at `startedAt`: what it lists is written unless
   * the store already holds a newer version; what it does not list is marked gone unless an event
   * wrote it after `startedAt` (the read may have missed it). Records the resync in the meta.
   */
  resync(cluster: string, live: { tasks: TaskRecord[]; instances: InstanceRecord[] }, startedAt: Date): Promise<ResyncResult>;
}

/**
 * How long a stopped task's or deregistered instance's record is kept against late events of it
 * (DynamoDB TTL). The latest an event can arrive: the state rule's retry policy drops it after 1 h
 * (MaximumEventAgeInSeconds, serverless/events.cjs), the state queue keeps it 4 h (MessageRetentionPeriod),
 * so 6 h covers both with room. Shorter than EventBridge's default 24 h because every whole-cluster read
 * pays for the tombstones it skips.
 */
export const GONE_TTL_SECONDS = 6 * 3600;

/** What a duty needs to observe from the store: the store and when it must be read in full first. */
export interface StateAccess {
  store: StateStore;
  /** Full reads at least this often (minutes), and after a missed event no sooner than `gapResyncMinutes`. */
  policy: { everyMinutes: number; gapResyncMinutes: number };
  /**
   * This duty makes the full reads when they fall due (the reconcile: its timeout allows a full read
   * under the API budget). Other duties leave them to it and use the store until it is
   * `FULL_READ_GRACE_MINUTES` past due (the reconcile has stopped), then read the APIs themselves.
   */
  fullReads?: boolean;
}

export const FULL_READ_GRACE_MINUTES = 5;
