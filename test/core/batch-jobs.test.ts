import fc from 'fast-check';
import { parseConfig } from '../../src/config/load.js';
import type { JobConfig } from '../../src/config/schema.js';
import type { Action } from '../../src/core/actions.js';
import { clientToken, decideJobReconcile, decideSchedule, decideStopped, decideTimeouts, evaluateAttempt, parseStartedBy, startedBy, type JobTask } from '../../src/core/batch/jobs.js';

function job(overrides: Record<string, unknown> = {}): JobConfig {
  return parseConfig({
    clusters: [{ name: 'prod', groups: [{ name: 'spot', asg: 'a1' }, { name: 'od', asg: 'a2' }] }],
    jobs: [{ name: 'report', schedule: 'cron(0 2 * * ? *)', cluster: 'prod', taskDefinition: 'report:3', capacityProviders: ['spot', 'od'], ...overrides }],
  }).jobs[0]!;
}

const NOW = new Date('2026-11-24T02:00:30Z');
let n = 0;
function task(overrides: Partial<JobTask> = {}): JobTask {
  n += 1;
  return {
    arn: `arn:aws:ecs:us-east-1:1:task/prod/t${n}`,
    job: 'report',
    attempt: 1,
    runId: 'report@2026-11-24T02:00:00Z',
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    capacityProvider: 'spot',
    startedAt: new Date('2026-11-24T02:00:10Z'),
    stoppedAt: new Date('2026-11-24T02:00:20Z'),
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    exitCodes: { main: 1 },
    ...overrides,
  };
}

const rules = [
  { onExitCode: '2', action: 'EXIT' },
  { onExitCode: '13*', action: 'RETRY' },
  { onStopCode: 'SpotInterruption', action: 'RETRY' },
  { onReason: 'ecs-pilot: attempt timed out*', action: 'RETRY' },
  { onStopCode: 'TaskFailedToStart', onReason: 'CannotPullContainerError*', action: 'EXIT' },
];

describe('Function: evaluateAttempt (retry rules)', () => {
  const j = job({ retryStrategy: { attempts: 3, evaluateOnExit: rules } });
  it.each([
    ['exit 0', { exitCodes: { main: 0 } }, 'succeeded'],
    ['exit 2: rule EXIT', { exitCodes: { main: 2 } }, 'failed'],
    ['exit 137: rule 13* RETRY', { exitCodes: { main: 137 } }, 'retry'],
    ['exit 1: no rule, attempts left', { exitCodes: { main: 1 } }, 'retry'],
    ['exit 1 on the last attempt', { exitCodes: { main: 1 }, attempt: 3 }, 'failed'],
    ['spot interruption', { stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.', exitCodes: {} }, 'retry'],
    ['timed out', { stopCode: 'UserInitiated', stoppedReason: 'ecs-pilot: attempt timed out after 3600 s', exitCodes: { main: 143 } }, 'retry'],
    ['image pull failure: stop code and reason both match EXIT', { stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: not found', exitCodes: {} }, 'failed'],
    ['failed to start, other reason: no rule, retried', { stopCode: 'TaskFailedToStart', stoppedReason: 'ResourceInitializationError', exitCodes: {} }, 'retry'],
    ['one of two containers failed', { exitCodes: { main: 0, sidecar: 1 } }, 'retry'],
    ['stopped by a user with exit 0 containers', { stopCode: 'UserInitiated', exitCodes: { main: 0 } }, 'retry'],
  ])('%s → %s', (_name, overrides, verdict) => {
    expect(evaluateAttempt(j, task(overrides as Partial<JobTask>)).verdict).toBe(verdict);
  });

  it('defaults to one attempt: any failure fails the run', () => {
    expect(evaluateAttempt(job(), task()).verdict).toBe('failed');
  });
});

describe('Function: decideSchedule', () => {
  const trigger = { runId: 'report@2026-11-24T02:00:00Z', scheduledTime: new Date('2026-11-24T02:00:00Z'), manual: false };
  const running = task({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING', runId: 'report@2026-11-23T02:00:00Z', stoppedAt: undefined, stopCode: undefined });

  it('starts attempt 1 with startedBy, tags-to-be and a clientToken from the run id', () => {
    const [run] = decideSchedule(job({ containerOverrides: [{ name: 'main', command: ['x'] }] }), trigger, [], NOW);
    expect(run).toEqual(
      expect.objectContaining({
        kind: 'runTask',
        taskDefinition: 'report:3',
        capacityProviders: ['spot', 'od'],
        startedBy: 'ecs-pilot/report/1',
        attempt: 1,
        runId: trigger.runId,
        clientToken: clientToken(`${trigger.runId}:1`),
        containerOverrides: [{ name: 'main', command: ['x'] }],
      }),
    );
  });

  it('gives a duplicate schedule event the same clientToken', () => {
    const a = decideSchedule(job(), trigger, [], NOW)[0] as Extract<Action, { kind: 'runTask' }>;
    const b = decideSchedule(job(), trigger, [], new Date(NOW.getTime() + 5000))[0] as Extract<Action, { kind: 'runTask' }>;
    expect(a.clientToken).toBe(b.clientToken);
  });

  it('Forbid skips while a run is active', () => {
    expect(decideSchedule(job({ concurrencyPolicy: 'Forbid' }), trigger, [running], NOW)).toEqual([
      expect.objectContaining({ kind: 'recordRun', transition: 'skipped', reason: expect.stringContaining('concurrency policy Forbid') }),
    ]);
  });

  it('Replace stops the active run first', () => {
    const kinds = decideSchedule(job({ concurrencyPolicy: 'Replace' }), trigger, [running], NOW).map((a) => a.kind);
    expect(kinds).toEqual(['stopTask', 'recordRun', 'runTask', 'recordRun']);
  });

  it('Allow runs alongside', () => {
    expect(decideSchedule(job(), trigger, [running], NOW).map((a) => a.kind)).toEqual(['runTask', 'recordRun']);
  });

  it('skips when suspended or past the starting deadline, but not when started by hand', () => {
    expect(decideSchedule(job({ suspend: true }), trigger, [], NOW)[0]).toEqual(expect.objectContaining({ transition: 'skipped', reason: 'the job is suspended' }));
    const late = new Date('2026-11-24T02:20:00Z');
    expect(decideSchedule(job({ startingDeadlineSeconds: 600 }), trigger, [], late)[0]).toEqual(expect.objectContaining({ transition: 'skipped' }));
    expect(decideSchedule(job({ suspend: true }), { ...trigger, manual: true }, [], NOW)[0]?.kind).toBe('runTask');
  });
});

describe('Function: decideStopped / decideTimeouts', () => {
  const j = job({ retryStrategy: { attempts: 3, evaluateOnExit: rules, backoffSeconds: 0 } });

  it('retries with a clientToken derived from the stopped task ARN', () => {
    const t = task();
    const [run] = decideStopped(j, t, false, NOW);
    expect(run).toEqual(expect.objectContaining({ kind: 'runTask', attempt: 2, startedBy: 'ecs-pilot/report/2', clientToken: clientToken(t.arn), runId: t.runId }));
  });

  it('retries a spot interruption on the next provider', () => {
    const [run] = decideStopped(j, task({ stopCode: 'SpotInterruption', exitCodes: {} }), false, NOW);
    expect(run).toEqual(expect.objectContaining({ capacityProviders: ['od'] }));
  });

  it('does nothing when the next attempt already exists', () => {
    expect(decideStopped(j, task(), true, NOW)).toEqual([]);
  });

  it('waits for the backoff; the reconcile pass starts it once due', () => {
    const jb = job({ retryStrategy: { attempts: 3, backoffSeconds: 120 } });
    const t = task();
    expect(decideStopped(jb, t, false, NOW).map((a) => a.kind)).toEqual(['recordRun']);
    const later = new Date(t.stoppedAt!.getTime() + 120_000);
    expect(decideJobReconcile(jb, [t], later).map((a) => a.kind)).toEqual(['runTask', 'recordRun']);
    // …once: with attempt 2 present, nothing.
    expect(decideJobReconcile(jb, [t, task({ attempt: 2, lastStatus: 'RUNNING', desiredStatus: 'RUNNING' })], later).filter((a) => a.kind === 'runTask')).toEqual([]);
  });

  it('stops an attempt past its timeout with a reason the rules can match', () => {
    const t = task({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING', stopCode: undefined, startedAt: new Date('2026-11-24T01:00:00Z') });
    const [stop] = decideTimeouts(job({ timeoutSeconds: 3600 }), [t], NOW);
    expect(stop).toEqual({ kind: 'stopTask', cluster: 'prod', taskArn: t.arn, reason: 'ecs-pilot: attempt timed out after 3600 s' });
    // …and the STOPPED event that follows is retried by the rule on that reason.
    const stopped = { ...t, lastStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'ecs-pilot: attempt timed out after 3600 s', exitCodes: { main: 143 } };
    expect(decideStopped(j, stopped, false, NOW)[0]).toEqual(expect.objectContaining({ kind: 'runTask', attempt: 2 }));
  });

  it('encodes and reads startedBy', () => {
    expect(parseStartedBy(startedBy('report', 4))).toEqual({ job: 'report', attempt: 4 });
    expect(parseStartedBy('ecs-svc/123')).toBeUndefined();
  });
});

describe('Property: duplicated and reordered STOPPED events of one run', () => {
  it('never start more than `attempts` attempts, each at most once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.record({ attempt: fc.integer({ min: 1, max: 12 }), exit: fc.constantFrom(0, 1, 2, 137), dup: fc.integer({ min: 1, max: 3 }), stale: fc.boolean() }), { maxLength: 30 }),
        (attempts, script) => {
          const j = job({ retryStrategy: { attempts, evaluateOnExit: [{ onExitCode: '2', action: 'EXIT' }] } });
          // ECS: RunTask is idempotent per clientToken; tasks exist once started.
          const byToken = new Map<string, number>();
          const tasks = new Map<number, JobTask>([[1, task({ attempt: 1, arn: 'arn:task/1', lastStatus: 'RUNNING' })]]);
          byToken.set(clientToken('report@2026-11-24T02:00:00Z:1'), 1);
          for (const step of script) {
            const t = tasks.get(step.attempt);
            if (!t) continue; // an event for an attempt that was never started cannot arrive
            const stopped = { ...t, lastStatus: 'STOPPED', exitCodes: { main: step.exit } };
            for (let d = 0; d < step.dup; d++) {
              // A stale read does not see the retry a concurrent delivery started: only the clientToken protects.
              const successor = step.stale ? false : tasks.has(t.attempt + 1);
              for (const a of decideStopped(j, stopped, successor, NOW)) {
                if (a.kind !== 'runTask') continue;
                if (!byToken.has(a.clientToken)) {
                  byToken.set(a.clientToken, a.attempt);
                  expect(tasks.has(a.attempt)).toBe(false);
                  tasks.set(a.attempt, task({ attempt: a.attempt, arn: `arn:task/${a.attempt}`, lastStatus: 'RUNNING' }));
                }
              }
            }
          }
          expect(tasks.size).toBeLessThanOrEqual(attempts);
          expect(new Set(byToken.values()).size).toBe(byToken.size);
        },
      ),
      { numRuns: 300 },
    );
  });
});
