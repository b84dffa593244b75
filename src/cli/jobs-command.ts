/** `ecs-pilot jobs list` and `ecs-pilot jobs run <name>`. */
import { existsSync } from 'node:fs';
import { loadConfigFile } from '../config/load.js';
import type { ControllerConfig } from '../config/schema.js';
import { nextRuns, parseSchedule } from '../core/batch/schedule.js';
import { JOB_SCHEDULE } from '../events/jobs.js';
import { CliError, EXIT } from './errors.js';
import { DEMO_SNAPSHOT, replayEvents, type ReplayOptions, type ReplayResult } from './replay-command.js';
import { loadSnapshot } from './io.js';
import { table } from './table.js';

export function loadJobsConfig(path: string): ControllerConfig {
  if (!existsSync(path)) throw new CliError(`cannot read config ${path}: no such file`, EXIT.rejected);
  return loadConfigFile(path);
}

/** A time as the job's zone shows it: `2026-11-25 02:00 Europe/Paris`. */
export function localTime(d: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d);
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

export interface JobListing {
  name: string;
  schedule: string;
  timezone: string;
  next: string[];
  concurrencyPolicy: string;
  attempts: number;
  capacityProviders: string[];
  suspended: boolean;
}

/** Next three runs; a rate schedule without `startDate` counts from deployment, so those are approximate (~). */
function nextRunsOf(j: ControllerConfig['jobs'][number], now: Date): string[] {
  const schedule = parseSchedule(j.schedule, j.timezone);
  const anchor = j.startDate ? new Date(j.startDate) : now;
  const approx = schedule.kind === 'rate' && !j.startDate ? '~' : '';
  return nextRuns(schedule, now, 3, anchor).map((d) => `${approx}${localTime(d, j.timezone)}`);
}

export function listJobs(config: ControllerConfig, now: Date): JobListing[] {
  return config.jobs.map((j) => ({
    name: j.name,
    schedule: j.schedule,
    timezone: j.timezone,
    next: j.suspend ? [] : nextRunsOf(j, now),
    concurrencyPolicy: j.concurrencyPolicy,
    attempts: j.retryStrategy.attempts,
    capacityProviders: j.capacityProviders,
    suspended: j.suspend,
  }));
}

export function renderJobs(jobs: JobListing[]): string {
  if (jobs.length === 0) return 'No jobs configured (add them under `jobs:` in the config, docs/batch-jobs.md).';
  return table(
    ['JOB', 'SCHEDULE', 'TIME ZONE', 'NEXT RUNS', 'POLICY', 'ATTEMPTS', 'CAPACITY'],
    jobs.map((j) => [j.name, j.schedule, j.timezone, j.suspended ? 'suspended' : j.next.map((t) => t.replace(/^(~?)\d{4}-/, '$1')).join(', '), j.concurrencyPolicy, String(j.attempts), j.capacityProviders.join(' → ')]),
  );
}

/** The event a manual run sends through the batch function: the schedule's shape, `manual: true`. */
export function manualRunEvent(job: string, now: Date, region = 'us-east-1'): Record<string, unknown> {
  return {
    version: '0',
    id: `manual-${now.toISOString()}`,
    'detail-type': JOB_SCHEDULE.detailType,
    source: JOB_SCHEDULE.source,
    time: now.toISOString(),
    region,
    resources: [],
    detail: { job, manual: true },
  };
}

/** `jobs run <name>`: starts a run now, on the simulated cluster (default) or the account (--aws, dry-run unless --apply). */
export async function runJobNow(name: string, options: ReplayOptions, now: Date): Promise<ReplayResult> {
  return replayEvents(() => {
    const config = loadJobsConfig(options.config);
    const job = config.jobs.find((j) => j.name === name);
    if (!job) {
      throw new CliError(`job "${name}" is not in ${options.config} (configured: ${config.jobs.map((j) => j.name).join(', ') || 'none'})`, EXIT.rejected);
    }
    if (!options.aws) {
      // Without --aws the run starts on a simulated cluster: one the job cannot run on is the reason, not the job.
      const simulated = options.cluster ?? DEMO_SNAPSHOT;
      const cluster = loadSnapshot(simulated).cluster;
      if (job.cluster !== cluster) {
        throw new CliError(
          `job "${name}" runs on cluster "${job.cluster}"; without --aws it would start on the simulated cluster "${cluster}" (${simulated}), which it does not run on: pass --aws to start it on your account (dry-run unless --apply), or --cluster <a snapshot of ${job.cluster}> (ecs-pilot snapshot --aws --cluster ${job.cluster} --out ${job.cluster}.json)`,
          EXIT.rejected,
        );
      }
    }
    return [{ file: `(jobs run ${name})`, event: manualRunEvent(name, now) }];
  }, options);
}
