/**
 * The one loop every duty runs: parse → route → observe → decide → act → record.
 * Duties (src/duties/<duty>.ts) plug in their event kinds, how to observe, and a pure `decide`.
 */
import type { StateAccess } from './state/store.js';
import type { ConsolidationProgress } from './core/reconcile/reconcile.js';
import type { ClusterConfig, ControllerConfig } from './config/schema.js';
import { describeAction, type Action } from './core/actions.js';
import type { Snapshot } from './core/model.js';
import { withReadRetries } from './aws/read-retries.js';
import { execute, type ActionFailure, type Call, type ExecuteOptions } from './aws/actuator.js';
import type { Clients } from './aws/clients.js';
import { readGroupSettings } from './aws/group-settings.js';
import { findConflicts, type ConflictSetting } from './core/conflicts.js';
import { EventValidationError, parseEvent, type DomainEvent, type DomainEventKind, type ParsedEvent } from './events/index.js';

export type Outcome = 'acted' | 'nothing-to-do' | 'ignored' | 'rejected' | 'failed';

/** One structured record per event: what came in, what was decided, what was sent, how it ended. */
export interface DecisionRecord {
  duty: string;
  eventId: string | undefined;
  detailType: string | undefined;
  outcome: Outcome;
  reason?: string;
  cluster?: string;
  dryRun: boolean;
  actions: Array<{ kind: Action['kind']; description: string; action: Action }>;
  calls: Call[];
  failures: ActionFailure[];
  skipped: Array<{ action: string; items: string[]; reason: string }>;
  /** AWS settings that fight this decision (src/core/conflicts.ts), for the operator. */
  conflicts?: string[];
  /** What the decision saw and deliberately left alone, said even when it acted (e.g. drains that are not ecs-pilot's). */
  notes?: string[];
}

/** What every duty observes at least: the configured cluster the decision concerns and its snapshot. */
export interface ClusterObservation {
  cluster: ClusterConfig;
  snapshot: Snapshot;
}

/** A duty's decision: the actions, and when there are none, why (for the record). */
export interface Decision {
  actions: Action[];
  reason?: string | undefined;
  /** The reconcile: how far consolidation got on a state it found nothing to move in. */
  consolidationProgress?: ConsolidationProgress;
  /** What was seen and deliberately left alone, recorded even with actions. */
  notes?: string[];
}

export interface DutyContext {
  clients: Clients;
  config: ControllerConfig;
  now: Date;
  /** The other events of the same cluster in the same SQS batch (the capacity queue): one decision covers them all. */
  batch?: readonly DomainEvent[];
  /** The cluster-state store (docs/state.md); without it every observation reads the APIs. */
  state?: StateAccess | undefined;
}

export interface Duty<K extends DomainEventKind = DomainEventKind, O extends ClusterObservation = ClusterObservation> {
  name: string;
  kinds: readonly K[];
  /** Reads what the decision needs; a string says why the event is not ours (ignored). */
  observe(event: Extract<DomainEvent, { kind: K }>, ctx: DutyContext): Promise<O[] | string>;
  /** Pure: the actions for one observation, and the reason when there are none. */
  decide(event: Extract<DomainEvent, { kind: K }>, observation: O, now: Date): Decision;
  /** AWS settings this duty's decisions depend on: conflicting ones are named in its records. */
  dependsOn?: readonly ConflictSetting[];
  /** After a decision was carried out without failure: what the next invocation may rely on (kept in `ctx.clients.caches`). */
  after?(observation: O, decision: Decision, ctx: DutyContext): void;
  /**
   * Pure, from the event alone: writes that must not wait on `observe` and its reads (a spot warning's
   * drain). Carried out first, whatever becomes of the observation; they lead the event's record.
   */
  essential?(event: Extract<DomainEvent, { kind: K }>, config: ControllerConfig): Decision;
}

/** Any duty, whatever its events and observation (for routing tables). */
// biome-ignore lint/suspicious/noExplicitAny: a routing table holds duties of every observation type.
export type AnyDuty = Duty<any, any>;

export interface Logger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface MetricsSink {
  count(name: string, value: number): void;
  /** A duration, e.g. of a batch attempt. */
  seconds?(name: string, value: number): void;
}

export interface ControllerDeps extends DutyContext {
  logger?: Logger;
  metrics?: MetricsSink;
  /** The actuator's clock for its in-invocation retries (default: real timers); the simulator passes its own. */
  actuation?: Pick<ExecuteOptions, 'sleep' | 'clock' | 'random'>;
}

/** Raised after the record is written when actions failed, so the invocation is retried (then DLQ). */
export class ActuationError extends Error {
  public readonly record: DecisionRecord;
  public constructor(record: DecisionRecord) {
    super(`event ${record.eventId}: ${record.failures.length} action(s) failed: ${record.failures.map((f) => `${f.action} ${f.items.join(',')}: ${f.error}`).join('; ')}`);
    this.name = 'ActuationError';
    this.record = record;
  }
}

function emit(deps: ControllerDeps, record: DecisionRecord): void {
  const log = record.outcome === 'failed' || record.outcome === 'rejected' ? deps.logger?.error : deps.logger?.info;
  log?.call(deps.logger, `${record.duty}: ${record.outcome}${record.reason ? ` (${record.reason})` : ''}`, { decision: record });
  deps.metrics?.count(`outcome.${record.outcome}`, 1);
  for (const a of record.actions) {
    deps.metrics?.count(`action.${a.kind}`, 1);
    // Batch runs: one log record and metric per transition.
    if (a.action.kind === 'recordRun') {
      const r = a.action;
      deps.logger?.info(`job ${r.job} ${r.transition}`, { job: r.job, runId: r.runId, attempt: r.attempt, transition: r.transition, taskArn: r.taskArn, exitCodes: r.exitCodes, reason: r.reason });
      deps.metrics?.count(`job.${r.job}.${r.transition}`, 1);
      if (r.durationSeconds !== undefined) deps.metrics?.seconds?.(`job.${r.job}.duration`, r.durationSeconds);
    }
  }
  if (record.failures.length > 0) deps.metrics?.count('errors', record.failures.length);
}

/** Whether a duty sends nothing: the whole controller in dry-run, or this duty in shadow mode. */
export function isDryRun(config: Pick<ControllerConfig, 'dryRun' | 'shadow'>, dutyName: string): boolean {
  return config.dryRun || (config.shadow as readonly string[]).includes(dutyName);
}

/**
 * Runs one raw event through a duty. Returns the decision record; throws EventValidationError for a
 * malformed event of a handled type (no write is made) and ActuationError when actions failed.
 */
export async function runDuty<K extends DomainEventKind, O extends ClusterObservation>(duty: Duty<K, O>, raw: unknown, deps: ControllerDeps): Promise<DecisionRecord> {
  return runParsed(duty, parseFor(duty, raw, deps), deps);
}

/** Parses a raw event for a duty; a malformed one is recorded as rejected and thrown (EventValidationError). */
export function parseFor(duty: AnyDuty, raw: unknown, deps: ControllerDeps): ParsedEvent {
  try {
    return parseEvent(raw);
  } catch (e) {
    if (e instanceof EventValidationError) {
      emit(deps, { duty: duty.name, dryRun: isDryRun(deps.config, duty.name), actions: [], calls: [], failures: [], skipped: [], eventId: e.eventId, detailType: undefined, outcome: 'rejected', reason: e.message });
    }
    throw e;
  }
}

/** Runs an event already parsed (an SQS batch parses each message once) through a duty. */
export async function runParsed<K extends DomainEventKind, O extends ClusterObservation>(duty: Duty<K, O>, parsed: ParsedEvent, given: ControllerDeps): Promise<DecisionRecord> {
  // Reads retried within the invocation: one failed read must not cost the whole decision (src/aws/read-retries.ts).
  const deps: ControllerDeps = { ...given, clients: withReadRetries(given.clients, given.actuation) };
  const dryRun = isDryRun(deps.config, duty.name);
  const base = { duty: duty.name, dryRun, actions: [], calls: [], failures: [], skipped: [] };
  if (parsed.outcome === 'ignored') {
    const record: DecisionRecord = { ...base, eventId: parsed.eventId, detailType: undefined, outcome: 'ignored', reason: parsed.reason };
    emit(deps, record);
    return record;
  }
  const event = parsed.event;
  const head = { ...base, eventId: event.id, detailType: event.detailType };
  if (!(duty.kinds as readonly string[]).includes(event.kind)) {
    const record: DecisionRecord = { ...head, outcome: 'ignored', reason: `${duty.name} does not handle "${event.detailType}"` };
    emit(deps, record);
    return record;
  }

  // Essential writes first: a failed or slow read below cannot hold them back.
  const first = duty.essential?.(event as never, deps.config);
  const essential: DecisionRecord[] = [];
  if (first && first.actions.length > 0) {
    const report = await execute(deps.clients, first.actions, { dryRun, ...deps.actuation });
    const record = recordOf(head, undefined, first, report);
    // Found nothing to write (e.g. the instance already DRAINING): the rest of the decision says what happened.
    const wrote = report.calls.some((c) => !/^(List|Describe|Get)/.test(c.command));
    essential.push(record.outcome === 'acted' && !wrote ? { ...record, outcome: 'nothing-to-do' } : record);
  }
  let observed: O[] | string;
  try {
    observed = await duty.observe(event as never, deps);
  } catch (e) {
    // The essential writes were made: say so, then fail the invocation as before (redelivery).
    if (essential.length > 0) emit(deps, { ...merge(head, essential), outcome: 'failed', reason: `observation failed after the essential actions: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` });
    throw e;
  }
  if (typeof observed === 'string') {
    const done = essential.length > 0 ? merge(head, essential) : undefined;
    const record: DecisionRecord = done && done.outcome !== 'nothing-to-do' ? { ...done, reason: observed } : { ...(done ?? head), outcome: 'ignored', reason: observed };
    emit(deps, record);
    if (record.outcome === 'failed') throw new ActuationError(record);
    return record;
  }
  const records: DecisionRecord[] = [...essential];
  for (const observation of observed) {
    const decision = duty.decide(event as never, observation, deps.now);
    const report = await execute(deps.clients, decision.actions, { dryRun, ...deps.actuation });
    const failed = report.failures.length > 0;
    if (!failed) duty.after?.(observation, decision, deps);
    const conflicts = duty.dependsOn ? await conflictsFor(duty.dependsOn, observation.cluster, deps) : [];
    records.push({ ...recordOf(head, observation.cluster.name, decision, report), ...(conflicts.length > 0 ? { conflicts } : {}) });
  }
  const record = merge(head, records);
  emit(deps, record);
  if (record.outcome === 'failed') throw new ActuationError(record);
  return record;
}

/** The record of one decision carried out (`cluster` undefined: decided from the event alone). */
function recordOf(head: Omit<DecisionRecord, 'outcome'>, cluster: string | undefined, decision: Decision, report: Awaited<ReturnType<typeof execute>>): DecisionRecord {
  const { actions, reason } = decision;
  const failed = report.failures.length > 0;
  const why = actions.length === 0 ? reason : undefined;
  return {
    ...head,
    ...(cluster !== undefined ? { cluster } : {}),
    outcome: failed ? 'failed' : actions.length > 0 ? 'acted' : 'nothing-to-do',
    ...(why ? { reason: why } : {}),
    actions: actions.map((action) => ({ kind: action.kind, description: describeAction(action), action })),
    calls: report.calls,
    failures: report.failures,
    skipped: report.skipped,
    ...(decision.notes && decision.notes.length > 0 ? { notes: decision.notes } : {}),
  };
}

/** The conflicting settings a duty depends on; a read that fails is said, not fatal. */
async function conflictsFor(settings: readonly ConflictSetting[], cluster: ClusterConfig, deps: ControllerDeps): Promise<string[]> {
  try {
    const found = findConflicts(cluster, await readGroupSettings(deps.clients, cluster, deps.now, settings));
    return found.filter((c) => settings.includes(c.setting)).map((c) => c.message);
  } catch (e) {
    return [`could not check ${settings.join(', ')}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`];
  }
}

/** One record for an event that concerned several clusters (the reconcile tick). */
function merge(head: Omit<DecisionRecord, 'outcome'>, records: DecisionRecord[]): DecisionRecord {
  if (records.length === 1 && records[0]) return records[0];
  const outcome: Outcome = records.some((r) => r.outcome === 'failed') ? 'failed' : records.some((r) => r.outcome === 'acted') ? 'acted' : 'nothing-to-do';
  const reasons = records.flatMap((r) => (r.reason ? [r.reason] : []));
  return {
    ...head,
    outcome,
    ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
    cluster: [...new Set(records.flatMap((r) => (r.cluster !== undefined ? [r.cluster] : [])))].join(','),
    actions: records.flatMap((r) => r.actions),
    calls: records.flatMap((r) => r.calls),
    failures: records.flatMap((r) => r.failures),
    skipped: records.flatMap((r) => r.skipped),
    ...(records.some((r) => r.conflicts) ? { conflicts: records.flatMap((r) => r.conflicts ?? []) } : {}),
    ...(records.some((r) => r.notes) ? { notes: records.flatMap((r) => r.notes ?? []) } : {}),
  };
}
