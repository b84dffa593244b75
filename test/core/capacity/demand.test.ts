import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isJobAttempt, startedBy } from '../../../src/core/batch/jobs.js';
import { composeDemand, deficitOf, demandTotal } from '../../../src/core/capacity/demand.js';
import { isFargate, strategyProvider } from '../../../src/core/capacity/providers.js';
import { aGroup, anInstance, aSnapshot, aTask } from '../../support/builders.js';

const service = (name: string, counts: { desiredCount: number; runningCount: number; pendingCount?: number }, capacityProvider?: string) => ({
  name,
  ...counts,
  task: { id: `arn:aws:ecs:us-east-1:123456789012:service/test/${name}`, cpu: 512, memoryMiB: 1024, group: `service:${name}`, ...(capacityProvider ? { capacityProvider } : {}) },
});

describe('Function: composeDemand', () => {
  it('composes every source once, in order: waiting, missing, failed RunTask calls, displaced, announced', () => {
    // Prepare
    const snapshot = aSnapshot({
      groups: [aGroup({ name: 'general', desired: 2 })],
      instances: [
        anInstance({ id: 'ci-drain', status: 'DRAINING', tasks: [aTask({ id: 'on-draining' }), aTask({ id: 'daemon', daemon: true }), aTask({ id: 'stopping', lastStatus: 'STOPPING' })] }),
        anInstance({ id: 'ci-leaving', tasks: [aTask({ id: 'on-leaving', capacityProvider: 'general' })] }),
      ],
      pending: [aTask({ id: 'provisioning', group: 'service:web' })],
      services: [service('web', { desiredCount: 4, runningCount: 1, pendingCount: 0 })],
    });
    const leaving = snapshot.instances.filter((i) => i.id === 'ci-leaving');
    // Act
    const { snapshot: demand, counts } = composeDemand(snapshot, { failedRunTasks: [{ ...snapshot.pending[0]!, id: 'run-task-failure/e1/1' }], leaving, announced: [{ ...snapshot.pending[0]!, id: 'job-1' }] });
    // Assess: web lacks 4 − 1 − max(0, 1 seen) = 2; the daemon and the stopping task need no new home.
    expect(demand.pending.map((t) => t.id)).toEqual([
      'provisioning',
      'arn:aws:ecs:us-east-1:123456789012:service/test/web/missing-1',
      'arn:aws:ecs:us-east-1:123456789012:service/test/web/missing-2',
      'run-task-failure/e1/1',
      'on-draining',
      'on-leaving',
      'job-1',
    ]);
    expect(counts).toEqual({ waiting: 1, missing: 2, failedRunTasks: 1, displaced: 2, announced: 1 });
    // A displaced task without a provider goes back to its instance's group.
    expect(demand.pending.find((t) => t.id === 'on-draining')?.capacityProvider).toBe('general');
    expect(demand.services).toBeUndefined();
  });

  it.each([
    ['pendingCount larger than the waiting tasks seen', { desiredCount: 5, runningCount: 2, pendingCount: 2 }, 1, 1],
    ['waiting tasks seen larger than pendingCount', { desiredCount: 5, runningCount: 2, pendingCount: 0 }, 2, 1],
    ['nothing lacking', { desiredCount: 3, runningCount: 3, pendingCount: 0 }, 0, 0],
    ['more running than desired (scale-in under way)', { desiredCount: 2, runningCount: 4, pendingCount: 0 }, 0, 0],
  ])('a service with %s lacks desired − running − max(pendingCount, seen)', (_name, counts, seen, missing) => {
    expect(deficitOf(counts, seen)).toBe(missing);
  });

  it('selects sources: a replacement plans only its own tasks (no waiting, no draining)', () => {
    const snapshot = aSnapshot({
      instances: [anInstance({ status: 'DRAINING', tasks: [aTask({ id: 'elsewhere' })] })],
      pending: [aTask({ id: 'waiting' })],
      services: [service('web', { desiredCount: 2, runningCount: 0 })],
    });
    const { snapshot: demand } = composeDemand(snapshot, { waiting: false, draining: false, announced: [aTask({ id: 'mine' }) as never] });
    expect(demand.pending.map((t) => t.id)).toEqual(['mine']);
  });

  it('keeps only what may land in a provider: tasks naming it or none', () => {
    const snapshot = aSnapshot({ pending: [aTask({ id: 'a', capacityProvider: 'spot' }), aTask({ id: 'b', capacityProvider: 'od' }), aTask({ id: 'any' })] });
    expect(composeDemand(snapshot, { provider: 'spot' }).snapshot.pending.map((t) => t.id)).toEqual(['a', 'any']);
  });

  it('property: composing a composed snapshot again adds nothing, and the counts sum to the tasks', () => {
    fc.assert(
      fc.property(fc.nat(5), fc.nat(5), fc.nat(6), fc.nat(3), fc.nat(3), (waiting, running, desired, pendingCount, onDraining) => {
        const snapshot = aSnapshot({
          instances: [anInstance({ status: 'DRAINING', tasks: Array.from({ length: onDraining }, (_, k) => aTask({ id: `d${k}` })) })],
          pending: Array.from({ length: waiting }, (_, k) => aTask({ id: `w${k}`, group: 'service:web' })),
          services: [service('web', { desiredCount: desired, runningCount: running, pendingCount })],
        });
        const once = composeDemand(snapshot);
        const twice = composeDemand(once.snapshot);
        expect(twice.snapshot.pending).toEqual(once.snapshot.pending);
        expect(demandTotal(once.counts)).toBe(once.snapshot.pending.length);
        expect(once.counts.missing).toBe(deficitOf({ desiredCount: desired, runningCount: running, pendingCount }, waiting));
      }),
    );
  });
});

describe('Function: strategyProvider (a service\'s or a RunTask call\'s provider)', () => {
  it.each([
    ['the first entry that takes tasks (weight 0 takes none)', [{ capacityProvider: 'A', weight: 0 }, { capacityProvider: 'B', weight: 1 }], 'B'],
    ['an entry with a base takes tasks even at weight 0', [{ capacityProvider: 'A', weight: 0, base: 2 }, { capacityProvider: 'B', weight: 1 }], 'A'],
    ['the first entry when none has weight or base', [{ capacityProvider: 'A' }, { capacityProvider: 'B' }], 'A'],
    ['none without a strategy (launch type EC2: any group)', undefined, undefined],
    ['none for an empty strategy', [], undefined],
  ])('%s', (_name, strategy, expected) => {
    expect(strategyProvider(strategy)).toBe(expected);
  });
});

describe('Function: isFargate', () => {
  it.each([
    [{ launchType: 'FARGATE' }, true],
    [{ launchType: 'EC2' }, false],
    [{ capacityProviders: ['FARGATE_SPOT'] }, true],
    [{ capacityProviders: ['arn:aws:ecs:us-east-1:123456789012:capacity-provider/FARGATE'] }, true],
    [{ capacityProviders: ['spot-general', undefined] }, false],
    [{ capacityProviders: ['MY_FARGATE_LIKE'] }, false],
    [{}, false],
  ])('%j → %s', (on, expected) => {
    expect(isFargate(on)).toBe(expected);
  });
});

describe('Function: isJobAttempt', () => {
  it.each([
    [startedBy('nightly', 2), true],
    ['ecs-pilot/nightly/1', true],
    ['ecs-pilot:nightly:1', true],
    ['ecs-svc/123', false],
    ['ecs-pilot', false],
    [undefined, false],
  ])('%s → %s', (value, expected) => {
    expect(isJobAttempt(value)).toBe(expected);
  });
});

/** Source files of src/, by path (the simulator models AWS and is not a planner: left out). */
function sources(dir = 'src'): Array<{ path: string; text: string }> {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return p === join('src', 'sim') ? [] : sources(p);
    return p.endsWith('.ts') ? [{ path: p, text: readFileSync(p, 'utf8') }] : [];
  });
}

describe('Architecture: demand is composed in one module', () => {
  it('no module but src/core/capacity/demand.ts sets the tasks a plan must place', () => {
    // A `pending:` property with a value (not a type): the format's own conversion and the read's
    // observed waiting tasks are allowed, everything else must go through composeDemand.
    const allowed = new Set(['src/core/capacity/demand.ts', 'src/core/model.ts', 'src/aws/snapshot-reader.ts']);
    const offenders = sources()
      .filter((f) => !allowed.has(f.path))
      .flatMap((f) => f.text.split('\n').flatMap((line, i) => (/\bpending\s*:(?!\s*(readonly\s+)?[A-Z][A-Za-z]*(\[\])?[;,)]|\s*z\.)/.test(line) ? [`${f.path}:${i + 1}: ${line.trim()}`] : [])));
    expect(offenders).toEqual([]);
  });

  it('every module that plans capacity composes its demand (or plans a snapshot a duty composed)', () => {
    // replaced.ts plans the waiting tasks of a snapshot its duty composed; the planner is the planner.
    const composedByCaller = new Set(['src/core/drain/replaced.ts', 'src/core/capacity/planner.ts', 'src/core/capacity/index.ts']);
    const planners = sources().filter((f) => /\bplan\(/.test(f.text) && !composedByCaller.has(f.path));
    expect(planners.length).toBeGreaterThan(5);
    expect(planners.filter((f) => !/\b(composeDemand|asIfGone)\b/.test(f.text)).map((f) => f.path)).toEqual([]);
  });

  it('one rule each: job attempts, Fargate and a service\'s capacity provider are decided only by their functions', () => {
    const files = sources();
    expect(files.filter((f) => /startsWith\(['"]ecs-pilot[:/]/.test(f.text)).map((f) => f.path)).toEqual([]);
    expect(files.filter((f) => /['"]FARGATE(_SPOT)?['"]/.test(f.text)).map((f) => f.path)).toEqual(['src/core/capacity/providers.ts']);
    expect(files.filter((f) => /capacityProviderStrategy\?\.\[0\]|capacityProviderStrategy\?\.find\(/.test(f.text)).map((f) => f.path)).toEqual([]);
  });
});
