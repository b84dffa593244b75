/** The registration timeout (issue 20): launch times from the activities, reports, replacements at most a few per hour. */
import { decideRegistrationTimeouts, MAX_REPLACEMENTS_PER_HOUR, withLaunchTimes } from '../../../src/core/reconcile/registration.js';
import { aGroup, aSnapshot } from '../../support/builders.js';
import { demoConfig } from '../../support/handlers.js';

const NOW = new Date('2026-11-24T12:00:00Z');
const cluster = demoConfig().clusters[0]!;
const spot = cluster.groups.find((g) => g.name === 'spot-general')!;
const launch = (id: string, minutesAgo: number) => ({ Description: `Launching a new EC2 instance: ${id}`, StatusCode: 'Successful', StartTime: new Date(NOW.getTime() - minutesAgo * 60_000) });

function stuckSnapshot(ids: string[], timedOut = true) {
  return aSnapshot({
    groups: [aGroup({ name: spot.name, asg: spot.asg, lifecycle: 'spot', desired: ids.length, launching: [{ type: 'm5.large', count: ids.length }], unregistered: ids.map((instanceId) => ({ instanceId, type: 'm5.large', timedOut })) })],
  });
}

describe('Function: withLaunchTimes', () => {
  it('times out an instance launched before the timeout, not one launched within it, and one missing only from a complete page', () => {
    // Prepare
    const group = stuckSnapshot(['i-0000000a', 'i-0000000b', 'i-0000000c'], false).groups[0]!;
    // Act
    const complete = withLaunchTimes(group, [launch('i-0000000a', 16), launch('i-0000000b', 3)], true, 15, NOW);
    const partial = withLaunchTimes(group, [launch('i-0000000a', 16)], false, 15, NOW);
    // Assess
    expect(complete.unregistered.map((u) => [u.instanceId, u.timedOut])).toEqual([
      ['i-0000000a', true],
      ['i-0000000b', false],
      ['i-0000000c', true],
    ]);
    expect(complete.unregistered[0]?.launchedAt).toBe('2026-11-24T11:44:00.000Z');
    expect(partial.unregistered.map((u) => u.timedOut)).toEqual([true, false, false]);
  });
});

describe('Function: decideRegistrationTimeouts', () => {
  it('reports each timed-out instance and replaces it with desired kept', () => {
    // Act
    const actions = decideRegistrationTimeouts(stuckSnapshot(['i-0000000a']), cluster, NOW, new Map());
    // Assess
    expect(actions.map((a) => a.kind)).toEqual(['reportLaunchFailure', 'replaceUnregisteredInstance']);
    expect(actions[0]).toMatchObject({ failure: { group: spot.name, asg: spot.asg, class: 'config', source: 'registration-timeout' } });
    expect(actions[1]).toMatchObject({ asg: spot.asg, instanceId: 'i-0000000a', cluster: 'test' });
  });

  it('replaces no more than a few per group in an hour, counting this hour\'s earlier ones', () => {
    // Prepare
    const ids = ['i-0000000a', 'i-0000000b', 'i-0000000c', 'i-0000000d', 'i-0000000e'];
    const earlier = new Map([[spot.asg, [NOW.getTime() - 10 * 60_000, NOW.getTime() - 2 * 3_600_000]]]);
    // Act
    const fresh = decideRegistrationTimeouts(stuckSnapshot(ids), cluster, NOW, new Map());
    const afterOne = decideRegistrationTimeouts(stuckSnapshot(ids), cluster, NOW, earlier);
    // Assess
    expect(fresh.filter((a) => a.kind === 'replaceUnregisteredInstance')).toHaveLength(MAX_REPLACEMENTS_PER_HOUR);
    expect(afterOne.filter((a) => a.kind === 'replaceUnregisteredInstance')).toHaveLength(MAX_REPLACEMENTS_PER_HOUR - 1);
  });

  it('does nothing for instances still within the timeout', () => {
    // Act & Assess
    expect(decideRegistrationTimeouts(stuckSnapshot(['i-0000000a'], false), cluster, NOW, new Map())).toEqual([]);
  });
});
