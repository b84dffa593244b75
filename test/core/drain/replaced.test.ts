/** Issue 9: a replaced spot instance drained empty leaves with desired −1, once (in accelerate only above ECS's target). */
import { parseConfig } from '../../../src/config/load.js';
import { decideRetireReplaced, whyNotRetired } from '../../../src/core/drain/replaced.js';
import type { Action } from '../../../src/core/actions.js';
import { aGroup, aSnapshot, aTask, anInstance } from '../../support/builders.js';

const cluster = parseConfig({ clusters: [{ name: 'test', groups: [{ name: 'spot', asg: 'asg-spot' }] }] }).clusters[0]!;
const REPLACED = { 'ecs-pilot.replacement-requested': '2026-11-24T11:58:00.000Z' };

type Case = { mode?: 'own' | 'accelerate'; status?: 'ACTIVE' | 'DRAINING'; lifecycleState?: string; attributes?: Record<string, string>; tasks?: ReturnType<typeof aTask>[]; desired?: number; min?: number };

function world(c: Case) {
  const doomed = anInstance({
    ec2InstanceId: 'i-doomed',
    group: 'spot',
    status: c.status ?? 'DRAINING',
    lifecycleState: c.lifecycleState ?? 'InService',
    attributes: c.attributes ?? REPLACED,
    tasks: c.tasks ?? [aTask({ daemon: true, group: 'service:log-router' })],
  });
  const other = anInstance({ group: 'spot', tasks: [aTask({ group: 'service:web' })] });
  return aSnapshot({ groups: [aGroup({ name: 'spot', asg: 'asg-spot', lifecycle: 'spot', desired: c.desired ?? 3, min: c.min ?? 0, mode: c.mode ?? 'own' })], instances: [doomed, other] });
}

describe('Function: decideRetireReplaced', () => {
  it('terminates a replaced instance drained down to its daemons, desired −1, in own mode', () => {
    // Act
    const actions = decideRetireReplaced(world({}), cluster, { instanceId: 'i-doomed' });
    // Assess
    expect(actions).toEqual([
      expect.objectContaining({ kind: 'terminateReplacedInstance', asg: 'asg-spot', instanceId: 'i-doomed', cluster: 'test', daemonTasks: 1, reason: expect.stringContaining('mode own') }),
    ]);
  });

  it.each<[string, Case, string]>([
    ['a non-daemon task remains', { tasks: [aTask({ group: 'service:web' })] }, 'still holds 1 task(s)'],
    ['a task told to stop is still stopping', { tasks: [aTask({ group: 'service:web', lastStatus: 'DEACTIVATING' })] }, 'still holds 1 task(s)'],
    ['not replaced by ecs-pilot (no mark)', { attributes: {} }, 'was not replaced by ecs-pilot'],
    ['already Terminating:Wait (terminated once: not twice)', { lifecycleState: 'Terminating:Wait' }, 'is Terminating:Wait'],
    ['already Terminating', { lifecycleState: 'Terminating' }, 'is Terminating'],
    ['not draining', { status: 'ACTIVE' }, 'is ACTIVE, not DRAINING'],
    ['drained by ecs-pilot itself (prescale): the reconcile loop removes it', { attributes: { ...REPLACED, 'ecs-pilot.drain-reason': 'prescale' } }, 'the reconcile loop removes it'],
    ['the group is at its min', { desired: 2, min: 2 }, 'at its min (2)'],
  ])('leaves it when %s', (_name, c, why) => {
    const snapshot = world(c);
    expect(decideRetireReplaced(snapshot, cluster, { instanceId: 'i-doomed' })).toEqual([]);
    expect(whyNotRetired(snapshot, 'i-doomed')).toContain(why);
  });

  describe('in accelerate (ECS sets desired capacity too)', () => {
    // The doomed instance (weight 1) and `busy` others running tasks; `waiting` tasks in PROVISIONING.
    function accelerateWorld(o: { desired: number; busy: number; target?: number; waiting?: number; launching?: number; partial?: boolean }) {
      const doomed = anInstance({ ec2InstanceId: 'i-doomed', group: 'spot', status: 'DRAINING', lifecycleState: 'InService', attributes: REPLACED, tasks: [] });
      const others = Array.from({ length: o.busy }, () => anInstance({ group: 'spot', tasks: [aTask({ group: 'service:web', cpu: 2048, memoryMiB: 4096 })] }));
      const group = aGroup({
        name: 'spot', asg: 'asg-spot', lifecycle: 'spot', desired: o.desired, min: 0, max: 50, mode: 'accelerate', targetCapacityPercent: o.target ?? 100,
        launching: o.launching ? [{ type: 'm5.large', count: o.launching }] : [],
        ...(o.partial ? { inServiceUnits: o.desired } : {}),
      });
      const pending = Array.from({ length: o.waiting ?? 0 }, () => aTask({ group: 'service:web', cpu: 2048, memoryMiB: 4096, capacityProvider: 'spot' }));
      return aSnapshot({ groups: [group], instances: [doomed, ...others], pending });
    }

    it.each<[string, Parameters<typeof accelerateWorld>[0], number]>([
      ['desired after the decrement equals ECS target (3 busy at 100 %)', { desired: 4, busy: 3 }, 1],
      ['its replacement still launching, nothing waiting', { desired: 5, busy: 3, launching: 1 }, 1],
      ['a waiting task the launching replacement covers', { desired: 5, busy: 3, launching: 1, waiting: 1 }, 1],
    ])('takes back its own raise when %s', (_name, o, n) => {
      const actions = decideRetireReplaced(accelerateWorld(o), cluster, { instanceId: 'i-doomed' });
      expect(actions).toHaveLength(n);
      expect(actions[0]).toEqual(expect.objectContaining({ kind: 'terminateReplacedInstance', instanceId: 'i-doomed', reason: expect.stringContaining('mode accelerate') }));
    });

    it.each<[string, Parameters<typeof accelerateWorld>[0], string]>([
      ['the decrement would go below ECS target', { desired: 3, busy: 3 }, "desired 2 after the decrement would be below ECS's target 3 (3 unit(s) running tasks at targetCapacity 100 %)"],
      ['targetCapacity 75 % asks for spare', { desired: 4, busy: 3, target: 75 }, "desired 3 after the decrement would be below ECS's target 4 (3 unit(s) running tasks at targetCapacity 75 %)"],
      ['waiting tasks need more than is launching', { desired: 5, busy: 3, launching: 1, waiting: 2 }, 'the 2 task(s) waiting in PROVISIONING need 1 unit(s) more than is launching: ECS is scaling out'],
      ['the read holds one instance', { desired: 4, busy: 0, partial: true }, "this read holds one instance; the reconcile loop checks ECS's target first"],
    ])('leaves it when %s', (_name, o, why) => {
      const snapshot = accelerateWorld(o);
      expect(decideRetireReplaced(snapshot, cluster, { instanceId: 'i-doomed' })).toEqual([]);
      expect(whyNotRetired(snapshot, 'i-doomed')).toContain(why);
    });
  });

  it('leaves the mode unread alone: never assumes own', () => {
    const snapshot = world({});
    const unread = { ...snapshot, groups: snapshot.groups.map((g) => ({ ...g, mode: undefined })) };
    expect(decideRetireReplaced(unread, cluster)).toEqual([]);
  });

  it('counts terminations already planned against min (reconcile backstop)', () => {
    const snapshot = world({ desired: 2, min: 1 });
    const planned: Action[] = [{ kind: 'terminateInstance', asg: 'asg-spot', instanceId: 'i-other', cluster: 'test', containerInstanceArn: 'ci-x', daemonTasks: 0, reason: 'idle' }];
    expect(decideRetireReplaced(snapshot, cluster)).toHaveLength(1);
    expect(decideRetireReplaced(snapshot, cluster, { planned })).toEqual([]);
  });

  it('decides nothing the second time: once terminated the ASG holds it in Terminating:Wait', () => {
    const first = world({});
    expect(decideRetireReplaced(first, cluster)).toHaveLength(1);
    const after = { ...first, instances: first.instances.map((i) => (i.ec2InstanceId === 'i-doomed' ? { ...i, lifecycleState: 'Terminating:Wait' } : i)) };
    expect(decideRetireReplaced(after, cluster)).toEqual([]);
  });
});
