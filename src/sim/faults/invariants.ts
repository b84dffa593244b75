/**
 * The invariants every run under faults is checked against (docs/simulation.md, "Faults"):
 * - safety: no busy instance terminated by a scale-in (`busyInstancesTerminated`, and the tasks it
 *   killed, `killedByScaleIn`), desired capacity never asked or set outside [min, max]
 *   (`desiredOutOfBounds`);
 * - liveness, against the same scenario's fault-free run: no more lifecycle hooks left to time out
 *   (`hookTimeouts`), no more instances left DRAINING with nothing on them (`drainingStranded`), no more
 *   lost or never-placed tasks, no invocation failing after the faults stopped
 *   (`failedInvocationsAfterRecovery`);
 * - cost: instance-hours within 25 % of the fault-free run.
 * `InvariantWatcher` observes a run; `checkInvariants` compares a run with its fault-free twin.
 */
import type * as ASG from '@aws-sdk/client-auto-scaling';
import type { SimulatedCluster } from '../world.js';

/** A DRAINING instance empty for this long at the end is stranded: nothing is still moving it on. */
export const STRANDED_AFTER_MS = 10 * 60_000;
/** The Auto Scaling hook's heartbeat timeout the simulated groups use (DescribeLifecycleHooks: 600 s). */
const HOOK_TIMEOUT_MS = 600_000;
/** Instance-hours may exceed the fault-free run's by this fraction. */
export const INSTANCE_HOURS_TOLERANCE = 0.25;

export interface Invariants {
  busyInstancesTerminated: number;
  desiredOutOfBounds: number;
  hookTimeouts: number;
  drainingStranded: number;
  failedInvocationsAfterRecovery: number;
  lostTasks: number;
  killedByScaleIn: number;
  tasksNeverPlaced: number;
}

/** What `checkInvariants` needs of a run: its invariants and instance-hours. */
export interface CheckedRun {
  invariants: Invariants;
  metrics: { instanceHours: number };
}

export type InvariantName = keyof Invariants | 'instanceHours';

export interface Violation {
  invariant: InvariantName;
  value: number;
  /** The most allowed. */
  limit: number;
  message: string;
}

const SAFETY: ReadonlyArray<keyof Invariants> = ['busyInstancesTerminated', 'desiredOutOfBounds', 'killedByScaleIn'];
const LIVENESS: ReadonlyArray<keyof Invariants> = ['hookTimeouts', 'drainingStranded', 'failedInvocationsAfterRecovery', 'lostTasks', 'tasksNeverPlaced'];

/** The violations of a run against the same scenario's fault-free run (the fault-free run's own safety violations included). */
export function checkInvariants(run: CheckedRun, faultFree: CheckedRun): Violation[] {
  const out: Violation[] = [];
  for (const k of SAFETY) if (run.invariants[k] > 0) out.push({ invariant: k, value: run.invariants[k], limit: 0, message: `${k} ${run.invariants[k]} (must be 0)` });
  for (const k of LIVENESS) {
    const limit = faultFree.invariants[k];
    if (run.invariants[k] > limit) out.push({ invariant: k, value: run.invariants[k], limit, message: `${k} ${run.invariants[k]} (fault-free ${limit})` });
  }
  const hoursLimit = Math.round(faultFree.metrics.instanceHours * (1 + INSTANCE_HOURS_TOLERANCE) * 100) / 100;
  if (run.metrics.instanceHours > hoursLimit) {
    out.push({ invariant: 'instanceHours', value: run.metrics.instanceHours, limit: hoursLimit, message: `instance-hours ${run.metrics.instanceHours} > ${hoursLimit} (fault-free ${faultFree.metrics.instanceHours} + ${INSTANCE_HOURS_TOLERANCE * 100} %)` });
  }
  return out;
}

/** Watches a world for the invariants only a run can see: hooks that time out, desired capacity out of bounds, drains. */
export class InvariantWatcher {
  private outOfBounds = 0;
  /** Per instance waiting on its hook: since when it last had an answer (entered the wait, or a heartbeat). */
  private readonly waiting = new Map<string, number>();
  private readonly completed = new Set<string>();
  private hookTimeouts = 0;
  /** Since when each DRAINING instance has been DRAINING. */
  private readonly drainingSince = new Map<string, number>();

  public constructor(private readonly world: SimulatedCluster) {
    const { bus, state } = world.aws;
    // Asked: a SetDesiredCapacity outside the group's bounds (AWS rejects it; asking is the bug).
    bus.intercept((call, next) => {
      if (call.service === 'autoscaling' && call.command === 'SetDesiredCapacity') {
        const g = state.groups.get(String(call.input.AutoScalingGroupName));
        const desired = Number(call.input.DesiredCapacity);
        if (g && (desired < g.min || desired > g.max)) this.outOfBounds += 1;
      }
      return next();
    });
    bus.react<typeof ASG>('autoscaling', {
      CompleteLifecycleAction: (input) => this.completed.add(String(input.InstanceId)),
      RecordLifecycleActionHeartbeat: (input) => {
        if (this.waiting.has(String(input.InstanceId))) this.waiting.set(String(input.InstanceId), state.now);
      },
    });
  }

  /** After each tick of the world. */
  public observe(ms: number): void {
    const { state } = this.world.aws;
    for (const g of state.groups.values()) if (g.desired < g.min || g.desired > g.max) this.outOfBounds += 1;
    for (const i of state.instances.values()) {
      const id = i.ec2InstanceId;
      if (i.lifecycleState === 'Terminating:Wait' && !this.waiting.has(id)) this.waiting.set(id, ms);
      else if (i.lifecycleState === 'Terminated' && this.waiting.has(id)) {
        // Terminated without a completion, the hook's timeout after its last answer: Auto Scaling's default result.
        if (!this.completed.has(id) && ms - (this.waiting.get(id) ?? ms) >= HOOK_TIMEOUT_MS) this.hookTimeouts += 1;
        this.waiting.delete(id);
      }
      if (i.status === 'DRAINING' && i.lifecycleState !== 'Terminated') {
        if (!this.drainingSince.has(i.arn)) this.drainingSince.set(i.arn, ms);
      } else this.drainingSince.delete(i.arn);
    }
  }

  /** The invariants at the end of the run (`failedInvocationsAfterRecovery` is the Lambda model's). */
  public result(endMs: number, failedInvocationsAfterRecovery: number, metrics: { lostTasks: number; killedByScaleIn: number; tasksNeverPlaced: number }): Invariants {
    const { state } = this.world.aws;
    const busy = new Set<string>();
    for (const t of state.tasks.values()) {
      // Stopped by a scale-in's termination while it ran (world/auto-scaling.ts: TerminationNotice).
      if (t.stopCode === 'TerminationNotice' && !t.daemon && t.runningAt !== undefined && t.containerInstanceArn) busy.add(t.containerInstanceArn);
    }
    let stranded = 0;
    for (const i of state.instances.values()) {
      const since = this.drainingSince.get(i.arn);
      if (since === undefined || endMs - since < STRANDED_AFTER_MS || i.lifecycleState.startsWith('Terminating')) continue;
      if (state.liveTasks(i).every((t) => t.daemon)) stranded += 1;
    }
    return {
      busyInstancesTerminated: busy.size,
      desiredOutOfBounds: this.outOfBounds,
      hookTimeouts: this.hookTimeouts,
      drainingStranded: stranded,
      failedInvocationsAfterRecovery,
      lostTasks: metrics.lostTasks,
      killedByScaleIn: metrics.killedByScaleIn,
      tasksNeverPlaced: metrics.tasksNeverPlaced,
    };
  }
}
