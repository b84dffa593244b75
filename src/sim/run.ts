/**
 * Runs a scenario under one controller and measures it (docs/simulation.md):
 * - `ecs-pilot`: the real duties (src/duties/) receive the world's events after EventBridge, the SQS batching window
 *   and the Lambda start, and the reconcile schedule, and talk to the world through the SDK commands.
 *   With managed scaling `off` ecs-pilot owns the scaling (tasks that find no room fail, as on AWS);
 *   `on`, ECS managed scaling runs too and ecs-pilot accelerates it;
 * - `ecs-managed`: ECS managed scaling alone, as documented (world/ecs-managed-scaling.ts).
 */
import { configForSnapshot } from '../config/load.js';
import type { ControllerConfig } from '../config/schema.js';
import { runDuty, type DecisionRecord } from '../controller.js';
import { withColdCaches } from '../aws/clients.js';
import { DUTIES } from '../duties/index.js';
import { parseEvent } from '../events/index.js';
import { runSqsBatch } from '../handlers/sqs-batch.js';
import { applyStateEvent, emptyCounts, type ApplyCounts } from '../state/apply-events.js';
import { MemoryStateStore } from '../state/memory-store.js';
import type { StateAccess } from '../state/store.js';
import { deployedRouter, type Route } from '../duties/routes.js';
import type { AnyDuty } from '../controller.js';
import { readDeployment } from './faults/deployment.js';
import { FaultInjector, type FaultCounts } from './faults/injector.js';
import { InvariantWatcher, type Invariants } from './faults/invariants.js';
import { FaultyLambda } from './faults/lambda.js';
import type { FaultPlan } from './faults/plan.js';
import type { SQSEvent } from 'aws-lambda';
import type { LoadedScenario } from './scenario.js';
import { SimulatedCluster } from './world.js';
import { scenarioMarkers } from './markers.js';
import { EcsManagedScaling } from './world/ecs-managed-scaling.js';
import { DetectionClock, instancesByGroup, shortageMetrics, spotShare } from './shortage-metrics.js';

export const CONTROLLERS = ['ecs-pilot', 'ecs-managed'] as const;

export interface SimulateOptions {
  /** The controller config ecs-pilot runs with (`simulate --config`); default: the snapshot's groups with defaults. */
  config?: ControllerConfig;
  /** ecs-pilot with consolidation on (default budget: 10 % of a group draining at once). */
  consolidation?: boolean;
  /** A name for the run in tables and the report (default: controller and mode). */
  label?: string;
  /** Called every simulated minute with the simulated seconds done and in all (a progress bar on a terminal). */
  onProgress?: (doneSeconds: number, totalSeconds: number) => void;
  /**
   * ecs-pilot with the cluster-state store (docs/simulation.md): an in-memory store fed by the world's
   * task and container-instance events (through `applyStateEvent`, as the state function), given to
   * every duty. Default off here; `ecs-pilot simulate` defaults it on, as deployed.
   */
  store?: boolean;
  /** Every decision record of ecs-pilot's duties, with the simulated time (for tracing a run). */
  onDecision?: (record: DecisionRecord, atMs: number) => void;
  /** The world at the end of the run (tests compare where tasks ran). */
  onEnd?: (world: SimulatedCluster) => void;
  /**
   * ecs-pilot under a fault plan (docs/simulation.md, "Faults"): its functions run as AWS runs them —
   * asynchronous retries, SQS redelivery, timeouts — with the plan's faults injected until its end, and
   * the run's invariants are watched. An empty plan is the fault-free run the invariants compare with.
   */
  faults?: FaultPlan;
  /** Duties in place of the shipped ones (tests: a deliberately broken controller). */
  duties?: Partial<Record<Route, AnyDuty>>;
}

export type ControllerName = (typeof CONTROLLERS)[number];

export interface SimulationMetrics {
  /** Tasks asked for after the start (service scale-ups, restarts after a task was lost, RunTask). */
  tasksSubmitted: number;
  /** Tasks started to replace one on a draining or terminating instance (moves). */
  tasksMoved: number;
  /** Of the tasks asked for (tasksSubmitted), those that reached RUNNING at some time (the latencies' count). */
  tasksRunning: number;
  /** Non-daemon tasks RUNNING when the run ends. */
  tasksRunningAtEnd: number;
  /** Tasks wanted at the end that were never placed (still waiting, or never created: placement failed). */
  tasksNeverPlaced: number;
  /** Σ over time of tasks wanted but not running (service below desired, standalone not yet running), in task-seconds. */
  missingTaskSeconds: number;
  /** Seconds from submission to RUNNING. */
  latencyP50: number;
  latencyP95: number;
  latencyMax: number;
  /** Seconds from the first submission until every submitted task had run (or the end). */
  allPlacedSeconds: number;
  instanceHours: number;
  /** Dollars at the snapshot's prices; instances of a type with no price count nothing (see unpricedInstanceHours). */
  cost: number;
  /** Instance-hours of types the snapshot gives no price for: the cost leaves them out. */
  unpricedInstanceHours: number;
  scalingActions: number;
  interruptedTasks: number;
  /** Service tasks desired but not running at the end, plus standalone tasks killed before they finished. */
  lostTasks: number;
  /** Non-daemon tasks running on an instance a scale-in terminated. */
  killedByScaleIn: number;
  controllerErrors: number;
  /** Tasks seen in PROVISIONING (must be 0 with managed scaling off). */
  provisioningSeen: number;
  /** With the store: what the state function did with the events it received. */
  stateEvents?: ApplyCounts;
  /** Capacity shortages (docs/simulation.md): from the first failed launch to the first decision record that names it; null: never named. */
  secondsToDetect?: number | null;
  /** Hours of fallback instances: on-demand ones in a spot group, and instances of a fallback group launched once a group it backs failed. */
  fallbackInstanceHours?: number;
  /** Failed launch activities the Auto Scaling groups recorded. */
  launchFailuresSeen?: number;
  /** The most writes to one group's desired capacity in any 10 minutes (controller and ECS managed scaling). */
  desiredWritesMax10Min?: number;
  /**
   * Seconds from the end of the last capacity shortage until the spot share (`series[].spotShare`) is
   * back to at least 90 % of its value when the first shortage began; null: not back by the end of the run.
   */
  spotShareRecoverySeconds?: number | null;
}

export interface SeriesPoint {
  minute: number;
  instances: number;
  capacityVcpu: number;
  /** vCPU of the non-daemon tasks ECS has created and wants running (managed scaling off: only those it could place). */
  demandVcpu: number;
  /** vCPU of the tasks asked for: services' desired counts, standalone tasks not stopped, RunTask calls being retried (world.askedCpu). */
  askedVcpu: number;
  /** Instances not terminated, per group name. */
  instancesByGroup?: Record<string, number>;
  /** Of the instances not terminated, the share on the spot market (0 with none). */
  spotShare?: number;
}

export interface SimulationResult {
  scenario: string;
  controller: ControllerName | 'ecs-pilot+consolidation';
  /** e.g. "ecs-pilot own +consolidation", "ECS tuned". */
  label?: string;
  /** The settings the run used (mode, ECS managed scaling's settings). */
  settings?: Record<string, string | number | boolean>;
  /** Moments worth marking on the charts: bursts, spot waves. */
  markers?: Array<{ minute: number; label: string }>;
  metrics: SimulationMetrics;
  series: SeriesPoint[];
  /** Under a fault plan: the plan and what was injected, per kind. */
  faults?: { plan: FaultPlan; injected: FaultCounts };
  /** Under a fault plan: the invariants' counts (checkInvariants compares them with the fault-free run). */
  invariants?: Invariants;
}

const percentile = (sorted: number[], p: number): number => (sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0));

/**
 * The actuator's in-invocation retries in simulated time: a wait passes no wall time, only moves the
 * invocation's own clock (for the retry deadline); the jitter is fixed, so a run is repeatable.
 */
function simulatedActuation(startMs: number): { sleep: (ms: number) => Promise<void>; clock: () => number; random: () => number } {
  let slept = 0;
  return {
    sleep: async (ms) => {
      slept += ms;
    },
    clock: () => startMs + slept,
    random: () => 0.5,
  };
}

export async function simulate(loaded: LoadedScenario, controller: ControllerName, options: SimulateOptions = {}): Promise<SimulationResult> {
  const { scenario, snapshot } = loaded;
  const st = scenario.settings;
  // ECS managed scaling alone always has managed scaling on; ecs-pilot runs in the scenario's mode.
  const managedScaling = controller === 'ecs-managed' || st.managedScaling === 'on';
  const world = new SimulatedCluster(snapshot, scenario, { hooks: controller === 'ecs-pilot', managedScaling, spotDraining: st.ecsSpotDraining });
  const start = world.startMs;
  const end = start + scenario.durationMinutes * 60_000;
  for (const step of scenario.timeline) {
    const at = start + step.at * 1000;
    if ('setDesired' in step) world.at(at, () => world.setServiceDesired(step.setDesired.service, step.setDesired.count));
    else if ('runTasks' in step) world.at(at, () => world.runTasks(step.runTasks, step.runTasks.count));
    else if ('spotInterruption' in step) world.at(at, () => world.spotWave(step.spotInterruption.group, step.spotInterruption.fraction, step.spotInterruption.overSeconds));
    else if ('capacityShortage' in step) world.at(at, () => world.capacityShortage(step.capacityShortage));
    else world.at(at, () => world.neverRegister(step.neverRegister.group, step.neverRegister.count));
  }

  const defaults = configForSnapshot(snapshot);
  const fallback = scenario.fallbackGroups;
  // A given config (`simulate --config`) as it is; else the snapshot's groups with the scenario's fallbacks.
  // `onDemandFallbackGroups`: the groups' `onDemandFallback` option (issue 20, item 3), for the config that knows it.
  const onDemand = new Set(scenario.onDemandFallbackGroups);
  const withOptions = (g: (typeof defaults.clusters)[number]['groups'][number]) => ({ ...(fallback[g.name] ? { ...g, fallbackGroup: fallback[g.name] } : g), ...(onDemand.has(g.name) ? { onDemandFallback: true } : {}) });
  const base = options.config ?? { ...defaults, clusters: defaults.clusters.map((c) => ({ ...c, groups: c.groups.map(withOptions) })) };
  const config = options.consolidation ? { ...base, clusters: base.clusters.map((c) => ({ ...c, consolidation: { ...c.consolidation, enabled: true } })) } : base;
  const clients = withColdCaches({ ecs: world.client('ecs'), autoscaling: world.client('autoscaling'), ec2: world.client('ec2'), cloudwatch: world.client('cloudwatch') });
  const route = await deployedRouter(config);
  const withStore = controller === 'ecs-pilot' && options.store === true;
  const store = withStore ? new MemoryStateStore() : undefined;
  // As the deployment wires it (src/handlers/wire.ts): the config's full-read settings.
  const state: StateAccess | undefined = store ? { store, policy: { everyMinutes: config.stateStore.resyncMinutes, gapResyncMinutes: config.stateStore.gapResyncMinutes } } : undefined;
  const stateCounts = emptyCounts();
  const ctxAt = (t: number) => ({ config, clients, now: new Date(t), actuation: simulatedActuation(t), ...(state ? { state } : {}) });
  const managed = new EcsManagedScaling(world, snapshot, st);
  const tick = st.tickSeconds * 1000;
  let nextMinute = start;
  const reconcileOffset = st.reconcileOffsetSeconds ?? Math.max(0, st.reconcileSeconds - st.tickSeconds);
  let nextReconcile = start + (reconcileOffset % st.reconcileSeconds) * 1000;
  let controllerErrors = 0;
  let missingTaskSeconds = 0;
  const provisioning = new Set<string>();
  const series: SeriesPoint[] = [];
  const events = (ms: number) => world.deliverable(ms);
  const detection = new DetectionClock(world);
  const decided = (record: DecisionRecord, t: number) => {
    detection.saw(record, t);
    options.onDecision?.(record, t);
  };
  const duties = { ...DUTIES, ...options.duties };
  const plan = controller === 'ecs-pilot' ? options.faults : undefined;
  const injector = plan ? new FaultInjector(plan, start) : undefined;
  const watcher = plan ? new InvariantWatcher(world) : undefined;
  const faulty = injector
    ? new FaultyLambda({
        world,
        injector,
        deployment: readDeployment(),
        route,
        duties,
        clients,
        store,
        context: (t, c, s) => ({ config, clients: c, now: new Date(t), actuation: simulatedActuation(t), ...(state && s ? { state: { ...state, store: s } } : {}) }),
        stateCounts,
        onDecision: decided,
      })
    : undefined;

  for (let t = start; t <= end; t += tick) {
    world.advance(t);
    if ((t - start) % 60_000 < tick) options.onProgress?.(Math.round((t - start) / 1000), Math.round((end - start) / 1000));
    if (faulty) {
      const due = events(t);
      if (t >= nextReconcile) {
        due.push({ version: '0', id: `tick-${t}`, 'detail-type': 'Scheduled Event', source: 'aws.events', account: world.account, time: new Date(t).toISOString(), region: world.region, resources: [], detail: {} });
        nextReconcile += st.reconcileSeconds * 1000;
      }
      await faulty.tick(t, due, world.stateDeliverable(t));
    } else if (controller === 'ecs-pilot') {
      // The state function first: what reached the store by now is there when the duties read it.
      for (const event of world.stateDeliverable(t)) {
        if (!store || !route.toStore(event)) continue;
        const parsed = parseEvent(event);
        if (parsed.outcome === 'parsed') await applyStateEvent(store, parsed.event, new Date(t), stateCounts);
      }
      const due = events(t);
      if (t >= nextReconcile) {
        due.push({ version: '0', id: `tick-${t}`, 'detail-type': 'Scheduled Event', source: 'aws.events', account: world.account, time: new Date(t).toISOString(), region: world.region, resources: [], detail: {} });
        nextReconcile += st.reconcileSeconds * 1000;
      }
      // The capacity function takes its events from the SQS queue in batches of up to 100 (serverless.yml);
      // the others are invoked once per event.
      const queued: Array<Record<string, unknown>> = [];
      // EventBridge's rules of the deployment decide which functions an event reaches, the schedules included (src/duties/routes.ts).
      for (const event of due) {
        const fns = route.duties(event);
        for (const fn of fns) {
          if (fn === 'capacity') {
            queued.push(event);
            continue;
          }
          try {
            const record = await runDuty(duties[fn] as never, event, ctxAt(t) as never);
            decided(record, t);
          } catch {
            controllerErrors += 1;
          }
        }
      }
      for (let k = 0; k < queued.length; k += 100) {
        const batch = { Records: queued.slice(k, k + 100).map((e, i) => ({ messageId: `m-${t}-${k + i}`, body: JSON.stringify(e) })) } as unknown as SQSEvent;
        const { response, records } = await runSqsBatch(duties.capacity, batch, ctxAt(t) as never);
        for (const record of records) decided(record, t);
        controllerErrors += response.batchItemFailures.length;
      }
    } else events(t); // ECS managed scaling does not react to events
    if (managedScaling && t >= nextMinute) managed.step();
    watcher?.observe(t);
    for (const x of world.allTasks()) if (x.lastStatus === 'PROVISIONING') provisioning.add(x.arn);
    if (t > start) missingTaskSeconds += world.missingTasks() * st.tickSeconds;
    if (t >= nextMinute) {
      const active = world.allInstances().filter((i) => i.lifecycleState !== 'Terminated');
      series.push({
        minute: Math.round((t - start) / 60_000),
        instances: active.length,
        capacityVcpu: active.filter((i) => i.status === 'ACTIVE').reduce((a, i) => a + i.registered.cpu, 0) / 1024,
        demandVcpu: world.allTasks().filter((x) => x.desiredStatus === 'RUNNING' && !x.daemon).reduce((a, x) => a + x.cpu, 0) / 1024,
        askedVcpu: world.askedCpu() / 1024,
        instancesByGroup: instancesByGroup(active, snapshot),
        spotShare: spotShare(active, world.launches.market),
      });
      nextMinute += 60_000;
    }
  }

  await faulty?.finish();
  options.onEnd?.(world);
  // Tasks the scenario asked for; replacements of tasks on leaving instances are counted apart.
  const submitted = world.allTasks().filter((t) => t.submittedAt > start && !t.daemon && !t.replacement);
  const replaced = world.allTasks().filter((t) => t.submittedAt > start && t.replacement).length;
  const latencies = submitted.filter((t) => t.runningAt !== undefined).map((t) => ((t.runningAt ?? 0) - t.submittedAt) / 1000).sort((a, b) => a - b);
  const neverPlaced = world.neverCreated() + world.allTasks().filter((t) => t.desiredStatus === 'RUNNING' && t.runningAt === undefined && t.lastStatus === 'PROVISIONING').length;
  const firstSubmit = Math.min(...submitted.map((t) => t.submittedAt), end);
  const lastRunning = neverPlaced > 0 ? end : Math.max(...submitted.map((t) => t.runningAt ?? (t.lastStatus === 'STOPPED' ? (t.stoppedAt ?? end) : end)), firstSubmit);
  const onDemandPrice = (type: string): number | undefined => snapshot.instanceTypes[type]?.pricePerHour;
  const price = (group: string, type: string): number | undefined => snapshot.groups.find((g) => g.name === group)?.instanceTypes.find((x) => x.type === type)?.pricePerHour ?? onDemandPrice(type);
  // An on-demand instance of a spot group (its on-demand base) costs the on-demand price.
  const priceOf = (i: { arn: string; group: string; type: string }): number | undefined => (world.launches.market.get(i.arn) === 'on-demand' && snapshot.groups.find((g) => g.name === i.group)?.lifecycle === 'spot' ? onDemandPrice(i.type) : price(i.group, i.type));
  let instanceHours = 0;
  let unpricedHours = 0;
  let cost = 0;
  for (const i of world.allInstances()) {
    const hours = ((i.terminatedAt ?? end) - i.launchedAt) / 3_600_000;
    instanceHours += hours;
    const p = priceOf(i);
    if (p === undefined) unpricedHours += hours;
    else cost += hours * p;
  }
  const runningFor = (service: string) => world.allTasks().filter((t) => t.group === `service:${service}` && t.lastStatus === 'RUNNING').length;
  const lostService = world.serviceStates().reduce((a, s) => a + Math.max(0, s.desired - runningFor(s.name)), 0);
  const mode = controller === 'ecs-pilot' ? (managedScaling ? 'accelerate' : 'own') : 'managed';
  const settings: Record<string, string | number | boolean> = {
    managedScaling: managedScaling ? 'on' : 'off',
    ...(controller === 'ecs-pilot' ? { mode, consolidation: options.consolidation === true, store: withStore } : {}),
    ...(managedScaling
      ? { targetCapacityPercent: st.targetCapacityPercent, instanceWarmupSeconds: st.instanceWarmupSeconds, minimumScalingStepSize: st.minimumScalingStepSize, maximumScalingStepSize: st.maximumScalingStepSize }
      : {}),
    ecsSpotDraining: st.ecsSpotDraining,
    instanceLaunchSeconds: st.instanceLaunchSeconds,
  };
  const result: SimulationResult = {
    scenario: scenario.name,
    controller: options.consolidation && controller === 'ecs-pilot' ? 'ecs-pilot+consolidation' : controller,
    label: options.label ?? (controller === 'ecs-pilot' ? `ecs-pilot ${mode}${options.consolidation ? ' +consolidation' : ''}` : 'ECS managed scaling'),
    settings,
    markers: scenarioMarkers(scenario, snapshot),
    metrics: {
      tasksSubmitted: submitted.length + world.neverCreated(),
      tasksMoved: replaced,
      tasksRunning: latencies.length,
      tasksRunningAtEnd: world.allTasks().filter((t) => t.lastStatus === 'RUNNING' && !t.daemon).length,
      tasksNeverPlaced: neverPlaced,
      missingTaskSeconds: Math.round(missingTaskSeconds),
      latencyP50: percentile(latencies, 50),
      latencyP95: percentile(latencies, 95),
      latencyMax: latencies[latencies.length - 1] ?? 0,
      allPlacedSeconds: (lastRunning - firstSubmit) / 1000,
      instanceHours: Math.round(instanceHours * 100) / 100,
      cost: Math.round(cost * 100) / 100,
      unpricedInstanceHours: Math.round(unpricedHours * 100) / 100,
      scalingActions: world.counters.scalingActions,
      interruptedTasks: world.counters.interruptedTasks,
      lostTasks: lostService + world.counters.killedStandalone,
      killedByScaleIn: world.counters.killedByScaleIn,
      controllerErrors: faulty ? faulty.controllerErrors : controllerErrors,
      provisioningSeen: provisioning.size,
      ...(withStore ? { stateEvents: stateCounts } : {}),
      ...shortageMetrics(world, scenario, snapshot, detection, end, series),
    },
    series,
  };
  if (plan && injector && faulty && watcher) {
    result.faults = { plan, injected: { ...injector.counts } };
    result.invariants = watcher.result(end, faulty.failedAfterRecovery, result.metrics);
  }
  return result;
}
