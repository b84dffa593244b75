import { listJobs, renderJobs } from '../../src/cli/jobs-command.js';
import { loadConfigFile } from '../../src/config/load.js';
import { runCli } from '../support/cli.js';

describe('CLI: ecs-pilot jobs list', () => {
  it('lists each job with its next three runs in its own time zone', () => {
    const jobs = listJobs(loadConfigFile('ecs-pilot.yml'), new Date('2026-11-24T12:00:00Z'));
    expect(jobs[0]).toEqual(expect.objectContaining({ name: 'nightly-report', timezone: 'Europe/Paris', next: ['2026-11-25 02:00', '2026-11-26 02:00', '2026-11-27 02:00'], concurrencyPolicy: 'Forbid', attempts: 3 }));
    expect(jobs[1]?.next[0]).toBe('~2026-11-24 13:00');
    expect(renderJobs(jobs)).toMatch(/nightly-report\s+cron\(0 2 \* \* \? \*\)\s+Europe\/Paris\s+11-25 02:00, 11-26 02:00, 11-27 02:00\s+Forbid\s+3\s+spot-general → ondemand-general/);
  });

  it('exits 1 with the field path for a bad config', async () => {
    const r = await runCli('--config', 'test/fixtures/bad-jobs.yml', 'jobs', 'list');
    expect(r.code).toBe(1);
    expect(r.err).toContain('$.jobs[0].timezone: unknown time zone');
  });
});

describe('CLI: ecs-pilot jobs run', () => {
  it('starts a run now on the simulated demo cluster', async () => {
    const r = await runCli('jobs', 'run', 'hourly-sync', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    const runTask = out.events[0].calls.find((c: any) => c.command === 'RunTask');
    expect(runTask.input).toEqual(expect.objectContaining({ taskDefinition: 'sync', startedBy: 'ecs-pilot/hourly-sync/1' }));
    expect(runTask.input.tags).toContainEqual({ key: 'ecs-pilot:run', value: expect.stringMatching(/^hourly-sync@manual-\d{4}-/) });
    expect(runTask.sent).toBe(true);
  });

  it('with --aws sends nothing without --apply', async () => {
    const { mockAws } = await import('../support/aws-mocks.js');
    const aws = mockAws();
    try {
      const r = await runCli('jobs', 'run', 'hourly-sync', '--aws', '--json');
      expect(r.code).toBe(0);
      expect(aws.writes()).toEqual([]);
      expect(JSON.parse(r.out).events[0].calls.find((c: any) => c.command === 'RunTask').sent).toBe(false);
    } finally {
      aws.restore();
    }
  });

  it('exits 1 for a job that is not configured', async () => {
    const r = await runCli('jobs', 'run', 'nope');
    expect(r.code).toBe(1);
    expect(r.err).toContain('job "nope" is not in ./ecs-pilot.yml (configured: nightly-report, hourly-sync)');
  });
});
