/**
 * Issue 9: a spot warning's replacement. Its own replacement at once (the head start a wave needs),
 * unless it is an isolated interruption in a spot group read whole whose other instances take its tasks
 * and keep room for their `spotSpareInstances` busiest — then less (often nothing) is launched.
 */
import { parseConfig } from '../../../src/config/load.js';
import { replacementActions } from '../../../src/core/drain/replacement.js';
import { decideSpotInterruption } from '../../../src/core/drain/spot.js';
import { aGroup, aSnapshot, aTask, anInstance } from '../../support/builders.js';

const NOW = new Date('2026-11-24T12:00:00Z');
const cluster = (spotSpareInstances: number) => parseConfig({ clusters: [{ name: 'test', groups: [{ name: 'spot', asg: 'asg-spot', lifecycle: 'spot' }], spotSpareInstances }] }).clusters[0]!;

/** m5.large spot instances (2048 CPU) with `loads[k]` tasks of 512 CPU (4 fill one); the first is doomed. */
function world(loads: number[], o: { lifecycle?: 'spot' | 'on-demand'; partial?: boolean; warnedAgoSeconds?: number; waiting?: number } = {}) {
  const instances = loads.map((n, k) =>
    anInstance({
      ec2InstanceId: `i-${k}`,
      group: 'spot',
      tasks: Array.from({ length: n }, () => aTask({ cpu: 512, memoryMiB: 1024, group: 'service:web' })),
      // Another instance of the group warned `warnedAgoSeconds` ago and still in it: a wave.
      ...(k === 1 && o.warnedAgoSeconds !== undefined ? { status: 'DRAINING' as const, attributes: { 'ecs-pilot.replacement-requested': new Date(NOW.getTime() - o.warnedAgoSeconds * 1000).toISOString() } } : {}),
    }),
  );
  const group = aGroup({ name: 'spot', asg: 'asg-spot', lifecycle: o.lifecycle ?? 'spot', desired: loads.length, max: 20, ...(o.partial ? { inServiceUnits: loads.length } : {}) });
  const pending = Array.from({ length: o.waiting ?? 0 }, () => aTask({ cpu: 512, memoryMiB: 1024, group: 'service:web', capacityProvider: 'spot' }));
  const snapshot = aSnapshot({ groups: [group], instances: o.partial ? instances.slice(0, 1) : instances, pending });
  return { snapshot, doomed: snapshot.instances.find((i) => i.ec2InstanceId === 'i-0')! };
}

const ROOMY = [4, 1, 1, 1, 1, 1, 1, 1];

const raise = (actions: ReturnType<typeof replacementActions>) => actions.flatMap((a) => (a.kind === 'setDesiredCapacity' ? [a.desired - a.previous] : []));

describe('Function: replacementActions (spot spare room)', () => {
  it('an isolated interruption whose tasks the others take, keeping room for the busiest: nothing launched', () => {
    // 4 tasks displaced; 7 others with 1 task each. Were the 3 busiest reclaimed too, their 3 tasks and
    // these 4 would still fit on the 4 left (12 free slots).
    const { snapshot, doomed } = world(ROOMY);
    const actions = replacementActions(snapshot, cluster(3), [doomed], 'spot-interrupted i-0', NOW);
    expect(actions).toEqual([]);
  });

  it.each<[string, Parameters<typeof world>, number, number]>([
    // The first four: the world where an isolated interruption launches nothing (above).
    ['no spare room configured (0)', [ROOMY], 0, 1],
    ['a one-instance read (no room can be seen)', [ROOMY, { partial: true }], 3, 1],
    ['an on-demand group', [ROOMY, { lifecycle: 'on-demand' }], 3, 1],
    ['a wave: another instance warned 60 s ago is still in the group', [[...ROOMY, 1], { warnedAgoSeconds: 60 }], 3, 1],
    ['a task already waiting for the group (it claims the room first)', [ROOMY, { waiting: 1 }], 3, 1],
    ['the others are full: the room cannot take it', [[4, 4, 4]], 3, 1],
    ['room for its tasks but not for the 3 busiest as well', [[4, 1, 1, 1, 1, 1]], 3, 1],
  ])('launches its own replacement at once with %s', (_name, args, spare, units) => {
    const { snapshot, doomed } = world(...args);
    expect(raise(replacementActions(snapshot, cluster(spare), [doomed], 'spot-interrupted i-0', NOW))).toEqual([units]);
  });

  it('says so in the decision when nothing is launched: the mark names the room', () => {
    const { snapshot } = world(ROOMY);
    const actions = decideSpotInterruption(snapshot, cluster(3), 'i-0', NOW);
    expect(actions.map((a) => a.kind)).toEqual(['markInstance', 'drain']);
    expect(actions[0]?.reason).toBe("no new capacity for spot-interrupted i-0: the group's other instances take its 4 task(s) and keep room for their 3 busiest (spotSpareInstances)");
  });

  it('an instance warned more than two minutes ago no longer makes a wave', () => {
    const { snapshot, doomed } = world([...ROOMY, 1], { warnedAgoSeconds: 180 });
    expect(replacementActions(snapshot, cluster(3), [doomed], 'spot-interrupted i-0', NOW)).toEqual([]);
  });

  it('never launches more than its own replacement to keep the room', () => {
    // 4 tasks displaced, others nearly full: keeping room for 3 busiest would need 3 instances; its own needs 1.
    const { snapshot, doomed } = world([4, 3, 3, 3, 3]);
    expect(raise(replacementActions(snapshot, cluster(3), [doomed], 'spot-interrupted i-0', NOW))).toEqual([1]);
  });
});
