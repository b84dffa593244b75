/** Issue 21, F1: what the reconcile decides for the drains ecs-pilot owns, from what AWS shows. */
import { parseConfig } from '../../../src/config/load.js';
import type { ClusterConfig } from '../../../src/config/schema.js';
import { leaveToEcs } from '../../../src/core/capacity/modes.js';
import { reconcilePlan } from '../../../src/core/reconcile/reconcile.js';
import { aGroup, anInstance, aSnapshot, aTask } from '../../support/builders.js';

const NOW = new Date('2026-11-24T12:00:00Z');
const cluster = (): ClusterConfig => parseConfig({ clusters: [{ name: 'test', groups: [{ name: 'general', asg: 'asg-general' }] }] }).clusters[0]!;
const busy = () => [aTask({ cpu: 1024, memoryMiB: 2048, group: 'service:web' })];
const drained = (reason: string, overrides = {}) => anInstance({ id: `ci-${reason}`, ec2InstanceId: `i-${reason}`, status: 'DRAINING', attributes: { 'ecs-pilot.drain-reason': reason }, ...overrides });
const kinds = (actions: Array<{ kind: string }>) => actions.map((a) => a.kind);

describe('Function: reconcilePlan — drains ecs-pilot owns', () => {
  it.each(['scale-in', 'consolidate', 'replace', 'prescale'])('terminates an empty instance drained for %s, desired −1', (reason) => {
    const s = aSnapshot({ groups: [aGroup({ desired: 2 })], instances: [anInstance({ tasks: busy(), protected: true }), drained(reason)] });
    const plan = reconcilePlan(s, cluster(), NOW);
    expect(plan.actions).toContainEqual(expect.objectContaining({ kind: 'terminateInstance', instanceId: `i-${reason}`, drainReason: reason }));
    expect(kinds(plan.actions)).not.toContain('activate');
  });

  it('waits while tasks are still on it', () => {
    const s = aSnapshot({ groups: [aGroup({ desired: 2 })], instances: [anInstance({ tasks: busy(), protected: true }), drained('scale-in', { tasks: busy() })] });
    const plan = reconcilePlan(s, cluster(), NOW);
    expect(kinds(plan.actions).filter((k) => k === 'terminateInstance' || k === 'activate')).toEqual([]);
  });

  it('sets it ACTIVE again (and clears its mark) when the group is at its min', () => {
    const s = aSnapshot({ groups: [aGroup({ desired: 2, min: 2 })], instances: [anInstance({ tasks: busy(), protected: true }), drained('consolidate')] });
    const plan = reconcilePlan(s, cluster(), NOW);
    expect(plan.actions).toContainEqual(expect.objectContaining({ kind: 'activate', containerInstanceArns: ['ci-consolidate'] }));
    expect(plan.actions).toContainEqual(expect.objectContaining({ kind: 'markInstance', containerInstanceArn: 'ci-consolidate', attribute: 'ecs-pilot.drain-reason', value: null }));
    expect(kinds(plan.actions)).not.toContain('terminateInstance');
  });

  it('takes it back for waiting tasks that fit nowhere else, instead of launching', () => {
    const s = aSnapshot({ groups: [aGroup({ desired: 2 })], instances: [anInstance({ tasks: busy(), protected: true }), drained('scale-in')], pending: [aTask({ cpu: 1536, memoryMiB: 2048, group: 'service:api' })] });
    const plan = reconcilePlan(s, cluster(), NOW);
    expect(plan.actions).toContainEqual(expect.objectContaining({ kind: 'activate', containerInstanceArns: ['ci-scale-in'] }));
    expect(kinds(plan.actions)).not.toContain('setDesiredCapacity');
    expect(kinds(plan.actions)).not.toContain('terminateInstance');
    // It receives the task: protected.
    expect(plan.actions).toContainEqual(expect.objectContaining({ kind: 'protectInstances', instanceIds: ['i-scale-in'], protect: true }));
  });

  it("leaves a drain that is not ecs-pilot's, and notes it", () => {
    const s = aSnapshot({ groups: [aGroup({ desired: 2 })], instances: [anInstance({ tasks: busy(), protected: true }), anInstance({ id: 'ci-x', ec2InstanceId: 'i-x', status: 'DRAINING' })] });
    const plan = reconcilePlan(s, cluster(), NOW);
    expect(kinds(plan.actions).filter((k) => k === 'terminateInstance' || k === 'activate')).toEqual([]);
    expect(plan.notes).toEqual([expect.stringContaining('left DRAINING, not drained by ecs-pilot')]);
    expect(plan.notes[0]).toContain('i-x (0 task(s))');
  });

  it('marks an idle scale-in with its reason on the drain itself (written first by the actuator)', () => {
    const s = aSnapshot({ groups: [aGroup({ desired: 2 })], instances: [anInstance({ tasks: busy(), protected: true }), anInstance({ id: 'ci-idle', ec2InstanceId: 'i-idle', attributes: { 'ecs-pilot.idle-since': '2026-11-24T11:00:00Z' } })] });
    const plan = reconcilePlan(s, cluster(), NOW);
    expect(plan.actions).toContainEqual(expect.objectContaining({ kind: 'drain', containerInstanceArns: ['ci-idle'], drainReason: 'scale-in', asg: 'asg-general' }));
    expect(plan.actions).toContainEqual(expect.objectContaining({ kind: 'terminateInstance', instanceId: 'i-idle', drainReason: 'scale-in' }));
  });
});

describe('Function: reconcilePlan — in accelerate, ecs-pilot drains nothing it does not terminate', () => {
  const accelerate = (desired: number, min = 0) => aGroup({ desired, min, mode: 'accelerate', targetCapacityPercent: 100 });

  it('sends no idle scale-in at all: neither the drain nor the terminate survives leaveToEcs', () => {
    const s = aSnapshot({ groups: [accelerate(2)], instances: [anInstance({ tasks: busy(), protected: true }), anInstance({ id: 'ci-idle', ec2InstanceId: 'i-idle', attributes: { 'ecs-pilot.idle-since': '2026-11-24T11:00:00Z' } })] });
    const { kept, left } = leaveToEcs(reconcilePlan(s, cluster(), NOW).actions, s.groups);
    expect(kinds(kept).filter((k) => k === 'drain' || k === 'terminateInstance')).toEqual([]);
    expect(left).toEqual(['drain on asg-general (accelerate: ECS scales in)', 'terminateInstance on asg-general (accelerate: ECS scales in)']);
  });

  it('terminates what it consolidated once empty, when the decrement stays at or above ECS target', () => {
    const s = aSnapshot({ groups: [accelerate(2)], instances: [anInstance({ tasks: busy(), protected: true }), drained('consolidate')] });
    const { kept } = leaveToEcs(reconcilePlan(s, cluster(), NOW).actions, s.groups);
    expect(kept).toContainEqual(expect.objectContaining({ kind: 'terminateInstance', instanceId: 'i-consolidate', drainReason: 'consolidate' }));
  });

  it('sets it ACTIVE again when the decrement would go below ECS target', () => {
    // One instance runs tasks: ECS's target is 1 at 100 %; desired 1 already counts only the busy one.
    const s = aSnapshot({ groups: [accelerate(1)], instances: [anInstance({ tasks: busy(), protected: true }), drained('consolidate')] });
    const plan = reconcilePlan(s, cluster(), NOW);
    expect(plan.actions).toContainEqual(expect.objectContaining({ kind: 'activate', containerInstanceArns: ['ci-consolidate'] }));
    expect(kinds(plan.actions)).not.toContain('terminateInstance');
  });
});
