/**
 * ECS managed scaling as documented, for the `ecs-managed` controller and as the backstop of ecs-pilot's
 * `accelerate` mode (docs/simulation.md): CapacityProviderReservation published every minute and seen
 * by its alarms after a delay, scale-out in one lower-bound step (core's `ecsManagedEstimate`), no new
 * step while an instance launched during the run warms up, scale-in after 15 datapoints below target
 * and then each minute by at most half, managed termination protection.
 */
import { ecsManagedEstimate } from '../../core/capacity/ecs-managed.js';
import type { Snapshot } from '../../core/model.js';
import type { Scenario } from '../scenario.js';
import type { SimulatedCluster } from '../world.js';

/**
 * ECS managed scaling, one datapoint a minute per capacity provider (docs/simulation.md). The alarms
 * see a datapoint `ecsMetricDelaySeconds` after it is taken; scale-out needs `ecsScaleOutDatapoints`
 * above target, scale-in `ecsScaleInDatapoints` below (then it goes on each minute while they stay below).
 */
export class EcsManagedScaling {
  private readonly datapoints = new Map<string, Array<{ at: number; reservation: number; m: number; n: number }>>();
  public constructor(
    private readonly world: SimulatedCluster,
    private readonly snapshot: Snapshot,
    private readonly settings: Scenario['settings'],
  ) {}

  public step(): void {
    const now = this.world.now;
    const waitingAll = this.world
      .allTasks()
      .filter((t) => t.lastStatus === 'PROVISIONING')
      .sort((a, b) => a.submittedAt - b.submittedAt)
      .slice(0, 500); // ECS looks at no more than 500 PROVISIONING tasks per cluster
    const firstGroup = this.snapshot.groups[0]?.name;
    const target = this.settings.targetCapacityPercent;
    for (const group of this.snapshot.groups) {
      const members = this.world.members(group.name);
      const inService = members.filter((i) => i.lifecycleState === 'InService');
      const busy = inService.filter((i) => this.world.allTasks().some((t) => t.containerInstanceArn === i.arn && t.lastStatus !== 'STOPPED' && !t.daemon));
      // Managed termination protection: instances with non-daemon tasks are protected.
      for (const i of inService) this.world.setProtection(i, busy.includes(i));

      const waiting = waitingAll.filter((t) => (t.capacityProvider ?? firstGroup) === group.name);
      const n = members.filter((i) => !i.lifecycleState.startsWith('Terminating')).length;
      let m = busy.length;
      if (waiting.length > 0) {
        const g = { ...group, minimumScalingStepSize: this.settings.minimumScalingStepSize, maximumScalingStepSize: this.settings.maximumScalingStepSize };
        const step = ecsManagedEstimate({ ...this.snapshot, groups: [g], pending: waiting }, g, waiting.map((_, k) => k));
        m = n + step;
      }
      const reservation = n === 0 ? (m > 0 ? 200 : 100) : (m / n) * 100;
      const points = this.datapoints.get(group.name) ?? [];
      points.push({ at: now, reservation, m, n });
      this.datapoints.set(group.name, points);
      const visible = points.filter((p) => p.at <= now - this.settings.ecsMetricDelaySeconds * 1000);
      const latest = visible[visible.length - 1];
      if (!latest) continue;
      const last = (k: number) => (visible.length >= k ? visible.slice(-k) : undefined);
      const asg = this.world.groupOf(group.asg);
      if (!asg) continue;
      const desiredFor = (mm: number) => Math.ceil((mm * 100) / target);
      const high = last(this.settings.ecsScaleOutDatapoints);
      const low = last(this.settings.ecsScaleInDatapoints);
      if (high?.every((p) => p.reservation > target)) {
        // No new step while an instance launched during the run is within its warm-up.
        const warming = members.some((i) => i.launchedAt > this.world.startMs && now - i.launchedAt < this.settings.instanceWarmupSeconds * 1000);
        if (!warming && desiredFor(latest.m) > asg.desired) this.world.setDesired(group.asg, desiredFor(latest.m));
      } else if (low?.every((p) => p.reservation < target)) {
        // Scale-in by at most half the instances a step; only unprotected (empty) ones can go.
        const next = Math.max(desiredFor(latest.m), asg.desired - Math.floor(asg.desired / 2));
        if (next < asg.desired) this.world.setDesired(group.asg, next);
      }
    }
  }
}
