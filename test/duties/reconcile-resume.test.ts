/**
 * Issue 21, F1: every multi-step action of the reconcile loop resumes from what AWS shows. A scale-in
 * (mark, drain, terminate) or a consolidation interrupted anywhere leaves an instance that the next
 * tick terminates or sets ACTIVE again; a drain that is not ecs-pilot's is left, and said.
 * aws-sdk-client-mock at the SDK edge, answered by the simulated AWS; failures are injected per command.
 */
import { TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeContainerInstancesCommand, PutAttributesCommand, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import { ActuationError, type DecisionRecord } from '../../src/controller.js';
import { parseSnapshot } from '../../src/core/model.js';
import { DUTIES } from '../../src/duties/index.js';
import { SimulatedServiceError } from '../../src/sim/simulated-aws.js';
import { loadJson } from '../support/builders.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';
import { demoConfig, event, invoke, NOW } from '../support/handlers.js';

const ARN = (n: number) => `arn:aws:ecs:us-east-1:123456789012:container-instance/demo/${n.toString(16).padStart(32, '0')}`;
const TICK = 'events/demo/07-reconcile-tick.json';
const IDLE = 'i-0a1b2c3d4e5f60002'; // spot-general: only a daemon task
const SPOT = 'ecs-pilot-demo-spot-general';
const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

/** The demo cluster with nothing waiting; i-…0002 idle past the scale-in delay. */
function idleDemo(mutate: (doc: any) => void = () => {}) {
  const doc = loadJson('events/clusters/demo.json');
  doc.pending = [];
  doc.instances[1].attributes = { 'ecs-pilot.idle-since': '2026-11-24T11:50:00Z' };
  mutate(doc);
  return parseSnapshot(doc);
}

/** A tick that may fail (the actuator reports, the invocation throws for redelivery): its record either way. */
async function tick(now: Date = NOW, config = demoConfig()): Promise<DecisionRecord> {
  try {
    return await invoke(DUTIES.reconcile, event(TICK), { now, config });
  } catch (e) {
    if (e instanceof ActuationError) return e.record;
    throw e;
  }
}

/** A server fault (retried in the invocation for the essential calls) or a client one (never retried). */
const fault = (name = 'InternalFailure') => new SimulatedServiceError(name, 'injected', name === 'AccessDeniedException' ? 'client' : 'server');

describe('Duty: reconcile — a scale-in interrupted anywhere is finished by the next tick (F1)', () => {
  let aws: MockedAws;
  afterEach(() => aws.restore());
  const mark = (id: string) => aws.sim.instance(id)?.attributes.get('ecs-pilot.drain-reason');

  it('writes the scale-in drain reason before the drain', async () => {
    aws = mockAws(idleDemo());
    await tick();
    const writes = aws.writes();
    expect(writes.indexOf('PutAttributes')).toBeLessThan(writes.indexOf('UpdateContainerInstancesState'));
    expect(aws.ecs).toHaveReceivedCommandWith(PutAttributesCommand, {
      cluster: 'demo',
      attributes: [{ name: 'ecs-pilot.drain-reason', value: 'scale-in', targetType: 'container-instance', targetId: ARN(2) }],
    });
    expect(aws.sim.instance(IDLE)?.lifecycleState).not.toBe('InService');
  });

  it('the terminate fails: the instance stays DRAINING with its mark, and the next tick terminates it', async () => {
    aws = mockAws(idleDemo());
    aws.sim.failNext('TerminateInstanceInAutoScalingGroup', fault());
    const first = await tick();
    expect(first.outcome).toBe('failed');
    expect(aws.sim.instance(IDLE)).toMatchObject({ status: 'DRAINING', lifecycleState: 'InService' });
    expect(mark(IDLE)).toBe('scale-in');

    const next = await tick(later(1));
    expect(next.outcome).toBe('acted');
    expect(next.actions.find((a) => a.kind === 'terminateInstance')?.description).toContain('drained by ecs-pilot (scale-in) and empty');
    expect(aws.autoscaling).toHaveReceivedCommandTimes(TerminateInstanceInAutoScalingGroupCommand, 2);
    expect(aws.sim.instance(IDLE)?.lifecycleState).not.toBe('InService');
    expect(aws.sim.desired(SPOT)).toBe(3);
  });

  it("the actuator's fresh re-check cannot read the instance: the terminate is skipped, the next tick finishes it", async () => {
    aws = mockAws(idleDemo());
    // The re-check reads the one instance; the snapshot read before it, the whole cluster.
    aws.ecs.on(DescribeContainerInstancesCommand).callsFake(async (input: { containerInstances: string[] }) => {
      if (input.containerInstances.length === 1) throw fault('AccessDeniedException');
      return aws.sim.handle('ecs', 'DescribeContainerInstances', input);
    });
    const first = await tick();
    expect(first.skipped).toContainEqual({ action: 'terminateInstance', items: [IDLE], reason: 'could not re-check it' });
    expect(aws.sim.instance(IDLE)?.status).toBe('DRAINING');
    aws.ecs.on(DescribeContainerInstancesCommand).callsFake(async (input) => aws.sim.handle('ecs', 'DescribeContainerInstances', input));
    await tick(later(1));
    expect(aws.sim.instance(IDLE)?.lifecycleState).not.toBe('InService');
  });

  it('the mark is written but the drain fails every attempt: the instance stays ACTIVE, and the next tick drains and terminates it', async () => {
    aws = mockAws(idleDemo());
    aws.sim.failNext('UpdateContainerInstancesState', fault('AccessDeniedException'));
    const first = await tick();
    expect(first.failures.map((f) => f.action)).toContain('drain');
    // Not drained: not terminated either (the re-check wants it DRAINING: ECS places nothing there then).
    expect(first.skipped).toContainEqual({ action: 'terminateInstance', items: [IDLE], reason: 'it is ACTIVE, not drained' });
    expect(aws.sim.instance(IDLE)).toMatchObject({ status: 'ACTIVE', lifecycleState: 'InService' });
    await tick(later(1));
    expect(aws.sim.instance(IDLE)?.lifecycleState).not.toBe('InService');
  });

  it('never drains for itself without its mark: the mark fails, nothing is drained', async () => {
    aws = mockAws(idleDemo());
    aws.sim.failNext('PutAttributes', fault('AccessDeniedException'), 3);
    const first = await tick();
    expect(first.outcome).toBe('failed');
    expect(aws.ecs).not.toHaveReceivedCommand(UpdateContainerInstancesStateCommand);
    expect(aws.sim.instance(IDLE)?.status).toBe('ACTIVE');
  });

  it('an instance ecs-pilot drained that may not leave (the group at its min) is set ACTIVE again, its mark cleared', async () => {
    aws = mockAws(
      idleDemo((d) => {
        d.groups[0].min = 4;
        d.instances[1].status = 'DRAINING';
        d.instances[1].attributes = { 'ecs-pilot.drain-reason': 'scale-in' };
      }),
    );
    const record = await tick();
    expect(record.actions.find((a) => a.kind === 'activate')?.description).toContain('at its min (4)');
    expect(aws.ecs).toHaveReceivedCommandWith(UpdateContainerInstancesStateCommand, { cluster: 'demo', containerInstances: [ARN(2)], status: 'ACTIVE' });
    expect(aws.sim.instance(IDLE)?.status).toBe('ACTIVE');
    expect(mark(IDLE)).toBeUndefined();
    expect(aws.autoscaling).not.toHaveReceivedCommand(TerminateInstanceInAutoScalingGroupCommand);
  });

  it("leaves a drain that is not ecs-pilot's, and says so in the record", async () => {
    aws = mockAws(
      idleDemo((d) => {
        d.instances[1].status = 'DRAINING';
        d.instances[1].attributes = {};
      }),
    );
    const record = await tick();
    expect(aws.sim.instance(IDLE)).toMatchObject({ status: 'DRAINING', lifecycleState: 'InService' });
    expect(record.actions.filter((a) => a.kind === 'activate' || a.kind === 'terminateInstance')).toEqual([]);
    expect(record.notes?.join(' ')).toContain(`left DRAINING, not drained by ecs-pilot`);
    expect(record.notes?.join(' ')).toContain(IDLE);
  });
});

describe('Duty: reconcile — a consolidation interrupted after its drain is finished by the next tick (F1)', () => {
  let aws: MockedAws;
  afterEach(() => aws.restore());
  const consolidating = () => {
    const c = demoConfig();
    return { ...c, clusters: c.clusters.map((x) => ({ ...x, spotSpareInstances: 0, consolidation: { ...x.consolidation, enabled: true } })) };
  };

  it('the drain is sent, then another write fails: the drain reason was written first, so the instance is terminated once empty', async () => {
    aws = mockAws(idleDemo((d) => (d.instances[1].attributes = {})));
    // Another write of the same tick fails (the idle clock's mark): before issue 21 no mark at all was written then.
    aws.ecs.on(PutAttributesCommand).callsFake(async (input: { attributes: Array<{ name: string }> }) => {
      if (input.attributes.some((a) => a.name === 'ecs-pilot.idle-since')) throw fault();
      return aws.sim.handle('ecs', 'PutAttributes', input);
    });
    const first = await tick(NOW, consolidating());
    expect(first.outcome).toBe('failed');
    const drained = aws.sim.instance('i-0a1b2c3d4e5f60001');
    expect(drained?.status).toBe('DRAINING');
    expect(drained?.attributes.get('ecs-pilot.drain-reason')).toBe('consolidate');
    for (const t of ['web0000000000000000000000000001', 'wrk0000000000000000000000000001']) aws.sim.setTaskStatus(`arn:aws:ecs:us-east-1:123456789012:task/demo/${t}`, 'STOPPED', 'STOPPED');
    await tick(later(1), consolidating());
    expect(aws.autoscaling).toHaveReceivedCommandWith(TerminateInstanceInAutoScalingGroupCommand, { InstanceId: 'i-0a1b2c3d4e5f60001', ShouldDecrementDesiredCapacity: true });
  });
});
