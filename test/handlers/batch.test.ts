import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { ActuationError } from '../../src/controller.js';
import { clientToken } from '../../src/core/batch/jobs.js';
import { DUTIES } from '../../src/duties/index.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';
import { demoConfig, event, invoke } from '../support/handlers.js';

function demoConfigWithForbidSync() {
  const c = demoConfig();
  return { ...c, jobs: c.jobs.map((j) => (j.name === 'hourly-sync' ? { ...j, concurrencyPolicy: 'Forbid' as const } : j)) };
}

const SCHEDULE = 'events/demo/08-job-schedule.json';
const RUN_ID = 'hourly-sync@2026-11-24T12:05:00Z';
const FIRST_TASK = 'arn:aws:ecs:us-east-1:123456789012:task/demo/run00000000000000000000000000001';
const NOW = new Date('2026-11-24T12:05:02Z');

function schedule(job: string, time = '2026-11-24T12:05:00Z', id = 'exec-1') {
  const e = event(SCHEDULE);
  e.detail.job = job;
  e.time = time;
  e.id = id;
  return e;
}

function stopped(taskArn: string, attempt: number, exitCode: number, extra: Record<string, unknown> = {}) {
  const e = event('events/demo/09-job-attempt-stopped.json');
  e.id = `stop-${taskArn}-${exitCode}`;
  e.detail.taskArn = taskArn;
  e.detail.startedBy = `ecs-pilot:hourly-sync:${attempt}`;
  e.detail.containers = [{ name: 'main', exitCode, lastStatus: 'STOPPED' }];
  Object.assign(e.detail, extra);
  return e;
}

describe('Handler: batch jobs', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  it('starts a scheduled run with startedBy, tags, a deterministic clientToken and the job\'s settings', async () => {
    const record = await invoke(DUTIES.batch, event(SCHEDULE), { now: NOW });
    expect(record.outcome).toBe('acted');
    expect(aws.ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
    expect(aws.ecs).toHaveReceivedCommandWith(RunTaskCommand, {
      cluster: 'demo',
      taskDefinition: 'sync',
      count: 1,
      capacityProviderStrategy: [{ capacityProvider: 'ondemand-general', weight: 1 }],
      startedBy: 'ecs-pilot:hourly-sync:1',
      clientToken: clientToken(`${RUN_ID}:1`),
      tags: [
        { key: 'ecs-pilot:job', value: 'hourly-sync' },
        { key: 'ecs-pilot:run', value: RUN_ID },
        { key: 'ecs-pilot:attempt', value: '1' },
      ],
      enableECSManagedTags: true,
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d'], securityGroups: ['sg-0a1b2c3d'], assignPublicIp: 'DISABLED' } },
    });
    // It fits on the running on-demand instance: no capacity request.
    expect(record.actions.map((a) => a.kind)).toEqual(['runTask', 'recordRun']);
  });

  it('a duplicate schedule event sends the same clientToken and starts nothing new', async () => {
    await invoke(DUTIES.batch, event(SCHEDULE), { now: NOW });
    await invoke(DUTIES.batch, event(SCHEDULE), { now: NOW });
    const tokens = aws.ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input.clientToken);
    expect(new Set(tokens).size).toBe(1);
    expect(aws.sim.tasksStartedBy('ecs-pilot:hourly-sync:')).toHaveLength(1);
  });

  it('Replace stops the running attempt before starting the new run', async () => {
    await invoke(DUTIES.batch, event(SCHEDULE), { now: NOW });
    aws.sim.setTaskStatus(FIRST_TASK, 'RUNNING');
    await invoke(DUTIES.batch, schedule('hourly-sync', '2026-11-24T13:05:00Z', 'exec-2'), { now: new Date('2026-11-24T13:05:01Z') });
    expect(aws.ecs).toHaveReceivedCommandWith(StopTaskCommand, { cluster: 'demo', task: FIRST_TASK, reason: expect.stringContaining('replaced by run hourly-sync@2026-11-24T13:05:00Z') });
    expect(aws.ecs).toHaveReceivedCommandTimes(RunTaskCommand, 2);
  });

  it('Forbid skips while a run is active', async () => {
    // Allow the hourly job to start, then make nightly-report (Forbid) see an active attempt of its own.
    aws.sim.setTaskStatus('arn:aws:ecs:us-east-1:123456789012:task/demo/rpt0000000000000000000000000001', 'PROVISIONING');
    const config = demoConfigWithForbidSync();
    await invoke(DUTIES.batch, event(SCHEDULE), { now: NOW, config });
    aws.sim.setTaskStatus(FIRST_TASK, 'RUNNING');
    const record = await invoke(DUTIES.batch, schedule('hourly-sync', '2026-11-24T13:05:00Z', 'exec-2'), { now: new Date('2026-11-24T13:05:01Z'), config });
    expect(record.actions).toEqual([expect.objectContaining({ kind: 'recordRun', description: expect.stringContaining(`skipped: concurrency policy Forbid: run ${RUN_ID} is still active (attempt 1, ${FIRST_TASK})`) })]);
    expect(aws.ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
  });

  it('RunTask finding no capacity falls back to the next provider, asks the planner for capacity, and fails loudly for a retry', async () => {
    const error = await invoke(DUTIES.batch, schedule('nightly-report', '2026-11-25T01:00:00Z', 'exec-n1'), { now: new Date('2026-11-25T01:00:02Z') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActuationError);
    const providers = aws.ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input.capacityProviderStrategy?.[0]?.capacityProvider);
    expect(providers).toEqual(['spot-general', 'ondemand-general']);
    const tokens = aws.ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input.clientToken);
    expect(tokens[1]).toBe(`${tokens[0]}-p1`);
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: 'ecs-pilot-demo-spot-general' });
    expect((error as ActuationError).record.failures[0]?.error).toContain('spot-general: RESOURCE:MEMORY; ondemand-general: RESOURCE:MEMORY');
  });

  it('retries a failed attempt with a clientToken from the stopped task\'s ARN; a duplicate STOPPED event starts nothing more', async () => {
    await invoke(DUTIES.batch, event(SCHEDULE), { now: NOW });
    aws.sim.setTaskStatus(FIRST_TASK, 'STOPPED', 'STOPPED', { stopCode: 'EssentialContainerExited', reason: 'Essential container in task exited', exitCode: 1 });
    const stop = stopped(FIRST_TASK, 1, 1);
    const first = await invoke(DUTIES.batch, stop, { now: new Date('2026-11-24T12:09:02Z') });
    expect(first.actions.map((a) => a.kind)).toEqual(['runTask', 'recordRun']);
    expect(aws.ecs).toHaveReceivedCommandWith(RunTaskCommand, { startedBy: 'ecs-pilot:hourly-sync:2', clientToken: clientToken(FIRST_TASK) });
    const again = await invoke(DUTIES.batch, stop, { now: new Date('2026-11-24T12:09:05Z') });
    expect(again.outcome).toBe('nothing-to-do');
    expect(aws.sim.tasksStartedBy('ecs-pilot:hourly-sync:')).toHaveLength(2);
  });

  it('ends the run failed once attempts are used up', async () => {
    await invoke(DUTIES.batch, event(SCHEDULE), { now: NOW });
    aws.sim.setTaskStatus(FIRST_TASK, 'STOPPED', 'STOPPED', { stopCode: 'EssentialContainerExited', reason: 'x', exitCode: 1 });
    await invoke(DUTIES.batch, stopped(FIRST_TASK, 1, 1), { now: new Date('2026-11-24T12:09:02Z') });
    const second = aws.sim.tasksStartedBy('ecs-pilot:hourly-sync:2')[0]!;
    aws.sim.setTaskStatus(second.arn, 'STOPPED', 'STOPPED', { stopCode: 'EssentialContainerExited', reason: 'x', exitCode: 1 });
    const record = await invoke(DUTIES.batch, stopped(second.arn, 2, 1), { now: new Date('2026-11-24T12:12:00Z') });
    expect(record.actions).toEqual([expect.objectContaining({ kind: 'recordRun', description: expect.stringContaining('failed: EssentialContainerExited, exit main=1, "x": all 2 attempts used') })]);
  });

  it('the reconcile loop stops an attempt past its timeout; the STOPPED event then follows the retry rules', async () => {
    await invoke(DUTIES.batch, event(SCHEDULE), { now: NOW });
    aws.sim.setTaskStatus(FIRST_TASK, 'RUNNING');
    const late = new Date(Date.parse(aws.sim.snapshot.takenAt) + 3001_000);
    const record = await invoke(DUTIES.reconcile, event('events/demo/07-reconcile-tick.json'), { now: late });
    expect(aws.ecs).toHaveReceivedCommandWith(StopTaskCommand, { task: FIRST_TASK, reason: 'ecs-pilot: attempt timed out after 3000 s' });
    expect(record.actions.map((a) => a.kind)).toContain('stopTask');
    const retry = await invoke(DUTIES.batch, stopped(FIRST_TASK, 1, 143, { stopCode: 'UserInitiated', stoppedReason: 'ecs-pilot: attempt timed out after 3000 s' }), { now: late });
    expect(retry.actions.map((a) => a.kind)).toEqual(['runTask', 'recordRun']);
  });

  it('ignores STOPPED tasks that are not job attempts, and jobs it does not know', async () => {
    const other = event('events/samples/ecs-task-state-change.stopped-user-initiated-ec2.json');
    expect((await invoke(DUTIES.batch, other)).reason).toBe('task STOPPED, not a stopped job attempt');
    expect((await invoke(DUTIES.batch, schedule('nope'))).reason).toBe('job nope is not configured');
    expect(aws.writes()).toEqual([]);
  });
});

describe('Batch jobs: observability', () => {
  it('logs one record and counts one metric per run transition, with the attempt duration', async () => {
    const aws = mockAws();
    try {
      const { runDuty } = await import('../../src/controller.js');
      const { awsClients } = await import('../../src/aws/clients.js');
      const logs: Array<[string, Record<string, unknown> | undefined]> = [];
      const metrics: Array<[string, number]> = [];
      const deps = {
        config: demoConfig(),
        clients: awsClients(),
        now: NOW,
        logger: { info: (m: string, e?: Record<string, unknown>) => logs.push([m, e]), warn: () => {}, error: () => {} },
        metrics: { count: (n: string, v: number) => metrics.push([n, v]), seconds: (n: string, v: number) => metrics.push([n, v]) },
      };
      await runDuty(DUTIES.batch, event(SCHEDULE), deps);
      expect(logs.find(([m]) => m === 'job hourly-sync started')?.[1]).toEqual(expect.objectContaining({ job: 'hourly-sync', runId: RUN_ID, attempt: 1, transition: 'started' }));
      expect(metrics).toContainEqual(['job.hourly-sync.started', 1]);
      // The attempt ran 4 minutes and exited 1: retried, with its duration.
      aws.sim.setTaskStatus(FIRST_TASK, 'RUNNING');
      aws.sim.now = Date.parse('2026-11-24T12:09:00Z');
      aws.sim.setTaskStatus(FIRST_TASK, 'STOPPED', 'STOPPED', { stopCode: 'EssentialContainerExited', reason: 'Essential container in task exited', exitCode: 1 });
      await runDuty(DUTIES.batch, stopped(FIRST_TASK, 1, 1), { ...deps, now: new Date('2026-11-24T12:09:02Z') });
      expect(logs.find(([m]) => m === 'job hourly-sync retried')?.[1]).toEqual(expect.objectContaining({ exitCodes: { main: 1 }, taskArn: FIRST_TASK }));
      expect(metrics).toContainEqual(['job.hourly-sync.retried', 1]);
      expect(metrics.find(([n]) => n === 'job.hourly-sync.duration')?.[1]).toBeGreaterThan(200);
    } finally {
      aws.restore();
    }
  });
});
