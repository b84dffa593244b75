/** Issue 9: a replaced spot instance drained empty leaves with desired −1 (own mode only), once. */
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
    ['accelerate: ECS sets desired capacity', { mode: 'accelerate' }, 'accelerate mode'],
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
