/**
 * The Auto Scaling groups in time: launch what desired capacity asks for (the instance registers with
 * ECS `instanceLaunchSeconds` later), scale in to it (unprotected instances, through the terminate
 * lifecycle hook when the group has one, abandoned after the hook's timeout), and spot instances
 * reclaimed two minutes after their interruption warning. Reacts to the controller's Auto Scaling
 * writes (a terminate enters the hook, a completed hook terminates).
 */
import type * as ASG from '@aws-sdk/client-auto-scaling';
import { weightOf, type Group } from '../../core/model.js';
import type { CommandBus } from '../commands.js';
import type { Scenario } from '../scenario.js';
import type { ClusterState, SimInstance } from '../state.js';
import type { EventDelivery, Sequence, Timeline } from './clock.js';
import type { WorldCounters } from './counters.js';
import { LaunchFailures, type Market } from './launch-failures.js';

const SPOT_NOTICE_MS = 120_000;
const HOOK_TIMEOUT_MS = 600_000;
const RESERVED_PORTS = [22, 2375, 2376, 51678, 51679];

export interface AutoScalingParts {
  state: ClusterState;
  bus: CommandBus;
  delivery: EventDelivery;
  timeline: Timeline;
  ids: Sequence;
  counters: WorldCounters;
  settings: Scenario['settings'];
  /** The ECS agent's spot draining (ECS_ENABLE_SPOT_INSTANCE_DRAINING). */
  spotDraining: boolean;
  /**
   * How long after its launch an instance registers with ECS; undefined: it never does. Default: the
   * scenario's `instanceLaunchSeconds` for every launch. The seam for launch faults (a broken template,
   * an agent that never connects).
   */
  registersAfterMs?: (i: SimInstance) => number | undefined;
}

export class AutoScalingGroups {
  private readonly launchDoneAt = new Map<string, number>();
  private readonly hookDeadline = new Map<string, number>();
  /** Failed launches, scaling activities, the on-demand base, instances that never register. */
  public readonly failures: LaunchFailures;
  /** Each instance's market (the snapshot's instances: their group's). */
  public readonly market = new Map<string, Market>();
  /** Where launches go, round robin: the snapshot's AZs. */
  private readonly azs: string[];
  private nextAz = 0;

  public constructor(private readonly w: AutoScalingParts) {
    this.azs = [...new Set(w.state.snapshot.instances.map((i) => i.az))].sort();
    if (this.azs.length === 0) this.azs.push('us-east-1a', 'us-east-1b', 'us-east-1c');
    const instance = (id: string | undefined) => w.state.instanceById(String(id));
    this.failures = new LaunchFailures({ state: w.state, delivery: w.delivery, timeline: w.timeline, settings: w.settings });
    for (const i of w.state.instances.values()) this.market.set(i.arn, w.state.snapshot.groups.find((g) => g.name === i.group)?.lifecycle === 'spot' ? 'spot' : 'on-demand');
    w.bus.react<typeof ASG>('autoscaling', {
      SetDesiredCapacity: (input) => {
        w.counters.scalingActions += 1;
        const g = w.state.groups.get(String(input.AutoScalingGroupName));
        if (g) this.failures.wroteDesired(g.name);
      },
      UpdateAutoScalingGroup: (input) => {
        const g = w.state.groups.get(String(input.AutoScalingGroupName));
        if (g && input.DesiredCapacity !== undefined) this.failures.wroteDesired(g.name);
      },
      TerminateInstanceInAutoScalingGroup: (input) => {
        w.counters.scalingActions += 1;
        const i = instance(input.InstanceId);
        if (i) this.enteredTerminating(i);
      },
      CompleteLifecycleAction: (input) => {
        const i = instance(input.InstanceId);
        if (i) this.terminate(i, 'scale-in');
      },
      RecordLifecycleActionHeartbeat: (input) => {
        const i = instance(input.InstanceId);
        if (i) this.hookDeadline.set(i.arn, w.state.now + HOOK_TIMEOUT_MS);
      },
    });
  }

  /** One tick: registrations due, hook timeouts, then each group launched or scaled in to its desired capacity. */
  public step(): void {
    const { state } = this.w;
    for (const g of state.groups.values()) {
      const snap = state.snapshot.groups.find((x) => x.asg === g.asg);
      if (!snap) continue;
      for (const i of state.members(g.name)) {
        const done = this.launchDoneAt.get(i.arn);
        if (i.lifecycleState === 'Pending' && done !== undefined && done <= state.now) {
          i.lifecycleState = 'InService';
          // The agent registers the instance: ECS's first event for it — unless its agent never connects.
          if (!this.failures.neverRegistering.has(i.arn)) {
            i.status = 'ACTIVE';
            state.instanceChanged(i);
          }
        }
        const deadline = this.hookDeadline.get(i.arn);
        if (i.lifecycleState === 'Terminating:Wait' && deadline !== undefined && deadline <= state.now) this.terminate(i, 'scale-in');
      }
      const live = state.members(g.name).filter((i) => !i.lifecycleState.startsWith('Terminating'));
      let capacity = live.reduce((a, i) => a + weightOf(snap, i.type), 0);
      if (capacity < g.desired && !this.failures.waiting(g.name)) capacity = this.launchToDesired(g, snap, live, capacity);
      // Scale in to desired: unprotected instances, launching ones first, then the emptiest, newest.
      if (capacity > g.desired) {
        const candidates = live
          .filter((i) => !i.protected)
          .sort((a, b) => Number(b.lifecycleState === 'Pending') - Number(a.lifecycleState === 'Pending') || state.liveTasks(a).length - state.liveTasks(b).length || b.launchedAt - a.launchedAt);
        for (const i of candidates) {
          const w = weightOf(snap, i.type);
          if (capacity - w < g.desired) continue;
          capacity -= w;
          if (g.hook && i.lifecycleState === 'InService') {
            i.lifecycleState = 'Terminating:Wait';
            this.enteredTerminating(i);
          } else this.terminate(i, 'scale-in');
        }
      }
    }
  }

  /** Warns `fraction` of the group's running instances, spread over `overSeconds`; each is reclaimed 2 minutes later. */
  public spotWave(group: string, fraction: number, overSeconds: number): void {
    const { state, timeline, delivery } = this.w;
    const victims = state.members(group).filter((i) => i.status === 'ACTIVE' && i.lifecycleState === 'InService');
    const n = Math.ceil(victims.length * fraction);
    victims.slice(0, n).forEach((v, k) => {
      const warnAt = state.now + (n > 1 ? Math.round((overSeconds * 1000 * k) / (n - 1)) : 0);
      timeline.at(warnAt, () => {
        if (v.lifecycleState === 'Terminated') return;
        delivery.send('aws.ec2', 'EC2 Spot Instance Interruption Warning', { 'instance-id': v.ec2InstanceId, 'instance-action': 'terminate' }, [`arn:aws:ec2:${state.region}:${state.account}:instance/${v.ec2InstanceId}`]);
        // The agent's spot draining: ECS sets the instance DRAINING on the notice (ECS Developer Guide).
        if (this.w.spotDraining && v.status === 'ACTIVE') {
          v.status = 'DRAINING';
          state.instanceChanged(v);
        }
        timeline.at(state.now + SPOT_NOTICE_MS, () => this.terminate(v, 'spot'));
      });
    });
  }

  /** Desired capacity set by a controller other than through the SDK (ECS managed scaling), within min and max. */
  public setDesired(asg: string, desired: number): void {
    const g = this.w.state.groups.get(asg);
    if (!g) return;
    const clamped = Math.min(g.max, Math.max(g.min, desired));
    if (clamped !== g.desired) {
      g.desired = clamped;
      this.w.counters.scalingActions += 1;
      this.failures.wroteDesired(g.name);
    }
  }

  /**
   * Launches what desired capacity asks for. Market: on-demand while the group's on-demand units are
   * below its on-demand base, else the group's own. Pool: the type with the lowest price per unit
   * (lowest-price allocation) in the next AZ round robin; a pool short of capacity is passed over for
   * the next (type, AZ) — the mixed-instances group's fall-over (balanced-best-effort). When every pool
   * is short: a failed activity, and the group waits `asgRetrySeconds` before it tries again.
   */
  private launchToDesired(g: { name: string; asg: string; desired: number; onDemandBase?: number }, snap: Group, live: SimInstance[], from: number): number {
    let capacity = from;
    let onDemand = live.filter((i) => this.market.get(i.arn) === 'on-demand').reduce((a, i) => a + weightOf(snap, i.type), 0);
    const types = [...snap.instanceTypes].sort((a, b) => this.unitPrice(a) - this.unitPrice(b));
    while (capacity < g.desired) {
      const market: Market = onDemand < (g.onDemandBase ?? 0) || snap.lifecycle !== 'spot' ? 'on-demand' : 'spot';
      const first = this.nextAz;
      const azs = this.azs.map((_, k) => this.azs[(first + k) % this.azs.length] ?? 'us-east-1a');
      let pool: { type: string; weight: number; az: string } | undefined;
      let blocked: { shortage: NonNullable<ReturnType<LaunchFailures['shortageFor']>>; type: string; az: string } | undefined;
      for (const t of types) {
        for (const az of azs) {
          const short = this.failures.shortageFor(g.name, market, t.type, az);
          if (!short) {
            pool = { type: t.type, weight: t.weight, az };
            break;
          }
          blocked ??= { shortage: short, type: t.type, az };
        }
        if (pool) break;
      }
      if (!pool) {
        if (blocked) this.failures.failed(snap, blocked.shortage, blocked.type, blocked.az, capacity, g.desired);
        break;
      }
      this.nextAz = (this.azs.indexOf(pool.az) + 1) % this.azs.length;
      const i = this.launch(g.name, pool.type, pool.az);
      this.market.set(i.arn, market);
      if (this.failures.takeNeverRegister(g.name)) this.failures.neverRegistering.add(i.arn);
      this.failures.launched(g.asg, i.ec2InstanceId, capacity, capacity + pool.weight, this.w.state.now + this.w.settings.instanceLaunchSeconds * 1000);
      capacity += pool.weight;
      if (market === 'on-demand') onDemand += pool.weight;
    }
    return capacity;
  }

  private unitPrice(t: Group['instanceTypes'][number]): number {
    return (t.pricePerHour ?? this.w.state.snapshot.instanceTypes[t.type]?.pricePerHour ?? 1) / t.weight;
  }

  private launch(group: string, type: string, az: string): SimInstance {
    const { state, ids, settings } = this.w;
    const n = ids.next();
    const arn = state.arn('ecs', 'container-instance', `${state.cluster}/sim${n.toString(16).padStart(29, '0')}`);
    const spec = state.snapshot.instanceTypes[type];
    const instance: SimInstance = {
      arn,
      ec2InstanceId: `i-5${n.toString(16).padStart(16, '0')}`,
      group,
      type,
      az,
      status: 'LAUNCHING',
      version: 1,
      protected: false,
      lifecycleState: 'Pending',
      reservedPorts: [...RESERVED_PORTS],
      registered: { cpu: spec?.cpu ?? 0, memoryMiB: spec?.memoryMiB ?? 0, gpus: spec?.gpus ?? 0, enis: spec?.enis ?? 0 },
      attributes: new Map(),
      launchedAt: state.now,
    };
    state.instances.set(arn, instance);
    const after = this.w.registersAfterMs ? this.w.registersAfterMs(instance) : settings.instanceLaunchSeconds * 1000;
    if (after !== undefined) this.launchDoneAt.set(arn, state.now + after);
    return instance;
  }

  /** The instance waits on the terminate hook: Auto Scaling's lifecycle action event, and the hook's timeout starts. */
  private enteredTerminating(i: SimInstance): void {
    if (i.lifecycleState !== 'Terminating:Wait') return;
    const { state } = this.w;
    this.hookDeadline.set(i.arn, state.now + HOOK_TIMEOUT_MS);
    const g = state.groupNamed(i.group);
    this.w.delivery.send(
      'aws.autoscaling',
      'EC2 Instance-terminate Lifecycle Action',
      { LifecycleActionToken: `token-${i.ec2InstanceId}`, AutoScalingGroupName: g?.asg, LifecycleHookName: g?.hook, EC2InstanceId: i.ec2InstanceId, LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING' },
      [],
    );
  }

  /** The instance is gone: its tasks stop (their stop code says why), then it is deregistered. */
  private terminate(i: SimInstance, why: 'spot' | 'scale-in'): void {
    // CompleteLifecycleAction already marked it Terminated in the account; time and tasks are ours.
    if (i.terminatedAt !== undefined) return;
    const { state, counters } = this.w;
    i.lifecycleState = 'Terminated';
    i.terminatedAt = state.now;
    for (const t of state.liveTasks(i)) {
      if (t.lastStatus === 'RUNNING' && !t.daemon) {
        if (why === 'spot') counters.interruptedTasks += 1;
        else counters.killedByScaleIn += 1;
      }
      if (t.durationMs !== undefined) counters.killedStandalone += 1;
      state.stopTask(t, why === 'spot' ? { stopCode: 'SpotInterruption', reason: 'Spot instance reclaimed' } : { stopCode: 'TerminationNotice', reason: 'Instance terminated' });
    }
    // Deregistered: one event for the instance (its tasks' stops above send one each, not one of the instance).
    i.status = 'INACTIVE';
    state.instanceChanged(i);
  }
}
