/**
 * AWS schedule expressions, as EventBridge Scheduler takes them:
 *   cron(Minutes Hours Day-of-month Month Day-of-week Year)   e.g. cron(0 2 ? * MON-FRI *)
 *   rate(N minute|minutes|hour|hours|day|days)                e.g. rate(15 minutes)
 * with an IANA time zone. Pure: the caller passes "now".
 */
import { Cron } from 'croner';

export type Schedule = { kind: 'cron'; fields: string[]; timezone: string; years: ((y: number) => boolean) | undefined } | { kind: 'rate'; everyMs: number; text: string };

export class ScheduleError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ScheduleError';
  }
}

/** True when the IANA time zone is known to this runtime. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** AWS numbers Sunday 1 … Saturday 7; cron libraries 0 … 6. */
function awsDayOfWeek(field: string): string {
  // The number after `#` is an ordinal (the 2nd Monday), not a day: leave it.
  return field.replace(/(#\d+)|(\d+)/g, (_m, ordinal: string | undefined, n: string) => {
    if (ordinal) return ordinal;
    const v = Number(n);
    if (v < 1 || v > 7) throw new ScheduleError(`day-of-week ${n} is outside 1-7 (SUN-SAT)`);
    return String(v - 1);
  });
}

function yearFilter(field: string): ((y: number) => boolean) | undefined {
  if (field === '*' || field === '?') return undefined;
  const parts = field.split(',').map((p) => {
    const m = /^(\d{4})(?:-(\d{4}))?$/.exec(p);
    if (!m) throw new ScheduleError(`year "${p}" is not a year or a range of years`);
    const from = Number(m[1]);
    const to = m[2] ? Number(m[2]) : from;
    return (y: number) => y >= from && y <= to;
  });
  return (y) => parts.some((f) => f(y));
}

/**
 * @throws ScheduleError with what is wrong
 * @example parseSchedule('cron(0 2 ? * MON-FRI *)', 'Europe/Paris')
 */
export function parseSchedule(expression: string, timezone = 'UTC'): Schedule {
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    const unit = (rate[2] ?? '').replace(/s$/, '');
    if (n < 1) throw new ScheduleError('rate must be at least 1');
    if ((n === 1) !== !(rate[2] ?? '').endsWith('s')) throw new ScheduleError(`write rate(${n} ${n === 1 ? unit : `${unit}s`})`);
    return { kind: 'rate', everyMs: n * (UNIT_MS[unit] ?? 0), text: expression };
  }
  const cron = /^cron\((.*)\)$/.exec(expression.trim());
  if (!cron) throw new ScheduleError('expected cron(Minutes Hours Day-of-month Month Day-of-week Year) or rate(N unit)');
  if (!isTimeZone(timezone)) throw new ScheduleError(`unknown time zone "${timezone}"`);
  const fields = (cron[1] ?? '').trim().split(/\s+/);
  if (fields.length !== 6) throw new ScheduleError(`cron needs 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), got ${fields.length}`);
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) throw new ScheduleError('exactly one of day-of-month and day-of-week must be "?"');
  const converted = [min, hour, dom === '?' ? '*' : dom, month, dow === '?' ? '*' : awsDayOfWeek(dow)];
  try {
    new Cron(converted.join(' '), { timezone, paused: true, legacyMode: false });
  } catch (e) {
    throw new ScheduleError((e as Error).message);
  }
  return { kind: 'cron', fields: converted, timezone, years: yearFilter(year) };
}

/**
 * The next `count` times strictly after `after`. A rate schedule counts from `anchor` (when the
 * schedule was created), as EventBridge Scheduler does.
 */
export function nextRuns(schedule: Schedule, after: Date, count: number, anchor: Date = after): Date[] {
  if (schedule.kind === 'rate') {
    const base = anchor.getTime();
    const k = Math.max(0, Math.floor((after.getTime() - base) / schedule.everyMs) + 1);
    return Array.from({ length: count }, (_, i) => new Date(base + (k + i) * schedule.everyMs));
  }
  const cron = new Cron(schedule.fields.join(' '), { timezone: schedule.timezone, paused: true, legacyMode: false });
  const out: Date[] = [];
  let cursor = after;
  for (let guard = 0; out.length < count && guard < 1000; guard++) {
    const next = cron.nextRun(cursor);
    if (!next) break;
    if (!schedule.years || schedule.years(next.getUTCFullYear())) out.push(next);
    cursor = next;
  }
  return out;
}
