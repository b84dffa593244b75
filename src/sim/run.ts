/**
 * Runs a scenario under one controller and measures it (docs/simulation.md):
 * - `ecs-pilot`: the real duties (src/duties/) receive the world's events after the EventBridge +
 *   Lambda latency, and the reconcile schedule, and talk to the world through the SDK commands;
 * - `ecs-managed`: ECS managed scaling as documented — CapacityProviderReservation published every
 *   60 s, scale-out on one datapoint above target in one lower-bound step, no new step within the
 *   instance warm-up, scale-in after 15 datapoints below target, managed termination protection.
 */
import { emptyBin, fitCount } from '../core/capacity/bins.js';
import { classify } from '../core/capacity/task-classes.js';
import { configForSnapshot } from '../config/load.js';
import type { ControllerConfig } from '../config/schema.js';
import { runDuty } from '../controller.js';
import { DUTIES, functionFor } from '../duties/index.js';
import { parseEvent } from '../events/index.js';
import type { Snapshot } from '../core/model.js';
import type { LoadedScenario, Scenario } from './scenario.js';
import { SimulatedCluster } from './world.js';

export const CONTROLLERS = ['ecs-pilot', 'ecs-managed'] as const;

export interface SimulateOptions {
  /** The controller config ecs-pilot runs with (`simulate --config`); default: the snapshot's groups with defaults. */
  config?: ControllerConfig;
  /** ecs-pilot with consolidation on (default budget: 10 % of a group draining at once). */
  consolidation?: boolean;
}
export type ControllerName = (typeof CONTROLLERS)[number];

export interface SimulationMetrics {
  /** Tasks asked for after the start (service scale-ups, restarts after a task was lost, RunTask). */
  tasksSubmitted: number;
  /** Tasks started to replace one on a draining or terminating instance (moves). */
  tasksMoved: number;
  tasksRunning: number;
  /** Seconds from submission to RUNNING. */
  latencyP50: number;
  latencyP95: number;
  latencyMax: number;
  /** Seconds from the first submission until every submitted task had run (or the end). */
  allPlacedSeconds: number;
  instanceHours: number;
  cost: number;
  scalingActions: number;
  interruptedTasks: number;
  /** Service tasks desired but not running at the end, plus standalone tasks killed before they finished. */
  lostTasks: number;
  /** Non-daemon tasks running on an instance a scale-in terminated. */
  killedByScaleIn: number;
  controllerErrors: number;
}

export interface SeriesPoint {
  minute: number;
  instances: number;
  capacityVcpu: number;
  demandVcpu: number;
}

export interface SimulationResult {
  scenario: string;
  controller: ControllerName | 'ecs-pilot+consolidation';
  metrics: SimulationMetrics;
  series: SeriesPoint[];
}

const percentile = (sorted: number[], p: number): number => (sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0));

/** ECS managed scaling for one datapoint (every 60 s), group by group. */
class EcsManagedScaling {
  private readonly below = new Map<string, number>();
  public constructor(
    private readonly world: SimulatedCluster,
    private readonly snapshot: Snapshot,
    private readonly settings: Scenario['settings'],
  ) {}

  public step(): void {
    const waitingAll = this.world
      .allTasks()
      .filter((t) => t.lastStatus === 'PROVISIONING')
      .sort((a, b) => a.submittedAt - b.submittedAt)
      .slice(0, 500); // ECS looks at no more than 500 PROVISIONING tasks per cluster
    const firstGroup = this.snapshot.groups[0]?.name;
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
        const largest = [...group.instanceTypes].sort((a, b) => (this.snapshot.instanceTypes[b.type]?.cpu ?? 0) - (this.snapshot.instanceTypes[a.type]?.cpu ?? 0))[0];
        const spec = largest ? this.snapshot.instanceTypes[largest.type] : undefined;
        let step = 0;
        if (spec) {
          for (const cls of classify(waiting)) {
            const per = fitCount(cls, emptyBin('new', '', largest?.type ?? '', 1, [spec.cpu, spec.memoryMiB, spec.enis, spec.gpus]));
            if (per > 0) step = Math.max(step, Math.ceil(cls.taskIndexes.length / Math.min(per, cls.taskIndexes.length)));
          }
        }
        step = Math.min(this.settings.maximumScalingStepSize, Math.max(this.settings.minimumScalingStepSize, step));
        m = n + step;
      }
      const reservation = n === 0 ? (m > 0 ? 200 : 100) : (m / n) * 100;
      const target = this.settings.targetCapacityPercent;
      const desired = Math.ceil((m * 100) / target);
      if (reservation > target) {
        this.below.set(group.name, 0);
        // No new step while an instance is still warming up.
        const warming = members.some((i) => this.world.now - i.launchedAt < this.settings.instanceWarmupSeconds * 1000);
        if (!warming && desired > this.world.groupOf(group.asg)!.desired) this.world.setDesired(group.asg, desired);
      } else if (reservation < target) {
        const count = (this.below.get(group.name) ?? 0) + 1;
        this.below.set(group.name, count);
        if (count >= 15) {
          // At most half the instances per step; only unprotected (empty) ones can go.
          this.world.setDesired(group.asg, Math.max(desired, Math.ceil(n / 2)));
          this.below.set(group.name, 0);
        }
      } else this.below.set(group.name, 0);
    }
  }
}

export async function simulate(loaded: LoadedScenario, controller: ControllerName, options: SimulateOptions = {}): Promise<SimulationResult> {
  const { scenario, snapshot } = loaded;
  const world = new SimulatedCluster(snapshot, scenario, { hooks: controller === 'ecs-pilot' });
  const start = world.startMs;
  const end = start + scenario.durationMinutes * 60_000;
  for (const step of scenario.timeline) {
    const at = start + step.at * 1000;
    if ('setDesired' in step) world.at(at, () => world.setServiceDesired(step.setDesired.service, step.setDesired.count));
    else if ('runTasks' in step) world.at(at, () => world.runTasks(step.runTasks, step.runTasks.count));
    else world.at(at, () => world.spotWave(step.spotInterruption.group, step.spotInterruption.fraction, step.spotInterruption.overSeconds));
  }

  const base = options.config ?? configForSnapshot(snapshot);
  const config = options.consolidation ? { ...base, clusters: base.clusters.map((c) => ({ ...c, consolidation: { ...c.consolidation, enabled: true } })) } : base;
  const clients = { ecs: world.client('ecs'), autoscaling: world.client('autoscaling'), ec2: world.client('ec2'), cloudwatch: world.client('cloudwatch') };
  const managed = new EcsManagedScaling(world, snapshot, scenario.settings);
  const tick = scenario.settings.tickSeconds * 1000;
  let nextMinute = start;
  let nextReconcile = start + scenario.settings.reconcileSeconds * 1000;
  let controllerErrors = 0;
  const series: SeriesPoint[] = [];
  const events = (ms: number) => world.deliverable(ms);

  for (let t = start; t <= end; t += tick) {
    world.advance(t);
    if (controller === 'ecs-pilot') {
      const due = events(t);
      if (t >= nextReconcile) {
        due.push({ version: '0', id: `tick-${t}`, 'detail-type': 'Scheduled Event', source: 'aws.events', account: world.account, time: new Date(t).toISOString(), region: world.region, resources: [], detail: {} });
        nextReconcile += scenario.settings.reconcileSeconds * 1000;
      }
      for (const event of due) {
        const parsed = parseEvent(event);
        if (parsed.outcome !== 'parsed') continue;
        try {
          await runDuty(DUTIES[functionFor(parsed.event)] as never, event, { config, clients, now: new Date(t) });
        } catch {
          controllerErrors += 1;
        }
      }
    } else {
      events(t); // ECS managed scaling does not react to events
      if (t >= nextMinute) managed.step();
    }
    if (t >= nextMinute) {
      const active = world.allInstances().filter((i) => i.lifecycleState !== 'Terminated');
      series.push({
        minute: Math.round((t - start) / 60_000),
        instances: active.length,
        capacityVcpu: active.filter((i) => i.status === 'ACTIVE').reduce((a, i) => a + i.registered.cpu, 0) / 1024,
        demandVcpu: world.allTasks().filter((x) => x.desiredStatus === 'RUNNING' && !x.daemon).reduce((a, x) => a + x.cpu, 0) / 1024,
      });
      nextMinute += 60_000;
    }
  }

  // Tasks the scenario asked for; replacements of tasks on leaving instances are counted apart.
  const submitted = world.allTasks().filter((t) => t.submittedAt > start && !t.daemon && !t.replacement);
  const replaced = world.allTasks().filter((t) => t.submittedAt > start && t.replacement).length;
  const latencies = submitted.filter((t) => t.runningAt !== undefined).map((t) => ((t.runningAt ?? 0) - t.submittedAt) / 1000).sort((a, b) => a - b);
  const firstSubmit = Math.min(...submitted.map((t) => t.submittedAt), end);
  const lastRunning = Math.max(...submitted.map((t) => t.runningAt ?? (t.lastStatus === 'STOPPED' ? (t.stoppedAt ?? end) : end)), firstSubmit);
  const price = (group: string, type: string): number =>
    snapshot.groups.find((g) => g.name === group)?.instanceTypes.find((x) => x.type === type)?.pricePerHour ?? snapshot.instanceTypes[type]?.pricePerHour ?? 0;
  let instanceHours = 0;
  let cost = 0;
  for (const i of world.allInstances()) {
    const hours = ((i.terminatedAt ?? end) - i.launchedAt) / 3_600_000;
    instanceHours += hours;
    cost += hours * price(i.group, i.type);
  }
  const runningFor = (service: string) => world.allTasks().filter((t) => t.group === `service:${service}` && t.lastStatus === 'RUNNING').length;
  const lostService = world.serviceStates().reduce((a, s) => a + Math.max(0, s.desired - runningFor(s.name)), 0);
  return {
    scenario: scenario.name,
    controller: options.consolidation && controller === 'ecs-pilot' ? 'ecs-pilot+consolidation' : controller,
    metrics: {
      tasksSubmitted: submitted.length,
      tasksMoved: replaced,
      tasksRunning: latencies.length,
      latencyP50: percentile(latencies, 50),
      latencyP95: percentile(latencies, 95),
      latencyMax: latencies[latencies.length - 1] ?? 0,
      allPlacedSeconds: (lastRunning - firstSubmit) / 1000,
      instanceHours: Math.round(instanceHours * 100) / 100,
      cost: Math.round(cost * 100) / 100,
      scalingActions: world.counters.scalingActions,
      interruptedTasks: world.counters.interruptedTasks,
      lostTasks: lostService + world.counters.killedStandalone,
      killedByScaleIn: world.counters.killedByScaleIn,
      controllerErrors,
    },
    series,
  };
}
