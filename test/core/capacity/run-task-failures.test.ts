import { BURST_HOLD_SECONDS, BURST_SPREAD_SECONDS, heldUntil, isFresh, isLaunching, remember, requestTasks, RUN_TASK_FAILURE_MAX_AGE_SECONDS, sized, standingFailures } from '../../../src/core/capacity/run-task-failures.js';
import type { Task } from '../../../src/core/model.js';
import { aGroup, anInstance, aSnapshot } from '../../support/builders.js';

const AT = new Date('2026-11-24T12:00:00Z');
const later = (s: number) => new Date(AT.getTime() + s * 1000);
const task = (id: string) => ({ id, cpu: 1024, memoryMiB: 4096, gpus: 0, awsvpc: false, hostPorts: [], constraints: [], daemon: false, group: 'family:worker', capacityProvider: 'spot' }) as Task;
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

  it('counts this batch\'s failures whatever launches, and of one request only its largest burst (a retry is the same demand again)', () => {
    // One burst: two calls a few seconds apart, their events in two SQS batches.
    expect(standingFailures([failure('b2', 10, later(5))], [failure('b1', 10)], launching, later(60))).toHaveLength(20);
    // The caller's retry a minute later supersedes the calls it retries.
    expect(standingFailures([failure('retry', 10, later(60))], [failure('b1', 10)], launching, later(70))).toHaveLength(10);
    // Another request is other demand.
    expect(standingFailures([failure('other', 3, later(60), 'reporter:4||')], [failure('b1', 10)], launching, later(70))).toHaveLength(13);
    // Just inside and just outside the burst's spread.
    expect(standingFailures([failure('x', 1, later(BURST_SPREAD_SECONDS))], [failure('b1', 1)], launching, later(20))).toHaveLength(2);
    expect(standingFailures([failure('x', 1, later(BURST_SPREAD_SECONDS + 1))], [failure('b1', 1)], launching, later(20))).toHaveLength(1);
    // The retry's events still arriving one by one: the burst it retries is the better count.
    expect(standingFailures([failure('retry', 1, later(60))], [failure('b1', 10)], launching, later(70))).toHaveLength(10);
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

describe('A burst served: the cluster shows more of its request\'s tasks than when it was first counted', () => {
  const running = (n: number) => aSnapshot({ groups: [aGroup({ desired: 3 })], instances: [anInstance({ tasks: Array.from({ length: n }, (_, i) => task(`t${i}`)) })] });

  it('counts the request\'s tasks by family and capacity provider, placed or waiting', () => {
    const other = { ...task('x'), group: 'family:other' };
    expect(requestTasks(aSnapshot({ instances: [anInstance({ tasks: [task('a'), other] })], pending: [task('b')] }), failure('e', 1))).toBe(2);
  });

  it('stops counting a burst once its retries were placed; a newer burst that still finds no room stands', () => {
    const [first] = sized([failure('b1', 10)], [], running(2), AT);
    expect(standingFailures([], [first!], running(2), later(30))).toHaveLength(10);
    expect(standingFailures([], [first!], running(6), later(90))).toHaveLength(0);
    const [retry] = sized([failure('retry', 6, later(60))], [], running(6), later(90));
    expect(standingFailures([retry!], [first!], running(6), later(90))).toHaveLength(6);
  });
});

describe('Function: heldUntil (later SQS batches of a burst already sized)', () => {
  const snapshot = aSnapshot({ groups: [aGroup({ desired: 3 })], instances: [anInstance()] });
  const [first] = sized([failure('b1', 10)], [], snapshot, later(10));

  it.each([
    ['the same request within the hold: held until the hold ends', [failure('b2', 10)], later(40), later(10 + BURST_HOLD_SECONDS)],
    ['the same request after the hold: sized now', [failure('b2', 10)], later(10 + BURST_HOLD_SECONDS), undefined],
    ['another request: sized now', [failure('o1', 3, AT, 'reporter:4||')], later(40), undefined],
    ['one request held, another not: sized now', [failure('b2', 10), failure('o1', 3, AT, 'reporter:4||')], later(40), undefined],
    ['nothing failed: nothing held', [], later(40), undefined],
  ])('%s', (_name, current, now, until) => {
    expect(heldUntil(current, [first!], now)).toEqual(until);
  });

  it('a redelivered event keeps when it was sized and its baseline: a duplicate within the hold is held', () => {
    const kept = remember([first!], [failure('b1', 10)], later(20));
    expect(kept[0]?.sizedAt).toEqual(later(10));
    expect(heldUntil([failure('b1', 10)], kept, later(20))).toEqual(later(10 + BURST_HOLD_SECONDS));
  });
});

describe('Function: remember', () => {
  it('keeps the fresh failures once each by event, and forgets the stale', () => {
    const kept = remember([failure('old', 1, later(-RUN_TASK_FAILURE_MAX_AGE_SECONDS - 10)), failure('e1', 2)], [failure('e1', 2), failure('e2', 1)], AT);
    expect(kept.map((f) => f.eventId)).toEqual(['e1', 'e2']);
    expect(isFresh({ at: AT }, later(RUN_TASK_FAILURE_MAX_AGE_SECONDS))).toBe(true);
  });
});
