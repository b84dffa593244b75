import { isTimeZone, nextRuns, parseSchedule, ScheduleError } from '../../src/core/batch/schedule.js';

const at = '2026-11-24T12:00:00Z';
const next = (expr: string, tz = 'UTC', n = 3) => nextRuns(parseSchedule(expr, tz), new Date(at), n).map((d) => d.toISOString().slice(0, 16));

describe('Function: parseSchedule / nextRuns', () => {
  it.each([
    ['cron(0 2 * * ? *)', 'Europe/Paris', ['2026-11-25T01:00', '2026-11-26T01:00', '2026-11-27T01:00']],
    ['cron(0 2 ? * MON-FRI *)', 'UTC', ['2026-11-25T02:00', '2026-11-26T02:00', '2026-11-27T02:00']],
    ['cron(30 9 ? * 2 *)', 'UTC', ['2026-11-30T09:30', '2026-12-07T09:30', '2026-12-14T09:30']], // AWS 2 = Monday
    ['cron(15 10 ? * 6L *)', 'UTC', ['2026-11-27T10:15', '2026-12-25T10:15', '2027-01-29T10:15']], // last Friday
    ['cron(0 8 ? * 2#1 *)', 'UTC', ['2026-12-07T08:00', '2027-01-04T08:00', '2027-02-01T08:00']], // first Monday
    ['cron(0 12 L * ? *)', 'UTC', ['2026-11-30T12:00', '2026-12-31T12:00', '2027-01-31T12:00']],
    ['cron(0 0 1 1 ? 2028)', 'UTC', ['2028-01-01T00:00']],
    ['cron(0 2 * * ? *)', 'America/New_York', ['2026-11-25T07:00', '2026-11-26T07:00', '2026-11-27T07:00']],
  ])('%s in %s', (expr, tz, expected) => {
    expect(next(expr, tz, expected.length)).toEqual(expected);
  });

  it('counts rate schedules from their start', () => {
    expect(nextRuns(parseSchedule('rate(15 minutes)'), new Date(at), 2, new Date('2026-11-24T11:50:00Z')).map((d) => d.toISOString())).toEqual(['2026-11-24T12:05:00.000Z', '2026-11-24T12:20:00.000Z']);
    expect(parseSchedule('rate(1 day)')).toEqual(expect.objectContaining({ kind: 'rate', everyMs: 86_400_000 }));
  });

  it.each([
    ['cron(0 2 * * *)', 'cron needs 6 fields'],
    ['cron(0 2 * * MON *)', 'exactly one of day-of-month and day-of-week must be "?"'],
    ['cron(0 2 ? * 9 *)', 'day-of-week 9 is outside 1-7'],
    ['cron(0 2 * * ? 20x6)', 'year "20x6"'],
    ['cron(61 2 * * ? *)', ''],
    ['rate(5 minute)', 'write rate(5 minutes)'],
    ['rate(1 hours)', 'write rate(1 hour)'],
    ['every day', 'expected cron('],
  ])('rejects %s', (expr, message) => {
    expect(() => parseSchedule(expr)).toThrow(ScheduleError);
    if (message) expect(() => parseSchedule(expr)).toThrow(message);
  });

  it('knows time zones', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});
