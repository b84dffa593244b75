import { isFresh, isLaunching, remember, RUN_TASK_FAILURE_MAX_AGE_SECONDS, standingEarlierFailures } from '../../../src/core/capacity/run-task-failures.js';
import type { Task } from '../../../src/core/model.js';
import { aGroup, anInstance, aSnapshot } from '../../support/builders.js';

const AT = new Date('2026-11-24T12:00:00Z');
const later = (s: number) => new Date(AT.getTime() + s * 1000);
const task = (id: string) => ({ id, cpu: 1024, memoryMiB: 4096, gpus: 0, awsvpc: false, hostPorts: [], constraints: [], daemon: false }) as Task;
const failure = (eventId: string, n: number, at = AT) => ({ eventId, at, tasks: Array.from({ length: n }, (_, i) => task(`run-task-failure/${eventId}/${i + 1}`)) });

describe('Function: standingEarlierFailures (failed RunTask calls of earlier SQS batches)', () => {
  const launching = aSnapshot({ groups: [aGroup({ desired: 3 })], instances: [anInstance()] });
  const landed = aSnapshot({ groups: [aGroup({ desired: 1 })], instances: [anInstance()] });

  it.each([
    ['capacity still launching, fresh: counted', launching, later(60), 2],
    ['everything landed: the retries ran or failed again as new events', landed, later(60), 0],
    [`older than ${RUN_TASK_FAILURE_MAX_AGE_SECONDS} s: not counted`, launching, later(RUN_TASK_FAILURE_MAX_AGE_SECONDS + 1), 0],
  ])('%s', (_name, snapshot, now, n) => {
    expect(standingEarlierFailures([failure('e1', 2)], snapshot, now)).toHaveLength(n);
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
