import { parseConfig } from '../../src/config/load.js';
import { capacityDuty, spotDuty } from '../../src/duties/index.js';
import { waitingReason } from '../../src/duties/capacity.js';
import type { DomainEvent } from '../../src/events/index.js';
import { aGroup, anInstance, aSnapshot, aTask } from '../support/builders.js';

const config = parseConfig({ clusters: [{ name: 'test', groups: [{ name: 'general', asg: 'asg-general', lifecycle: 'on-demand' }] }] });
const cluster = config.clusters[0]!;
const now = new Date('2026-11-24T12:00:00Z');

describe('Duties: a decision that does nothing says why', () => {
  it('capacity: no demand, demand the capacity holds, demand that cannot be placed', () => {
    const event = { kind: 'service-action' } as unknown as Extract<DomainEvent, { kind: 'service-action' }>;
    const empty = capacityDuty.decide(event, { cluster, snapshot: aSnapshot({ instances: [anInstance()] }) }, now);
    expect(empty).toEqual({ actions: [], reason: 'no task is waiting for capacity' });

    const fits = capacityDuty.decide(event, { cluster, snapshot: aSnapshot({ instances: [anInstance()], groups: [aGroup({ desired: 1 })], pending: [aTask()] }) }, now);
    expect(fits).toEqual({ actions: [], reason: '1 waiting task(s) fit the registered and launching capacity' });

    const atMax = capacityDuty.decide(event, { cluster, snapshot: aSnapshot({ groups: [aGroup({ max: 0 })], pending: [aTask()] }) }, now);
    expect(atMax.actions).toEqual([]);
    expect(atMax.reason).toMatch(/^1 of 1 waiting task\(s\) cannot be placed: /);
  });

  it('capacity: a raise has actions and no reason', () => {
    const event = { kind: 'service-action' } as unknown as Extract<DomainEvent, { kind: 'service-action' }>;
    const d = capacityDuty.decide(event, { cluster, snapshot: aSnapshot({ pending: [aTask()] }) }, now);
    expect(d.actions.map((a) => a.kind)).toEqual(['setDesiredCapacity']);
    expect(d.reason).toBeUndefined();
  });

  it('spot: a warning for an instance already drained and replaced is recorded as handled', () => {
    const instance = anInstance({ status: 'DRAINING', attributes: { 'ecs-pilot.replacement-requested': '2026-11-24T11:59:00.000Z' } });
    const event = { kind: 'spot-interruption', instanceId: instance.ec2InstanceId } as unknown as Extract<DomainEvent, { kind: 'spot-interruption' }>;
    const d = spotDuty.decide(event, { cluster, snapshot: aSnapshot({ instances: [instance] }) }, now);
    expect(d).toEqual({ actions: [], reason: `${instance.ec2InstanceId} is DRAINING, its replacement was requested at 2026-11-24T11:59:00.000Z: already handled` });
  });

  it('waitingReason names the first unplaceable reason', () => {
    expect(waitingReason(3, [{ reason: 'needs 9 GPUs' }, { reason: 'x' }])).toBe('2 of 3 waiting task(s) cannot be placed: needs 9 GPUs');
  });
});
