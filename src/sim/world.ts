/**
 * A simulated cluster that moves in time (docs/simulation.md). It is the simulated account
 * (simulated-aws.ts: the state, the command bus, the typed command tables) composed with the world's
 * models, each on its own:
 * - clock and delivery (world/clock.ts): happenings at a time, EventBridge's latencies, the state queue;
 * - Auto Scaling groups (world/auto-scaling.ts): launches, scale-in, lifecycle hooks, spot reclaims;
 * - the ECS service scheduler and placement (world/scheduler.ts), on the one service model the
 *   service APIs answer from (ecs-services.ts);
 * - ECS's events (world/ecs-events.ts): task and instance changes, placement failures;
 * - third-party RunTask callers (world/callers.ts).
 * The controller talks to it through the same SDK commands as to AWS (`client(service)`).
 */
import type { Snapshot } from '../core/model.js';
import { serviceOf, type EcsService } from './ecs-services.js';
import type { Scenario } from './scenario.js';
import { scenarioServices } from './scenario-services.js';
import { SimulatedAws, type SimulatedClient } from './simulated-aws.js';
import type { Service, SimInstance, SimTask } from './state.js';
import { AutoScalingGroups } from './world/auto-scaling.js';
import type { LaunchFailures, Market, ShortageError } from './world/launch-failures.js';
import { stopTimedOutProvisioning } from './world/provisioning-timeout.js';
import { ThirdPartyCallers, type RunShape } from './world/callers.js';
import { EventDelivery, Sequence, Timeline, type OutboxEvent } from './world/clock.js';
import { noCounts, type WorldCounters } from './world/counters.js';
import { EcsEvents } from './world/ecs-events.js';
import { ServiceScheduler } from './world/scheduler.js';

export { BURST_TASKS, burstSteps, inferServices, scenarioServices } from './scenario-services.js';
export type { OutboxEvent, RunShape, WorldCounters };

export interface WorldOptions {
  /** ASG terminate lifecycle hooks (ecs-pilot's deployment). */
  hooks: boolean;
  /**
   * Managed scaling on the capacity providers: tasks wait in PROVISIONING; off: they fail. Unset: tasks
   * wait in PROVISIONING but the providers are described with managed scaling off (a world with no ECS
   * scaling running, for tests of ecs-pilot alone).
   */
  managedScaling?: boolean;
  /** The ECS agent's spot draining (ECS_ENABLE_SPOT_INSTANCE_DRAINING). */
  spotDraining?: boolean;
}

export class SimulatedCluster {
  /** The simulated account the controller talks to. */
  public readonly aws: SimulatedAws;
  public readonly counters: WorldCounters = noCounts();
  public readonly startMs: number;
  public readonly options: WorldOptions & { managedScaling: boolean };
  private readonly timeline = new Timeline();
  private readonly delivery: EventDelivery;
  private readonly asgs: AutoScalingGroups;
  private readonly scheduler: ServiceScheduler;
  private readonly callers: ThirdPartyCallers;
  private readonly settings: Scenario['settings'];

  public constructor(snapshot: Snapshot, scenario: Scenario, options: WorldOptions) {
    const managedScaling = options.managedScaling ?? true;
    this.options = { ...options, managedScaling };
    const settings = scenario.settings;
    this.settings = settings;
    this.aws = new SimulatedAws(snapshot, {
      hooks: Object.fromEntries(snapshot.groups.map((g) => [g.name, options.hooks ? 'ecs-pilot-drain' : undefined])),
      services: (state) => scenarioServices(scenario, snapshot).map((s) => serviceOf(s, state.now)),
      tasksWaitForCapacity: managedScaling,
      managedScaling:
        options.managedScaling === true
          ? { targetCapacity: settings.targetCapacityPercent, minimumScalingStepSize: settings.minimumScalingStepSize, maximumScalingStepSize: settings.maximumScalingStepSize, instanceWarmupPeriod: settings.instanceWarmupSeconds }
          : false,
    });
    const { state, bus, services, placement } = this.aws;
    this.startMs = state.now;
    const ids = new Sequence();
    this.delivery = new EventDelivery(state, settings, ids);
    const events = new EcsEvents(state, this.delivery, managedScaling);
    this.asgs = new AutoScalingGroups({ state, bus, delivery: this.delivery, timeline: this.timeline, ids, counters: this.counters, settings, spotDraining: options.spotDraining === true });
    this.scheduler = new ServiceScheduler({ state, services, placement, events, ids, counters: this.counters, settings, managedScaling });
    this.callers = new ThirdPartyCallers({ state, scheduler: this.scheduler, delivery: this.delivery, settings, managedScaling });
  }

  // ---------- the account, as the controller and tests see it ----------

  public get account(): string {
    return this.aws.account;
  }

  public get region(): string {
    return this.aws.region;
  }

  public get cluster(): string {
    return this.aws.cluster;
  }

  public get now(): number {
    return this.aws.now;
  }

  public client(service: Service): SimulatedClient {
    return this.aws.client(service);
  }

  /** Every command the controller sent, in order. */
  public get log(): SimulatedAws['log'] {
    return this.aws.log;
  }

  /** Answers one command by its SDK name, as `client(service).send` does. */
  public handle(service: Service, command: string, input: Record<string, unknown>): unknown {
    return this.aws.handle(service, command, input);
  }

  /** The next `times` calls of `command` throw `error` (world.aws.bus takes any other interceptor). */
  public failNext(command: string, error: Error, times = 1): void {
    this.aws.failNext(command, error, times);
  }

  // ---------- what the scenario does ----------

  public at(ms: number, run: () => void): void {
    this.timeline.at(ms, run);
  }

  public setServiceDesired(name: string, count: number): void {
    if (!this.aws.services.get(name)) throw new Error(`scenario names unknown service ${name}`);
    this.aws.services.setDesired(name, count);
  }

  /** A third-party caller's RunTask for `count` tasks (world/callers.ts). */
  public runTasks(shape: RunShape, count: number, askedAt: number = this.now): void {
    this.callers.runTasks(shape, count, askedAt);
  }

  /** Warns `fraction` of the group's running instances, spread over `overSeconds`; each is reclaimed 2 minutes later. */
  public spotWave(group: string, fraction: number, overSeconds: number): void {
    this.asgs.spotWave(group, fraction, overSeconds);
  }

  /** From now, for `forSeconds`, the group's pools (all, or these types and AZs) cannot launch (world/launch-failures.ts). */
  public capacityShortage(s: { group: string; forSeconds: number; error: ShortageError; types?: string[] | undefined; azs?: string[] | undefined }): void {
    if (!this.aws.state.groupNamed(s.group)) throw new Error(`scenario names unknown group ${s.group}`);
    this.asgs.failures.addShortage({ group: s.group, from: this.now, until: this.now + s.forSeconds * 1000, error: s.error, types: s.types, azs: s.azs });
  }

  /** The group's next `count` launches go InService and never register with ECS. */
  public neverRegister(group: string, count: number): void {
    if (!this.aws.state.groupNamed(group)) throw new Error(`scenario names unknown group ${group}`);
    this.asgs.failures.neverRegister(group, count);
  }

  /** Failed launches, activities, desired writes and never-registering instances, for the run's metrics. */
  public get launches(): { failures: LaunchFailures; market: ReadonlyMap<string, Market> } {
    return { failures: this.asgs.failures, market: this.asgs.market };
  }

  // ---------- the clock ----------

  /** Moves the world to `ms`: due happenings, then the ASGs, the callers' retries, the ECS scheduler, task starts and ends. */
  public advance(ms: number): void {
    this.aws.now = ms;
    this.timeline.runDue(ms);
    this.asgs.step();
    this.callers.retry();
    this.scheduler.keepDesired();
    this.scheduler.place();
    if (!this.options.managedScaling) this.scheduler.failUnplaced();
    else stopTimedOutProvisioning(this.aws.state, this.settings.provisioningTimeoutSeconds);
    this.scheduler.progress();
  }

  public get outbox(): OutboxEvent[] {
    return this.delivery.outbox;
  }

  public get stateOutbox(): OutboxEvent[] {
    return this.delivery.stateOutbox;
  }

  /** Events due for delivery by `ms`, removed from the outbox. */
  public deliverable(ms: number): Array<Record<string, unknown>> {
    return this.delivery.deliverable(ms);
  }

  /** Task and container-instance events due at the state store by `ms`, removed from its outbox. */
  public stateDeliverable(ms: number): Array<Record<string, unknown>> {
    return this.delivery.stateDeliverable(ms);
  }

  // ---------- reading the world, for metrics and ECS managed scaling ----------

  /** Tasks wanted and not running now: services below their desired count, standalone tasks not yet running. */
  public missingTasks(): number {
    let n = this.callers.waiting();
    const running = new Map<string, number>();
    for (const t of this.aws.state.tasks.values()) {
      if (t.lastStatus === 'RUNNING' && t.group) running.set(t.group, (running.get(t.group) ?? 0) + 1);
      else if (t.durationMs !== undefined && t.lastStatus !== 'STOPPED' && t.lastStatus !== 'RUNNING') n += 1;
    }
    for (const s of this.serviceStates()) n += Math.max(0, this.aws.services.desired(s.name) - (running.get(`service:${s.name}`) ?? 0));
    return n;
  }

  /**
   * The demand as asked for now, in CPU units: every replica service's desired count, the standalone
   * tasks created and not stopped, and those whose RunTask a caller is still retrying. Unlike the tasks
   * ECS has created, it does not wait for room (managed scaling off creates a task only once placed).
   */
  public askedCpu(): number {
    let cpu = this.callers.waitingCpu();
    for (const t of this.aws.state.tasks.values()) if (!t.daemon && !t.group?.startsWith('service:') && t.desiredStatus === 'RUNNING') cpu += t.cpu;
    for (const s of this.serviceStates()) if (!s.daemon) cpu += this.aws.services.desired(s.name) * s.cpu;
    return cpu;
  }

  /** Tasks wanted that ECS has not even created (managed scaling off: their placement failed). */
  public neverCreated(): number {
    const live = new Map<string, number>();
    for (const t of this.aws.state.tasks.values()) if (t.desiredStatus === 'RUNNING' && t.group) live.set(t.group, (live.get(t.group) ?? 0) + 1);
    return this.callers.waiting() + this.serviceStates().reduce((a, s) => a + Math.max(0, this.aws.services.desired(s.name) - (live.get(`service:${s.name}`) ?? 0)), 0);
  }

  public allInstances(): SimInstance[] {
    return [...this.aws.state.instances.values()];
  }

  public allTasks(): SimTask[] {
    return [...this.aws.state.tasks.values()];
  }

  public groupOf(asg: string) {
    return this.aws.state.groups.get(asg);
  }

  public serviceStates(): EcsService[] {
    return this.aws.services.all();
  }

  public members(groupName: string): SimInstance[] {
    return this.aws.state.members(groupName);
  }

  public setProtection(i: SimInstance, value: boolean): void {
    i.protected = value;
  }

  /** Desired capacity set by a controller other than through the SDK (ECS managed scaling). */
  public setDesired(asg: string, desired: number): void {
    this.asgs.setDesired(asg, desired);
  }
}
