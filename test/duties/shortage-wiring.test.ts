import { parseConfig } from '../../src/config/load.js';
import type { LaunchFailure } from '../../src/core/capacity/shortage.js';
import { capacityDuty, reconcileDuty } from '../../src/duties/index.js';
import type { DomainEvent } from '../../src/events/index.js';
import { aGroup, anInstance, aSnapshot, aTask } from '../support/builders.js';

const config = parseConfig({
  clusters: [{ name: 'test', groups: [{ name: 'spot', asg: 'asg-spot', lifecycle: 'spot', fallbackGroup: 'od' }, { name: 'od', asg: 'asg-od' }] }],
});
const cluster = config.clusters[0]!;
const now = new Date('2026-11-24T12:00:30Z');
const failure: LaunchFailure = { group: 'spot', asg: 'asg-spot', at: '2026-11-24T12:00:02Z', activityId: 'act-1', statusMessage: 'Could not launch Spot Instances. InsufficientInstanceCapacity - There is no Spot capacity available that matches your request.', class: 'spot-capacity', source: 'event' };

/** Spot raised to 3 for a burst, one instance listed: 2 units a failed launch left. */
const snapshot = (pending: ReturnType<typeof aTask>[]) =>
  aSnapshot({
    takenAt: now.toISOString(),
    groups: [aGroup({ name: 'spot', asg: 'asg-spot', lifecycle: 'spot', desired: 3 }), aGroup({ name: 'od', asg: 'asg-od', desired: 0 })],
    instances: [anInstance({ group: 'spot', tasks: [aTask({ cpu: 2048, memoryMiB: 7000 })] })],
    pending,
  });

describe('Duties: launch failures reach the plan of the same decision', () => {
  const event = { kind: 'service-action' } as unknown as Extract<DomainEvent, { kind: 'service-action' }>;

  it('capacity: marks the group, then plans launch-type tasks on another group and nothing for pinned ones', () => {
    const launchType = aTask({ cpu: 2048, memoryMiB: 7000 });
    const pinned = aTask({ cpu: 2048, memoryMiB: 7000, capacityProvider: 'spot' });
    const d = capacityDuty.decide(event, { cluster, snapshot: snapshot([launchType, pinned]), launchFailures: [failure] }, now);
    expect(d.actions.map((a) => [a.kind, 'asg' in a ? a.asg : ''])).toEqual([['reportLaunchFailure', ''], ['markGroupUnavailable', 'asg-spot'], ['setDesiredCapacity', 'asg-od']]);
    expect(d.actions[2]).toMatchObject({ desired: 1, previous: 0 });
    // Without the failure the 2 phantom units "hold" both tasks and nothing is raised.
    expect(capacityDuty.decide(event, { cluster, snapshot: snapshot([launchType, pinned]) }, now).actions).toEqual([]);
  });

  it('reconcile: the same failure again (a duplicate) writes no second mark', () => {
    const marked = snapshot([]);
    const withMark = { ...marked, groups: marked.groups.map((g) => (g.name === 'spot' ? { ...g, unavailable: { until: '2026-11-24T12:03:02.000Z', at: '2026-11-24T12:00:02.000Z', class: 'spot-capacity' as const, activityId: 'act-1', attempts: 1, reason: '' } } : g)) };
    const d = reconcileDuty.decide({ kind: 'scheduled' } as never, { cluster, snapshot: withMark, jobs: [], launchFailures: [failure] }, now);
    expect(d.actions.filter((a) => a.kind === 'markGroupUnavailable')).toEqual([]);
  });
});
