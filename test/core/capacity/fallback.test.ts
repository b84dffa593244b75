import { capacityForJobStarts } from '../../../src/core/batch/capacity.js';
import type { Action } from '../../../src/core/actions.js';
import { plan } from '../../../src/core/capacity/index.js';
import { RETURN_TO_SPOT, returnToSpot } from '../../../src/core/capacity/recover.js';
import { scaleOutActions } from '../../../src/core/capacity/scale-out.js';
import type { LaunchFailure } from '../../../src/core/capacity/shortage.js';
import { backoffSeconds, formatMark, markAfterFailure, parseMark, rememberLaunches, UNAVAILABLE_TAG, type Mark } from '../../../src/core/capacity/unavailable.js';
import { ClusterConfigSchema } from '../../../src/core/config-schema.js';
import { replacementActions } from '../../../src/core/drain/replacement.js';
import { TaskSchema, type Snapshot } from '../../../src/core/model.js';
import { aGroup, anInstance, aSnapshot, aTask, tasks } from '../../support/builders.js';

const TAKEN = '2026-11-24T12:00:00Z';
const NOW = new Date(TAKEN);
/** A mark made by a failure a minute before the snapshot: unavailable until 12:02. */
const MARK: Mark = { until: '2026-11-24T12:02:00.000Z', at: '2026-11-24T11:59:00.000Z', class: 'spot-capacity', activityId: 'act-1', attempts: 1, reason: 'Could not launch Spot Instances. InsufficientInstanceCapacity - There is no Spot capacity available that matches your request.' };
const failure = (at: string, activityId = `act-${at}`, cls: LaunchFailure['class'] = 'spot-capacity'): LaunchFailure => ({ group: 'spot', asg: 'asg-spot', at, activityId, statusMessage: 'Could not launch Spot Instances. InsufficientInstanceCapacity', class: cls, source: 'activity' });

const cluster = (groups: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) => ClusterConfigSchema.parse({ name: 'test', groups, ...extra });

/**
 * Spot group: 2 running m5.large, desired 5 — 3 units a failed launch left (no instance listed for
 * them); an on-demand group with one running instance and room for nothing.
 */
function stalled(o: { mark?: Mark; onDemandFallback?: { base: number; raisedFrom?: number; raisedAt?: string }; pending?: ReturnType<typeof aTask>[]; weights?: boolean; extra?: ReturnType<typeof anInstance>[]; spot?: { desired?: number; max?: number } } = {}): Snapshot {
  const types = o.weights ? [{ type: 'm5.large', weight: 2 }, { type: 'm5.xlarge', weight: 4 }] : [{ type: 'm5.large', weight: 1 }];
  const full = [aTask({ cpu: 2048, memoryMiB: 7000 })];
  return aSnapshot({
    takenAt: TAKEN,
    groups: [
      aGroup({ name: 'spot', asg: 'asg-spot', lifecycle: 'spot', desired: o.weights ? 10 : 5, ...o.spot, instanceTypes: types, ...(o.mark ? { unavailable: o.mark } : {}), ...(o.onDemandFallback ? { onDemandFallback: o.onDemandFallback } : {}) }),
      aGroup({ name: 'od', asg: 'asg-od', desired: 1 }),
    ],
    instances: [
      anInstance({ group: 'spot', tasks: [aTask({ cpu: 2048, memoryMiB: 7000 })] }),
      anInstance({ group: 'spot', tasks: [aTask({ cpu: 2048, memoryMiB: 7000 })] }),
      anInstance({ group: 'od', tasks: full }),
      ...(o.extra ?? []),
    ],
    pending: o.pending ?? [],
  });
}

const bigTask = (o: Partial<ReturnType<typeof aTask>> = {}) => aTask({ cpu: 2048, memoryMiB: 7000, ...o });
const groupPlan = (p: ReturnType<typeof plan>, name: string) => p.groups.find((g) => g.name === name)!;

describe('Function: backoffSeconds / markAfterFailure — the back-off', () => {
  it('starts at 180 s and doubles per consecutive failure up to 30 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(backoffSeconds)).toEqual([180, 360, 720, 1440, 1800, 1800, 1800]);
  });

  it('doubles only for a failure after the mark expired; the ASG’s retries while marked change nothing', () => {
    const first = markAfterFailure(undefined, failure('2026-11-24T12:00:00Z'))!;
    expect(first).toMatchObject({ attempts: 1, until: '2026-11-24T12:03:00.000Z', at: '2026-11-24T12:00:00.000Z', class: 'spot-capacity' });
    expect(markAfterFailure(first, failure('2026-11-24T12:02:00Z'))).toBeUndefined();
    const second = markAfterFailure(first, failure('2026-11-24T12:03:30Z'))!;
    expect(second).toMatchObject({ attempts: 2, until: '2026-11-24T12:09:30.000Z' });
  });

  it('ignores a duplicate activity and a stale one', () => {
    const mark = markAfterFailure(undefined, failure('2026-11-24T12:00:00Z', 'act-9'))!;
    expect(markAfterFailure(mark, failure('2026-11-24T13:00:00Z', 'act-9'))).toBeUndefined();
    expect(markAfterFailure(mark, failure('2026-11-24T11:00:00Z', 'act-older'))).toBeUndefined();
  });

  it('resets to 180 s after a launch succeeded', () => {
    const recovered: Mark = { ...MARK, attempts: 4, recovered: '2026-11-24T12:30:00.000Z' };
    expect(markAfterFailure(recovered, failure('2026-11-24T12:20:00Z'))).toBeUndefined();
    expect(markAfterFailure(recovered, failure('2026-11-24T12:40:00Z'))).toMatchObject({ attempts: 1, until: '2026-11-24T12:43:00.000Z' });
  });

  it('round-trips through the tag value, within AWS’s 256 characters', () => {
    const long = { ...MARK, reason: 'x'.repeat(400), recovered: '2026-11-24T12:30:00.000Z' };
    const value = formatMark(long);
    expect(value.length).toBeLessThanOrEqual(256);
    expect(parseMark(value)).toEqual({ ...long, reason: long.reason.slice(0, value.length - value.indexOf(';msg=') - 5) });
    expect(parseMark('garbage')).toBeUndefined();
  });
});

describe('Function: rememberLaunches', () => {
  it('writes the mark as a tag once; the same failures again write nothing', () => {
    const s = stalled();
    const first = rememberLaunches(s, [failure('2026-11-24T11:59:00Z', 'act-1')], NOW);
    expect(first.actions).toEqual([{ kind: 'markGroupUnavailable', asg: 'asg-spot', mark: expect.stringContaining('until=2026-11-24T12:02:00.000Z;at=2026-11-24T11:59:00.000Z;class=spot-capacity;attempts=1;activity=act-1;msg=') , reason: expect.stringContaining('activity act-1') }]);
    const again = rememberLaunches(first.snapshot, [failure('2026-11-24T11:59:00Z', 'act-1')], NOW);
    expect(again.actions).toEqual([]);
  });

  it('lifts an expired mark once an instance launches (the probe succeeded), keeping it as recovered', () => {
    const s = stalled({ mark: MARK });
    const probing: Snapshot = { ...s, groups: s.groups.map((g) => (g.name === 'spot' ? { ...g, desired: 3, launching: [{ type: 'm5.large', count: 1 }] } : g)) };
    const later = new Date('2026-11-24T12:05:00Z');
    const out = rememberLaunches(probing, [], later);
    expect(out.snapshot.groups[0]!.unavailable?.recovered).toBe('2026-11-24T12:05:00.000Z');
    expect(out.actions).toHaveLength(1);
    // Still stalled, nothing launching: the mark stays.
    expect(rememberLaunches(s, [], later).actions).toEqual([]);
  });
});

describe('Function: plan — a group marked unavailable', () => {
  it('does not count the units a failed launch left as capacity (without the mark it does)', () => {
    const waiting = [bigTask({ capacityProvider: 'spot' }), bigTask({ capacityProvider: 'spot' })];
    const unmarked = plan(stalled({ pending: waiting }));
    expect(unmarked.unplaceable).toEqual([]); // the phantom pool "holds" them: the bug the mark fixes
    const marked = plan(stalled({ mark: MARK, pending: waiting }));
    expect(marked.placements).toEqual([]);
    expect(marked.unplaceable).toHaveLength(2);
    expect(marked.unplaceable[0]!.reason).toMatch(/group spot is unavailable until 2026-11-24T12:02:00.000Z: its launches fail \(spot-capacity, activity act-1\).*names only spot.*onDemandFallback: true on spot/);
    expect(groupPlan(marked, 'spot').desired).toBe(5);
    expect(scaleOutActions(marked, 'w')).toEqual([]);
  });

  it('sends tasks without a capacity provider to another group, never the unavailable one', () => {
    const p = plan(stalled({ mark: MARK, pending: [bigTask(), bigTask()] }));
    expect(p.unplaceable).toEqual([]);
    expect(p.placements.every((x) => x.instance.startsWith('new:od:'))).toBe(true);
    expect(groupPlan(p, 'od').desired).toBe(3);
    expect(groupPlan(p, 'spot').desired).toBe(5);
  });

  it('still uses the registered room of an unavailable group', () => {
    const roomy = stalled({ mark: MARK, pending: [aTask({ cpu: 256, memoryMiB: 256, capacityProvider: 'spot' })], extra: [anInstance({ id: 'room', group: 'spot' })] });
    expect(plan(roomy).placements).toEqual([{ task: roomy.pending[0]!.id, instance: 'room' }]);
  });

  it('with onDemandFallback raises the on-demand base by exactly the stalled units and desired by what is new', () => {
    const p = plan(stalled({ mark: MARK, onDemandFallback: { base: 0 }, pending: tasks(5, { cpu: 2048, memoryMiB: 7000, capacityProvider: 'spot' }) }));
    expect(p.unplaceable).toEqual([]);
    const spot = groupPlan(p, 'spot');
    // 3 units the failed launch left hold 3 tasks; 2 new units for the rest.
    expect(spot.desired).toBe(7);
    expect(spot.onDemandBase).toMatchObject({ previous: 0, target: 5, raisedFrom: 0, stalledUnits: 5 });
    const actions = scaleOutActions(p, 'burst');
    expect(actions.map((a) => a.kind)).toEqual(['setOnDemandBase', 'setDesiredCapacity']);
    expect(actions[0]).toMatchObject({ kind: 'setOnDemandBase', asg: 'asg-spot', base: 5, previous: 0, raisedFrom: 0, at: TAKEN.replace('Z', 'Z') });
  });

  it('honours weights: the base counts capacity units, as desired does', () => {
    // desired 10 units, two m5.large of weight 2 running: 6 units stalled.
    const s = stalled({ weights: true, mark: MARK, onDemandFallback: { base: 2, raisedFrom: 1 } });
    const p = plan(s);
    expect(groupPlan(p, 'spot').onDemandBase).toMatchObject({ previous: 2, target: 8, raisedFrom: 1, stalledUnits: 6 });
  });

  it('raises once per desired capacity: a later plan raises only for desired beyond what the raise covers', () => {
    // The raise to 3 covered desired 5 for this mark; its instances are not listed yet (the ASG launches at its next attempt).
    const covered = { base: 3, raisedFrom: 0, raisedAt: '2026-11-24T11:59:30.000Z', covers: 5, forMark: MARK.at };
    expect(groupPlan(plan(stalled({ mark: MARK, onDemandFallback: covered })), 'spot').onDemandBase).toBeUndefined();
    // Two more tasks: desired 7, the base raised by the 2 new units only.
    const more = plan(stalled({ mark: MARK, onDemandFallback: covered, pending: tasks(5, { cpu: 2048, memoryMiB: 7000, capacityProvider: 'spot' }) }));
    expect(groupPlan(more, 'spot')).toMatchObject({ desired: 7, onDemandBase: { previous: 3, target: 5, covers: 7, forMark: MARK.at } });
    // A coverage for an earlier mark does not count: the stalled units are raised for afresh.
    const earlier = { ...covered, forMark: '2026-11-24T10:00:00.000Z' };
    expect(groupPlan(plan(stalled({ mark: MARK, onDemandFallback: earlier })), 'spot').onDemandBase).toMatchObject({ previous: 3, target: 5, stalledUnits: 2 });
  });

  it('does not fall back to on-demand when on-demand launches fail too (a vCPU quota)', () => {
    const p = plan(stalled({ mark: { ...MARK, class: 'vcpu-quota' }, onDemandFallback: { base: 0 }, pending: [bigTask({ capacityProvider: 'spot' })] }));
    expect(groupPlan(p, 'spot').onDemandBase).toBeUndefined();
    expect(p.unplaceable[0]!.reason).toMatch(/on-demand launches fail the same way \(vcpu-quota\)/);
  });

  it('an expired mark is a probe: the group is planned again', () => {
    const s = { ...stalled({ mark: MARK, pending: [bigTask({ capacityProvider: 'spot' })] }), takenAt: '2026-11-24T12:10:00Z' };
    expect(plan(s).unplaceable).toEqual([]);
  });
});

describe('Function: replacementActions — a spot warning in an unavailable group', () => {
  const config = cluster([{ name: 'spot', asg: 'asg-spot', lifecycle: 'spot', fallbackGroup: 'od' }, { name: 'od', asg: 'asg-od' }], { spotSpareInstances: 0 });

  it('replaces launch-type tasks on the fallback group, and launches nothing for pinned ones', () => {
    const launchType = aTask({ cpu: 1024, memoryMiB: 3000 });
    const pinned = aTask({ cpu: 1024, memoryMiB: 3000, capacityProvider: 'spot', group: 'service:web' });
    const snapshot = stalled({ mark: MARK, extra: [anInstance({ id: 'warned', group: 'spot', tasks: [launchType, pinned] })] });
    const actions = replacementActions(snapshot, config, [snapshot.instances.at(-1)!], 'spot warning', NOW);
    const raises = actions.filter((a): a is Extract<Action, { kind: 'setDesiredCapacity' }> => a.kind === 'setDesiredCapacity');
    expect(raises.map((a) => [a.asg, a.desired - a.previous])).toEqual([['asg-od', 1]]);
    expect(raises[0]!.reason).toMatch(/^fallback for 1 task\(s\)/);
  });

  it('without the mark, pinned tasks at max are not sent to the fallback group either', () => {
    const snapshot = stalled({ spot: { desired: 3, max: 3 }, extra: [anInstance({ id: 'warned', group: 'spot', tasks: [bigTask({ capacityProvider: 'spot' })] })] });
    const actions = replacementActions(snapshot, config, [snapshot.instances.at(-1)!], 'spot warning', NOW);
    expect(actions.filter((a) => a.kind === 'setDesiredCapacity' && a.asg === 'asg-od')).toEqual([]);
  });
});

describe('Function: capacityForJobStarts — the provider the attempt will run on', () => {
  const run = (providers: string[]): Action => ({
    kind: 'runTask', cluster: 'test', job: 'nightly', runId: 'r1', attempt: 1, taskDefinition: 'td', count: 2, capacityProviders: providers,
    containerOverrides: [], network: undefined, startedBy: 'ecs-pilot/nightly/1', clientToken: 'tok', reason: 'scheduled',
  });
  const shape = TaskSchema.parse(bigTask({ id: 'shape', startedBy: 'ecs-pilot/nightly/1' }));

  it('sizes the next provider when the first one’s group is unavailable', () => {
    const out = capacityForJobStarts([run(['spot', 'od'])], stalled({ mark: MARK }), shape);
    expect(out).toEqual([expect.objectContaining({ kind: 'setDesiredCapacity', asg: 'asg-od', desired: 3, previous: 1, reason: expect.stringContaining('2 task(s) on od: the first provider cannot take them') })]);
  });

  it('sizes the first provider when it can launch', () => {
    const healthy = stalled({ spot: { desired: 2 } });
    expect(capacityForJobStarts([run(['spot', 'od'])], healthy, shape)).toEqual([expect.objectContaining({ asg: 'asg-spot', desired: 4 })]);
  });
});

describe('Function: returnToSpot — recovery', () => {
  const config = cluster([{ name: 'spot', asg: 'asg-spot', lifecycle: 'spot', onDemandFallback: true, fallbackGroup: 'od' }, { name: 'od', asg: 'asg-od' }], { consolidation: { maxDrainingPercent: 50 } });
  const recovered: Mark = { ...MARK, recovered: '2026-11-24T12:05:00.000Z' };
  const later = new Date('2026-11-24T12:10:00Z');
  /** Spot back to normal: 4 instances listed, desired 4, base raised from 0 to 4 by ecs-pilot. */
  function raised(mark: Mark | undefined, base = 4): Snapshot {
    const s = aSnapshot({
      takenAt: later.toISOString(),
      groups: [aGroup({ name: 'spot', asg: 'asg-spot', lifecycle: 'spot', desired: 4, ...(mark ? { unavailable: mark } : {}), onDemandFallback: { base, raisedFrom: 0, raisedAt: '2026-11-24T12:00:00Z' } }), aGroup({ name: 'od', asg: 'asg-od', desired: 0 })],
      instances: Array.from({ length: 4 }, () => anInstance({ group: 'spot', tasks: [bigTask({ capacityProvider: 'spot' })] })),
    });
    return s;
  }

  it('lowers the on-demand base one budget step at a time (50 % of 4 instances: 2 units)', () => {
    expect(returnToSpot(raised(recovered), config, later)).toEqual([
      { kind: 'setOnDemandBase', asg: 'asg-spot', base: 2, previous: 4, raisedFrom: 0, at: later.toISOString(), reason: expect.stringContaining('on-demand base 4 → 2') },
    ]);
    expect(returnToSpot(raised(recovered, 2), config, later)).toEqual([expect.objectContaining({ base: 0, previous: 2 })]);
  });

  it('waits while the previous step still launches or terminates', () => {
    const s = raised(recovered);
    const launching = { ...s, groups: s.groups.map((g) => (g.name === 'spot' ? { ...g, desired: 5, launching: [{ type: 'm5.large', count: 1 }] } : g)) };
    expect(returnToSpot(launching, config, later)).toEqual([]);
    const terminating = { ...s, instances: s.instances.map((i, k) => (k === 0 ? { ...i, lifecycleState: 'Terminating:Wait' } : i)) };
    expect(returnToSpot(terminating, config, later)).toEqual([]);
  });

  it('leaves the on-demand capacity alone while spot still fails', () => {
    expect(returnToSpot(raised({ ...MARK, until: '2026-11-24T12:20:00.000Z' }), config, later)).toEqual([]);
    expect(returnToSpot(raised(MARK), config, later)).toEqual([]); // expired, but no launch succeeded yet
  });

  it('removes the recovered mark once the base is back', () => {
    expect(returnToSpot(raised(recovered, 0), config, later)).toEqual([{ kind: 'tagGroup', asg: 'asg-spot', tags: { [UNAVAILABLE_TAG]: null }, reason: expect.any(String) }]);
  });

  describe('fallback-group capacity', () => {
    const odConfig = cluster([{ name: 'spot', asg: 'asg-spot', lifecycle: 'spot', fallbackGroup: 'od' }, { name: 'od', asg: 'asg-od' }]);
    function fellBack(mark: Mark | undefined, odAttributes: Record<string, string> = {}, spotDesired = 1): Snapshot {
      return aSnapshot({
        takenAt: later.toISOString(),
        groups: [aGroup({ name: 'spot', asg: 'asg-spot', lifecycle: 'spot', desired: spotDesired, ...(mark ? { unavailable: mark } : {}) }), aGroup({ name: 'od', asg: 'asg-od', desired: 2 })],
        instances: [
          anInstance({ id: 'spot-1', group: 'spot', tasks: [] }),
          anInstance({ id: 'od-busy', group: 'od', tasks: [bigTask({ cpu: 512 }), bigTask({ cpu: 512, memoryMiB: 256 })] }),
          anInstance({ id: 'od-light', group: 'od', tasks: [aTask({ cpu: 512, memoryMiB: 512 })], attributes: odAttributes }),
        ],
      });
    }

    it('moves the least-used on-demand instance’s launch-type tasks: spot holds them on an ACTIVE instance, so it is marked', () => {
      const actions = returnToSpot(fellBack(recovered), odConfig, later);
      expect(actions).toEqual([{ kind: 'markInstance', cluster: 'test', containerInstanceArn: 'od-light', attribute: 'ecs-pilot.drain-reason', value: RETURN_TO_SPOT, reason: expect.any(String) }]);
    });

    it('drains a marked instance only once spot holds its tasks on ACTIVE instances', () => {
      const actions = returnToSpot(fellBack(recovered, { 'ecs-pilot.drain-reason': RETURN_TO_SPOT }), odConfig, later);
      expect(actions.map((a) => a.kind)).toEqual(['drain', 'markInstance']);
      const stillLaunching = fellBack(recovered, { 'ecs-pilot.drain-reason': RETURN_TO_SPOT }, 2);
      expect(returnToSpot(stillLaunching, odConfig, later)).toEqual([]);
    });

    it('un-marks and leaves the instance when spot fails again', () => {
      const actions = returnToSpot(fellBack(MARK, { 'ecs-pilot.drain-reason': RETURN_TO_SPOT }), odConfig, later);
      expect(actions).toEqual([expect.objectContaining({ kind: 'markInstance', containerInstanceArn: 'od-light', value: null })]);
    });

    it('starts no move without a shortage behind it', () => {
      expect(returnToSpot(fellBack(undefined), odConfig, later)).toEqual([]);
    });
  });
});

describe('Function: plan — instances past the registration timeout', () => {
  function booted(timedOut: boolean) {
    return aSnapshot({
      takenAt: TAKEN,
      groups: [aGroup({ name: 'spot', asg: 'asg-spot', lifecycle: 'spot', desired: 2, launching: [{ type: 'm5.large', count: 1 }], unregistered: [{ instanceId: 'i-stuck', type: 'm5.large', timedOut }] })],
      instances: [anInstance({ group: 'spot', tasks: [bigTask()] })],
      pending: [bigTask({ id: 'waiting', capacityProvider: 'spot' })],
    });
  }

  it('counts a booted, unregistered instance as launching until its timeout, then neither as capacity nor as pool', () => {
    expect(plan(booted(false)).placements).toEqual([{ task: 'waiting', instance: 'launching:spot:m5.large:1' }]);
    const p = plan(booted(true));
    expect(p.placements).toEqual([{ task: 'waiting', instance: 'new:spot:m5.large:1' }]);
    expect(groupPlan(p, 'spot').desired).toBe(3);
  });
});
