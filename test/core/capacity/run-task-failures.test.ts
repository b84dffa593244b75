import { BURST_SPREAD_SECONDS, isFresh, isLaunching, remember, RUN_TASK_FAILURE_MAX_AGE_SECONDS, standingFailures } from '../../../src/core/capacity/run-task-failures.js';
import type { Task } from '../../../src/core/model.js';
import { aGroup, anInstance, aSnapshot } from '../../support/builders.js';

const AT = new Date('2026-11-24T12:00:00Z');
const later = (s: number) => new Date(AT.getTime() + s * 1000);
const task = (id: string) => ({ id, cpu: 1024, memoryMiB: 4096, gpus: 0, awsvpc: false, hostPorts: [], constraints: [], daemon: false }) as Task;
const failure = (eventId: string, n: number, at = AT, request = 'worker:1||') => ({ eventId, at, request, tasks: Array.from({ length: n }, (_, i) => task(`run-task-failure/${eventId}/${i + 1}`)) });

describe('Function: standingFailures (failed RunTask calls of this and earlier SQS batches)', () => {
  const launching = aSnapshot({ groups: [aGroup({ desired: 3 })], instances: [anInstance()] });
  const landed = aSnapshot({ groups: [aGroup({ desired: 1 })], instances: [anInstance()] });

  it.each([
    ['capacity still launching, fresh: counted', launching, later(60), 2],
    ['everything landed: the retries ran or failed again as new events', landed, later(60), 0],
    [`older than ${RUN_TASK_FAILURE_MAX_AGE_SECONDS} s: not counted`, launching, later(RUN_TASK_FAILURE_MAX_AGE_SECONDS + 1), 0],
  ])('%s', (_name, snapshot, now, n) => {
    expect(standingFailures([], [failure('e1', 2)], snapshot, now)).toHaveLength(n);
  });

  it('counts this batch\'s failures whatever launches, and of one request only its newest burst (a retry is the same demand again)', () => {
    // One burst: two calls a few seconds apart, their events in two SQS batches.
    expect(standingFailures([failure('b2', 10, later(5))], [failure('b1', 10)], launching, later(60))).toHaveLength(20);
    // The caller's retry a minute later supersedes the calls it retries.
    expect(standingFailures([failure('retry', 10, later(60))], [failure('b1', 10)], launching, later(70))).toHaveLength(10);
    // Another request is other demand.
    expect(standingFailures([failure('other', 3, later(60), 'reporter:4||')], [failure('b1', 10)], launching, later(70))).toHaveLength(13);
    // Just inside and just outside the burst's spread.
    expect(standingFailures([failure('x', 1, later(BURST_SPREAD_SECONDS))], [failure('b1', 1)], launching, later(20))).toHaveLength(2);
    expect(standingFailures([failure('x', 1, later(BURST_SPREAD_SECONDS + 1))], [failure('b1', 1)], launching, later(20))).toHaveLength(1);
    // Nothing launching: only this batch's.
    expect(standingFailures([failure('b2', 10, later(5))], [failure('b1', 10)], landed, later(60))).toHaveLength(10);
  });

  it('sees launching capacity as AWS shows it: listed launching instances, desired above the listed units, or a partial read\'s in-service units', () => {
    expect(isLaunching(launching)).toBe(true);
    expect(isLaunching(landed)).toBe(false);
    expect(isLaunching(aSnapshot({ groups: [aGroup({ desired: 1, launching: [{ type: 'm5.large', count: 1 }] })], instances: [] }))).toBe(true);
    expect(isLaunching(aSnapshot({ groups: [aGroup({ desired: 4, inServiceUnits: 4 })], instances: [anInstance()] }))).toBe(false);
    // A draining instance still counts towards the group (it is in service until it leaves).
    expect(isLaunching(aSnapshot({ groups: [aGroup({ desired: 1 })], instances: [anInstance({ status: 'DRAINING' })] }))).toBe(false);
  });
});

describe('Function: remember', () => {
  it('keeps the fresh failures once each by event, and forgets the stale', () => {
    const kept = remember([failure('old', 1, later(-RUN_TASK_FAILURE_MAX_AGE_SECONDS - 10)), failure('e1', 2)], [failure('e1', 2), failure('e2', 1)], AT);
    expect(kept.map((f) => f.eventId)).toEqual(['e1', 'e2']);
    expect(isFresh({ at: AT }, later(RUN_TASK_FAILURE_MAX_AGE_SECONDS))).toBe(true);
  });
});
