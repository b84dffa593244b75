/**
 * Each invariant check fires (docs/simulation.md, "Faults"): a deliberately broken controller — the
 * shipped duties wrapped to do one wrong thing — breaks exactly the invariant it should, against the
 * real controller's fault-free run of the same scenario. Simulation tier.
 */
import { CompleteLifecycleActionCommand, DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand, TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeContainerInstancesCommand, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import type { Action } from '../../src/core/actions.js';
import type { AnyDuty, DutyContext } from '../../src/controller.js';
import { DUTIES } from '../../src/duties/index.js';
import type { Route } from '../../src/duties/routes.js';
import { checkInvariants, type InvariantName } from '../../src/sim/faults/invariants.js';
import { simulate, type SimulationResult } from '../../src/sim/run.js';
import { loadScenario, type LoadedScenario } from '../../src/sim/scenario.js';

const tiny = loadScenario('test/fixtures/simulate/tiny.yml');
/** The tiny scenario, 40 minutes long (room for a scale-in and a hook's 10-minute timeout), `own` mode. */
const scenario: LoadedScenario = { ...tiny, scenario: { ...tiny.scenario, durationMinutes: 40, settings: { ...tiny.scenario.settings, managedScaling: 'off' } } };
const UNTIL_S = 600;
const plan = { rates: {}, untilSeconds: UNTIL_S, seed: 1 };
const run = (duties?: Partial<Record<Route, AnyDuty>>) => simulate(scenario, 'ecs-pilot', { store: true, faults: plan, ...(duties ? { duties } : {}) });

let faultFree: SimulationResult;
beforeAll(async () => {
  faultFree = await run();
});

const checked = (r: SimulationResult) => ({ invariants: r.invariants!, metrics: r.metrics });
const broken = (r: SimulationResult): InvariantName[] => [...new Set(checkInvariants(checked(r), checked(faultFree)).map((v) => v.invariant))];

/** Every duty with some of its actions dropped (as if it never decided them). */
function dropping(keep: (a: Action) => boolean): Partial<Record<Route, AnyDuty>> {
  return Object.fromEntries(
    Object.entries(DUTIES).map(([name, duty]) => [name, { ...duty, decide: (e: never, o: never, now: Date) => { const d = (duty as AnyDuty).decide(e, o, now); return { ...d, actions: d.actions.filter(keep) }; } }]),
  );
}

/** The reconcile doing something more, once, at its first run at or after `atSeconds`. */
function reconcileAlso(atSeconds: number, extra: (ctx: DutyContext) => Promise<void>, base: AnyDuty = DUTIES.reconcile): AnyDuty {
  const start = Date.parse(scenario.snapshot.takenAt);
  let done = false;
  return {
    ...base,
    observe: async (event: never, ctx: DutyContext) => {
      if (!done && ctx.now.getTime() >= start + atSeconds * 1000) {
        done = true;
        await extra(ctx);
      }
      return base.observe(event, ctx);
    },
  };
}

const send = <T>(client: { send: (c: never) => Promise<unknown> }, command: unknown) => client.send(command as never) as Promise<T>;
const cluster = scenario.snapshot.cluster;
const asg = scenario.snapshot.groups[0]!.asg;

async function busyInstance(ctx: DutyContext): Promise<string> {
  const { containerInstanceArns = [] } = await send<{ containerInstanceArns?: string[] }>(ctx.clients.ecs, new ListContainerInstancesCommand({ cluster }));
  const { containerInstances = [] } = await send<{ containerInstances?: Array<{ ec2InstanceId?: string; runningTasksCount?: number }> }>(ctx.clients.ecs, new DescribeContainerInstancesCommand({ cluster, containerInstances: containerInstanceArns }));
  const busy = containerInstances.find((i) => (i.runningTasksCount ?? 0) > 0);
  if (!busy?.ec2InstanceId) throw new Error('no busy instance to break');
  return busy.ec2InstanceId;
}

describe('invariants: each check fires on a broken controller', () => {
  it('the real controller breaks none against its own fault-free run', () => {
    expect(broken(faultFree)).toEqual([]);
    expect(faultFree.invariants).toMatchObject({ busyInstancesTerminated: 0, desiredOutOfBounds: 0, hookTimeouts: 0, drainingStranded: 0, failedInvocationsAfterRecovery: 0 });
  });

  it('busyInstancesTerminated and killedByScaleIn: one that terminates a busy instance (and completes its hook)', async () => {
    const r = await run({
      reconcile: reconcileAlso(300, async (ctx) => {
        const id = await busyInstance(ctx);
        await send(ctx.clients.autoscaling, new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: id, ShouldDecrementDesiredCapacity: false }));
        await send(ctx.clients.autoscaling, new CompleteLifecycleActionCommand({ AutoScalingGroupName: asg, LifecycleHookName: 'ecs-pilot-drain', InstanceId: id, LifecycleActionResult: 'CONTINUE' }));
      }),
    });
    expect(r.invariants?.busyInstancesTerminated).toBe(1);
    expect(broken(r)).toEqual(expect.arrayContaining(['busyInstancesTerminated', 'killedByScaleIn']));
  });

  it('desiredOutOfBounds: one that asks for more than the group maximum', async () => {
    const r = await run({
      reconcile: reconcileAlso(120, async (ctx) => {
        const { AutoScalingGroups = [] } = await send<{ AutoScalingGroups?: Array<{ MaxSize?: number }> }>(ctx.clients.autoscaling, new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asg] }));
        await send(ctx.clients.autoscaling, new SetDesiredCapacityCommand({ AutoScalingGroupName: asg, DesiredCapacity: (AutoScalingGroups[0]?.MaxSize ?? 0) + 1 })).catch(() => undefined);
      }),
    });
    expect(broken(r)).toEqual(['desiredOutOfBounds']);
  });

  it('hookTimeouts: one that never completes (nor heartbeats) a lifecycle hook', async () => {
    const r = await run(dropping((a) => a.kind !== 'completeLifecycleAction' && a.kind !== 'heartbeatLifecycleAction'));
    expect(r.invariants?.hookTimeouts).toBeGreaterThan(0);
    expect(broken(r)).toContain('hookTimeouts');
  });

  it('drainingStranded: one that drains and never terminates', async () => {
    // Only the kinds known here, terminations dropped: no later kind can finish the drain either.
    const kept = new Set<string>(['drain', 'protectInstances', 'completeLifecycleAction', 'heartbeatLifecycleAction', 'markInstance', 'runTask', 'stopTask', 'setServiceDesiredCount', 'setServiceBounds', 'recordRun']);
    const r = await run(dropping((a) => kept.has(a.kind) || (a.kind === 'setDesiredCapacity' && a.desired >= a.previous)));
    expect(r.invariants?.drainingStranded).toBeGreaterThan(0);
    expect(broken(r)).toContain('drainingStranded');
  });

  it('failedInvocationsAfterRecovery: one that throws once the faults have stopped', async () => {
    const start = Date.parse(scenario.snapshot.takenAt);
    const throwing: AnyDuty = {
      ...DUTIES.reconcile,
      observe: async (event: never, ctx: DutyContext) => {
        if (ctx.now.getTime() >= start + UNTIL_S * 1000) throw new Error('broken after recovery');
        return DUTIES.reconcile.observe(event, ctx as never);
      },
    };
    const r = await run({ reconcile: throwing });
    expect(r.invariants?.failedInvocationsAfterRecovery).toBeGreaterThan(0);
    expect(broken(r)).toContain('failedInvocationsAfterRecovery');
  });

  it('tasksNeverPlaced and lostTasks: one that never raises desired capacity (own mode: nobody else does)', async () => {
    const r = await run(dropping((a) => a.kind !== 'setDesiredCapacity'));
    expect(broken(r)).toEqual(expect.arrayContaining(['tasksNeverPlaced', 'lostTasks']));
  });

  it('instance-hours: one that raises the group to its maximum once and never scales in', async () => {
    const keep = (a: Action) => a.kind !== 'terminateInstance' && !(a.kind === 'setDesiredCapacity' && a.desired < a.previous);
    const duties = dropping(keep);
    duties.reconcile = reconcileAlso(
      120,
      async (ctx) => {
        await send(ctx.clients.autoscaling, new SetDesiredCapacityCommand({ AutoScalingGroupName: asg, DesiredCapacity: scenario.snapshot.groups[0]!.max }));
      },
      duties.reconcile,
    );
    const r = await run(duties);
    expect(broken(r)).toContain('instanceHours');
    expect(r.metrics.instanceHours).toBeGreaterThan(1.25 * faultFree.metrics.instanceHours);
  });
});
