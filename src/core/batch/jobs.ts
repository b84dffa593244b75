/**
 * Batch job decisions (docs/batch-jobs.md). Stateless: a run's identity travels with its tasks —
 * `startedBy` = `ecs-pilot/<job>/<attempt>`, tags job / run / attempt — and RunTask's `clientToken`
 * is derived from what caused the start (the run id for attempt 1, the stopped task's ARN for a
 * retry), so a duplicate event cannot start a second run or a second retry.
 */
import { createHash } from 'node:crypto';
import type { JobConfig, RetryRule } from '../config-schema.js';
import type { Action, RunTransition } from '../actions.js';

/**
 * RunTask's `startedBy` allows up to 128 letters, digits, `-`, `/` and `_` (ECS API reference), so an
 * attempt is `ecs-pilot/<job>/<attempt>`. Tasks started before under `ecs-pilot:<job>:<attempt>` are
 * still recognised.
 */
export const STARTED_BY_PREFIX = 'ecs-pilot/';
export const LEGACY_STARTED_BY_PREFIX = 'ecs-pilot:';
export const TAGS = { job: 'ecs-pilot:job', run: 'ecs-pilot:run', attempt: 'ecs-pilot:attempt' } as const;
export const TIMEOUT_REASON = 'ecs-pilot: attempt timed out';

/** A task of a job, as the decisions see it. */
export interface JobTask {
  arn: string;
  job: string;
  attempt: number;
  runId: string;
  lastStatus: string;
  desiredStatus: string;
  capacityProvider: string | undefined;
  startedAt: Date | undefined;
  stoppedAt: Date | undefined;
  stopCode: string | undefined;
  stoppedReason: string | undefined;
  /** Exit codes of the essential containers that reported one. */
  exitCodes: Record<string, number>;
}

export function startedBy(job: string, attempt: number): string {
  return `${STARTED_BY_PREFIX}${job}/${attempt}`;
}

const STARTED_BY = [/^ecs-pilot\/([A-Za-z0-9_-]{1,48})\/(\d+)$/, /^ecs-pilot:([A-Za-z0-9_-]{1,48}):(\d+)$/];

/** The job and attempt a task's `startedBy` names, in the current form or the legacy one. */
export function parseStartedBy(value: string | undefined): { job: string; attempt: number } | undefined {
  for (const re of STARTED_BY) {
    const m = value ? re.exec(value) : null;
    if (m) return { job: m[1] ?? '', attempt: Number(m[2]) };
  }
  return undefined;
}

/**
 * Whether a task or a RunTask call is an attempt of an ecs-pilot job (`startedBy` in the current or
 * the legacy form): the batch duty sizes its own attempts, nothing else plans them again.
 */
export function isJobAttempt(startedBy: string | undefined): boolean {
  return parseStartedBy(startedBy) !== undefined;
}

/** A run's id: the job and the time it was scheduled for (or the manual trigger's event id). */
export function runIdFor(job: string, trigger: string): string {
  return `${job}@${trigger}`;
}

/** RunTask clientToken (≤ 64 characters), the same for the same seed. */
export function clientToken(seed: string): string {
  return `ep-${createHash('sha256').update(seed).digest('hex').slice(0, 40)}`;
}

const matches = (pattern: string, value: string | undefined): boolean =>
  value !== undefined && (pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : value === pattern);

function ruleMatches(rule: RetryRule, t: JobTask): boolean {
  if (rule.onExitCode !== undefined && !Object.values(t.exitCodes).some((c) => matches(rule.onExitCode ?? '', String(c)))) return false;
  if (rule.onStopCode !== undefined && !matches(rule.onStopCode, t.stopCode)) return false;
  if (rule.onReason !== undefined && !matches(rule.onReason, t.stoppedReason)) return false;
  return true;
}

export type AttemptOutcome = { verdict: 'succeeded' } | { verdict: 'retry' | 'failed'; why: string };

/**
 * How an attempt ended: the first matching rule decides (RETRY while attempts remain, EXIT fails the
 * run); with no rule matching, all essential containers exiting 0 is success, anything else is retried
 * while attempts remain — AWS Batch's semantics.
 */
export function evaluateAttempt(job: JobConfig, t: JobTask): AttemptOutcome {
  const codes = Object.entries(t.exitCodes);
  const exited = t.stopCode === 'EssentialContainerExited' || (t.stopCode === undefined && codes.length > 0);
  const clean = exited && codes.length > 0 && codes.every(([, c]) => c === 0);
  const describe = `${t.stopCode ?? 'no stop code'}${codes.length > 0 ? `, exit ${codes.map(([n, c]) => `${n}=${c}`).join(' ')}` : ''}${t.stoppedReason ? `, "${t.stoppedReason}"` : ''}`;
  const rule = job.retryStrategy.evaluateOnExit.find((r) => ruleMatches(r, t));
  const left = job.retryStrategy.attempts - t.attempt;
  if (rule) {
    if (rule.action === 'EXIT') return clean ? { verdict: 'succeeded' } : { verdict: 'failed', why: `${describe}: rule says EXIT` };
    return left > 0 ? { verdict: 'retry', why: `${describe}: rule says RETRY` } : { verdict: 'failed', why: `${describe}: all ${job.retryStrategy.attempts} attempts used` };
  }
  if (clean) return { verdict: 'succeeded' };
  return left > 0 ? { verdict: 'retry', why: describe } : { verdict: 'failed', why: `${describe}: all ${job.retryStrategy.attempts} attempts used` };
}

function runTask(job: JobConfig, runId: string, attempt: number, providers: string[], token: string, reason: string): Action {
  return {
    kind: 'runTask',
    cluster: job.cluster,
    job: job.name,
    runId,
    attempt,
    taskDefinition: job.taskDefinition,
    count: job.count,
    capacityProviders: providers,
    containerOverrides: job.containerOverrides,
    network: job.network,
    startedBy: startedBy(job.name, attempt),
    clientToken: token,
    reason,
  };
}

const record = (job: JobConfig, runId: string, attempt: number, transition: RunTransition, reason: string, t?: JobTask): Action => ({
  kind: 'recordRun',
  job: job.name,
  runId,
  attempt,
  transition,
  ...(t ? { taskArn: t.arn, exitCodes: t.exitCodes } : {}),
  ...(t?.startedAt && t.stoppedAt ? { durationSeconds: Math.round((t.stoppedAt.getTime() - t.startedAt.getTime()) / 1000) } : {}),
  reason,
});

export interface ScheduleTrigger {
  runId: string;
  scheduledTime: Date;
  /** Started by hand (`jobs run`): suspend and the starting deadline do not apply. */
  manual: boolean;
}

/** A scheduled (or manual) run: suspend, starting deadline and concurrency policy, then attempt 1. */
export function decideSchedule(job: JobConfig, trigger: ScheduleTrigger, active: JobTask[], now: Date): Action[] {
  const { runId } = trigger;
  if (job.suspend && !trigger.manual) return [record(job, runId, 1, 'skipped', 'the job is suspended')];
  const late = (now.getTime() - trigger.scheduledTime.getTime()) / 1000;
  if (!trigger.manual && job.startingDeadlineSeconds !== undefined && late > job.startingDeadlineSeconds) {
    return [record(job, runId, 1, 'skipped', `${Math.round(late)} s after its scheduled time, past the starting deadline of ${job.startingDeadlineSeconds} s`)];
  }
  if (active.some((t) => t.runId === runId)) return []; // this run already started: a duplicate event
  const start = runTask(job, runId, 1, job.capacityProviders, clientToken(`${runId}:1`), trigger.manual ? 'started by hand' : `scheduled for ${trigger.scheduledTime.toISOString()}`);
  if (active.length > 0 && job.concurrencyPolicy === 'Forbid') {
    const a = active[0];
    return [record(job, runId, 1, 'skipped', `concurrency policy Forbid: run ${a?.runId} is still active (attempt ${a?.attempt}, ${a?.arn})`)];
  }
  if (active.length > 0 && job.concurrencyPolicy === 'Replace') {
    return [
      ...active.map((t): Action => ({ kind: 'stopTask', cluster: job.cluster, taskArn: t.arn, reason: `ecs-pilot: replaced by run ${runId} (concurrency policy Replace)` })),
      ...active.map((t) => record(job, t.runId, t.attempt, 'replaced', `replaced by run ${runId}`, t)),
      start,
      record(job, runId, 1, 'started', 'after stopping the run it replaces'),
    ];
  }
  return [start, record(job, runId, 1, 'started', trigger.manual ? 'started by hand' : 'on schedule')];
}

/** Providers for a retry: after a spot interruption, the ones after the provider it ran on. */
function retryProviders(job: JobConfig, t: JobTask): string[] {
  const spot = t.stopCode === 'SpotInterruption' || t.stopCode === 'TerminationNotice' || /spot/i.test(t.stoppedReason ?? '');
  const i = t.capacityProvider ? job.capacityProviders.indexOf(t.capacityProvider) : -1;
  if (spot && job.retryStrategy.spotFallback && i !== -1 && i + 1 < job.capacityProviders.length) return job.capacityProviders.slice(i + 1);
  return job.capacityProviders;
}

/**
 * A job's attempt stopped. `successor` says whether attempt n+1 of the run already exists (a
 * duplicate or late event); the retry's clientToken is derived from the stopped task's ARN.
 */
export function decideStopped(job: JobConfig, t: JobTask, successor: boolean, now: Date): Action[] {
  if (successor) return [];
  const outcome = evaluateAttempt(job, t);
  if (outcome.verdict === 'succeeded') return [record(job, t.runId, t.attempt, 'succeeded', 'all essential containers exited 0', t)];
  if (outcome.verdict === 'failed') return [record(job, t.runId, t.attempt, 'failed', outcome.why, t)];
  const due = (t.stoppedAt?.getTime() ?? now.getTime()) + job.retryStrategy.backoffSeconds * 1000;
  if (due > now.getTime()) return [record(job, t.runId, t.attempt, 'retry-scheduled', `${outcome.why}; attempt ${t.attempt + 1} at ${new Date(due).toISOString()}`, t)];
  return [
    runTask(job, t.runId, t.attempt + 1, retryProviders(job, t), clientToken(t.arn), `retry of ${t.arn}: ${outcome.why}`),
    record(job, t.runId, t.attempt + 1, 'retried', outcome.why, t),
  ];
}

/** Attempts running past the job's timeout are stopped with a reason the retry rules can match. */
export function decideTimeouts(job: JobConfig, active: JobTask[], now: Date): Action[] {
  if (job.timeoutSeconds === undefined) return [];
  return active.flatMap((t): Action[] => {
    if (t.lastStatus !== 'RUNNING' || !t.startedAt || t.desiredStatus === 'STOPPED') return [];
    const ran = (now.getTime() - t.startedAt.getTime()) / 1000;
    if (ran < (job.timeoutSeconds ?? Infinity)) return [];
    return [
      { kind: 'stopTask', cluster: job.cluster, taskArn: t.arn, reason: `${TIMEOUT_REASON} after ${job.timeoutSeconds} s` },
      record(job, t.runId, t.attempt, 'timed-out', `running for ${Math.round(ran)} s, timeout ${job.timeoutSeconds} s`, t),
    ];
  });
}

/** The reconcile loop's pass over a job: timeouts, and retries whose backoff has passed. */
export function decideJobReconcile(job: JobConfig, tasks: JobTask[], now: Date): Action[] {
  const active = tasks.filter((t) => t.lastStatus !== 'STOPPED');
  const stopped = tasks.filter((t) => t.lastStatus === 'STOPPED');
  const hasSuccessor = (t: JobTask): boolean => tasks.some((x) => x.runId === t.runId && x.attempt > t.attempt);
  const retries = stopped
    .filter((t) => !hasSuccessor(t))
    .flatMap((t) => decideStopped(job, t, false, now))
    .filter((a) => a.kind === 'runTask' || (a.kind === 'recordRun' && a.transition === 'retried'));
  return [...decideTimeouts(job, active, now), ...retries];
}
