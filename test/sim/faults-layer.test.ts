/**
 * The fault layer's parts on their own (unit tier: no scenario is run): the plan's syntax, the seeded
 * streams, the per-call faults of an invocation, the event faults, the redelivery settings read from
 * serverless.yml, and the invariant check.
 */
import { readDeployment } from '../../src/sim/faults/deployment.js';
import { EventFaults } from '../../src/sim/faults/events.js';
import { FaultInjector } from '../../src/sim/faults/injector.js';
import { checkInvariants, type Invariants } from '../../src/sim/faults/invariants.js';
import { Invocation, InvocationStoppedError, isWrite, type InvocationEnv } from '../../src/sim/faults/invocation.js';
import { defaultFaultsUntil, FaultSpecError, parseFaultRates, type FaultPlan } from '../../src/sim/faults/plan.js';
import { stream } from '../../src/sim/random.js';
import { newWarmCaches } from '../../src/aws/warm-caches.js';

const plan = (rates: FaultPlan['rates'], seed = 1, untilSeconds = 600): FaultPlan => ({ rates, seed, untilSeconds });

/** An invocation over a recording stand-in for the simulated account. */
function invocationOf(rates: FaultPlan['rates'], spec: Partial<ConstructorParameters<typeof Invocation>[0]> = {}, seed = 1) {
  const injector = new FaultInjector(plan(rates, seed), 0);
  const applied: string[] = [];
  let now = 0;
  const holds: Array<{ at: number; resolve: () => void }> = [];
  const env: InvocationEnv = {
    injector,
    now: () => now,
    handle: (service, command) => {
      applied.push(`${service}:${command}`);
      return { ok: command };
    },
    holdUntil: (ms) => new Promise((resolve) => holds.push({ at: ms, resolve })),
  };
  const inv = new Invocation({ fn: 'spot', startedAt: 0, timeoutMs: 60_000, ...spec }, env);
  const clients = inv.clients(newWarmCaches());
  const command = (name: string) => ({ input: {}, constructor: { name: `${name}Command` } });
  return { inv, injector, applied, clients, command, holds, setNow: (ms: number) => (now = ms) };
}

describe('fault plan: --faults syntax', () => {
  it('takes fractions, percentages and event-delay seconds', () => {
    expect(parseFaultRates('api-error=0.05,throttle=20%,event-delay=60')).toEqual({ 'api-error': 0.05, throttle: 0.2, 'event-delay': 60 });
  });

  it.each([
    ['bogus=0.1', /unknown kind "bogus"/],
    ['api-error', /not <kind>=<rate>/],
    ['api-error=1.5', /fraction from 0 to 1/],
    ['crash=abc', /fraction from 0 to 1/],
    ['event-delay=0', /above 0/],
    ['overlap=0.1,overlap=0.2', /given twice/],
    ['', /at least one/],
  ])('rejects %j', (spec, message) => {
    expect(() => parseFaultRates(spec)).toThrow(FaultSpecError);
    expect(() => parseFaultRates(spec)).toThrow(message);
  });

  it('stops 20 minutes before the end by default', () => {
    expect(defaultFaultsUntil(60)).toBe(2400);
    expect(defaultFaultsUntil(10)).toBe(60);
  });
});

describe('seeded streams', () => {
  it('the same seed and name give the same draws; another seed or kind others', () => {
    const draws = (seed: number, name: string) => Array.from({ length: 5 }, stream(seed, name));
    expect(draws(7, 'crash')).toEqual(draws(7, 'crash'));
    expect(draws(7, 'crash')).not.toEqual(draws(8, 'crash'));
    expect(draws(7, 'crash')).not.toEqual(draws(7, 'api-error'));
    expect(draws(7, 'crash').every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('a kind without a rate draws nothing, so adding it leaves the other kinds as they were', () => {
    const f = new FaultInjector(plan({ 'api-error': 0.5 }), 0);
    expect(f.strikes('crash', 0)).toBe(false);
    const g = new FaultInjector(plan({ 'api-error': 0.5, crash: 0.5 }), 0);
    const a = Array.from({ length: 20 }, () => f.strikes('api-error', 0));
    const b = Array.from({ length: 20 }, () => {
      g.strikes('crash', 0);
      return g.strikes('api-error', 0);
    });
    expect(b).toEqual(a);
  });

  it('nothing strikes from the end of the plan on', () => {
    const f = new FaultInjector(plan({ 'api-error': 1 }, 1, 60), 1_000);
    expect(f.strikes('api-error', 60_999)).toBe(true);
    expect(f.strikes('api-error', 61_000)).toBe(false);
  });
});

describe('Invocation: per-call faults', () => {
  it('reads are Describe/List/Get and the store reads; the rest writes', () => {
    expect(['DescribeTasks', 'ListContainerInstances', 'GetItem', 'Query'].map(isWrite)).toEqual([false, false, false, false]);
    expect(['SetDesiredCapacity', 'UpdateContainerInstancesState', 'PutItem:task', 'CompleteLifecycleAction'].map(isWrite)).toEqual([true, true, true, true]);
  });

  it('api-error: the call fails before it applies', async () => {
    const { clients, command, applied, injector } = invocationOf({ 'api-error': 1 });
    await expect(clients.autoscaling.send(command('SetDesiredCapacity') as never)).rejects.toMatchObject({ name: 'InternalFailure' });
    expect(applied).toEqual([]);
    expect(injector.counts['api-error']).toBe(1);
  });

  it('lost-response: a write applies, then the caller gets an error; a read is answered', async () => {
    const { clients, command, applied, injector } = invocationOf({ 'lost-response': 1 });
    await expect(clients.autoscaling.send(command('SetDesiredCapacity') as never)).rejects.toMatchObject({ name: 'TimeoutError' });
    await expect(clients.ecs.send(command('DescribeTasks') as never)).resolves.toEqual({ ok: 'DescribeTasks' });
    expect(applied).toEqual(['autoscaling:SetDesiredCapacity', 'ecs:DescribeTasks']);
    expect(injector.counts['lost-response']).toBe(1);
  });

  it('throttle: fails only when all 5 attempts are throttled, and the back-off takes the invocation time', async () => {
    const always = invocationOf({ throttle: 1 });
    await expect(always.clients.ecs.send(always.command('DescribeTasks') as never)).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(always.injector.counts).toMatchObject({ throttle: 1, throttledAttempts: 5 });
    expect(always.applied).toEqual([]);
    expect(always.inv.elapsedMs).toBeGreaterThan(5 * 50);
    // At 50 %, most calls get through on a retry: over 200 calls about 0.5^5 ≈ 3 % fail.
    const half = invocationOf({ throttle: 0.5 }, { timeoutMs: 10_000_000 });
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, () => half.clients.ecs.send(half.command('DescribeTasks') as never)));
    const failed = outcomes.filter((o) => o.status === 'rejected').length;
    expect(failed).toBe(half.injector.counts.throttle);
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThan(20);
    expect(half.injector.counts.throttledAttempts).toBeGreaterThan(100);
  });

  it('crash after k calls: every later call fails and nothing more is sent; the invocation failed', async () => {
    const { inv, clients, command, applied } = invocationOf({}, { crashAfter: 2 });
    await clients.ecs.send(command('DescribeTasks') as never);
    await clients.ecs.send(command('ListTasks') as never);
    await expect(clients.autoscaling.send(command('SetDesiredCapacity') as never)).rejects.toBeInstanceOf(InvocationStoppedError);
    await expect(clients.ecs.send(command('DescribeTasks') as never)).rejects.toBeInstanceOf(InvocationStoppedError);
    expect(applied).toEqual(['ecs:DescribeTasks', 'ecs:ListTasks']);
    expect(inv.finish()).toBe('crash');
  });

  it('a crash after more calls than the invocation makes still fails it (it dies before it returns)', async () => {
    const { inv, clients, command } = invocationOf({}, { crashAfter: 10 });
    await clients.ecs.send(command('DescribeTasks') as never);
    expect(inv.finish()).toBe('crash');
    expect(invocationOf({}).inv.finish()).toBeUndefined();
  });

  it('an invocation that outlives its timeout is killed', async () => {
    const { inv, clients, command, injector } = invocationOf({}, { timeoutMs: 120 });
    await clients.ecs.send(command('DescribeTasks') as never);
    await clients.ecs.send(command('DescribeTasks') as never);
    await expect(clients.ecs.send(command('DescribeTasks') as never)).rejects.toBeInstanceOf(InvocationStoppedError);
    expect(inv.finish()).toBe('timeout');
    expect(injector.counts.timeouts).toBe(1);
  });

  it('overlap: reads are answered now, the first write waits for the held time; its own cold caches', async () => {
    const shared = newWarmCaches();
    const { inv, command, applied, holds } = invocationOf({}, { overlapMs: 30_000 });
    const clients = inv.clients(shared);
    expect(clients.caches).not.toBe(shared);
    await clients.ecs.send(command('DescribeTasks') as never);
    const write = clients.autoscaling.send(command('SetDesiredCapacity') as never);
    await new Promise((r) => setImmediate(r));
    expect(applied).toEqual(['ecs:DescribeTasks']);
    expect(holds.map((h) => h.at)).toEqual([30_000]);
    holds[0]?.resolve();
    await write;
    expect(applied).toEqual(['ecs:DescribeTasks', 'autoscaling:SetDesiredCapacity']);
    expect(invocationOf({}).inv.clients(shared).caches).toBe(shared);
  });

  it('store writes can lose their response too (applied, then an error)', async () => {
    const { inv } = invocationOf({ 'lost-response': 1 });
    const writes: string[] = [];
    const applyTask = async () => {
      writes.push('task');
      return { verdict: 'applied', gap: false };
    };
    const store = inv.store({ applyTask } as never);
    await expect(store.applyTask('c', {} as never, new Date(0))).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(writes).toEqual(['task']);
  });
});

describe('EventFaults: drop, duplicate, delay per delivery', () => {
  const fresh = (n: number) => Array.from({ length: n }, (_, i) => ({ to: 'spot', event: { id: `e${i}` } }));

  it('without faults every delivery is due at once, in order', () => {
    const f = new EventFaults<string>(new FaultInjector(plan({}), 0));
    expect(f.due(0, fresh(3)).map((d) => d.event.id)).toEqual(['e0', 'e1', 'e2']);
  });

  it('drops and duplicates at their rates', () => {
    const dropped = new EventFaults<string>(new FaultInjector(plan({ 'event-drop': 1 }), 0));
    expect(dropped.due(0, fresh(3))).toEqual([]);
    const injector = new FaultInjector(plan({ 'event-duplicate': 1 }), 0);
    const twice = new EventFaults<string>(injector);
    const now = twice.due(0, fresh(2)).length;
    const later = twice.due(30_000, []).length;
    expect(now + later).toBe(4);
    expect(injector.counts['event-duplicate']).toBe(2);
  });

  it('event-delay holds events back up to the max, which reorders them', () => {
    const f = new EventFaults<string>(new FaultInjector(plan({ 'event-delay': 60 }), 0));
    const got: string[] = [];
    got.push(...f.due(0, fresh(20)).map((d) => String(d.event.id)));
    for (let t = 5_000; t <= 60_000; t += 5_000) got.push(...f.due(t, []).map((d) => String(d.event.id)));
    expect([...got].sort()).toEqual(fresh(20).map((d) => d.event.id).sort());
    expect(got).not.toEqual(fresh(20).map((d) => d.event.id));
  });
});

describe('deployment: redelivery settings from serverless.yml', () => {
  it('reads each function timeout and retries, the queues visibility timeout and receive count', () => {
    const d = readDeployment();
    expect(d.functions.reconcile).toEqual({ timeoutMs: 300_000, retries: 2, maxEventAgeMs: 3_600_000 });
    expect(d.functions.spot).toEqual({ timeoutMs: 60_000, retries: 2, maxEventAgeMs: 300_000 });
    expect(d.capacityQueue).toEqual({ visibilityTimeoutMs: 360_000, maxReceiveCount: 10 });
    expect(d.stateQueue).toEqual({ visibilityTimeoutMs: 360_000, maxReceiveCount: 10 });
  });
});

describe('checkInvariants', () => {
  const clean: Invariants = { busyInstancesTerminated: 0, desiredOutOfBounds: 0, hookTimeouts: 0, drainingStranded: 0, failedInvocationsAfterRecovery: 0, lostTasks: 0, killedByScaleIn: 0, tasksNeverPlaced: 0 };
  const free = { invariants: clean, metrics: { instanceHours: 10 } };

  it('a run like the fault-free one violates nothing; 25 % more instance-hours is allowed', () => {
    expect(checkInvariants({ invariants: clean, metrics: { instanceHours: 12.5 } }, free)).toEqual([]);
  });

  it('names each invariant broken', () => {
    const bad = { invariants: { ...clean, busyInstancesTerminated: 1, drainingStranded: 3 }, metrics: { instanceHours: 12.6 } };
    expect(checkInvariants(bad, free).map((v) => v.invariant)).toEqual(['busyInstancesTerminated', 'drainingStranded', 'instanceHours']);
  });

  it('liveness is measured against the fault-free run, safety against zero', () => {
    const both = { invariants: { ...clean, hookTimeouts: 2, desiredOutOfBounds: 1 }, metrics: { instanceHours: 10 } };
    const freeToo = { invariants: { ...clean, hookTimeouts: 2, desiredOutOfBounds: 1 }, metrics: { instanceHours: 10 } };
    expect(checkInvariants(both, freeToo).map((v) => v.invariant)).toEqual(['desiredOutOfBounds']);
  });
});
