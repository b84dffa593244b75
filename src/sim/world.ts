/**
 * A simulated cluster that moves in time (docs/simulation.md): Auto Scaling groups launch and
 * terminate instances, the ECS scheduler keeps services at their desired count and places tasks,
 * spot instances are reclaimed two minutes after their warning, and the EventBridge events a real
 * account would send go to an outbox for the controller under test. The controller talks to it
 * through the same SDK commands as to AWS (it is a `SimulatedAws`).
 */
import { weightOf, type Snapshot, type Task } from '../core/model.js';
import type { Scenario, ServiceSpec } from './scenario.js';
import type * as ECS from '@aws-sdk/client-ecs';
import { SimulatedAws, SimulatedServiceError, take, type Answer, type SimInstance, type SimTask } from './simulated-aws.js';

export interface OutboxEvent {
  deliverAt: number;
  event: Record<string, unknown>;
}

const STATE_DETAIL_TYPES = new Set(['ECS Task State Change', 'ECS Container Instance State Change']);

interface ServiceState extends ServiceSpec {
  /** Tasks asked for by the scenario (not replacements), for the latency figures. */
  created: number;
  /** Since when each missing task has been missing (oldest first): a task created later takes the oldest. */
  missingSince: number[];
  /** Managed scaling off: the scheduler's next placement attempt and its back-off (docs/simulation.md). */
  nextTryAt: number;
  backoffMs: number;
}

/** Standalone tasks a third-party caller still wants run (its RunTask failed; it retries). */
interface WantedRun {
  shape: RunShape;
  askedAt: number;
  retryAt: number;
}

export interface RunShape {
  cpu: number;
  memoryMiB: number;
  gpus: number;
  awsvpc: boolean;
  hostPorts: number[];
  capacityProvider?: string | undefined;
  family: string;
  durationSeconds: number;
  distinctInstance?: boolean;
}

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

export interface WorldCounters {
  scalingActions: number;
  interruptedTasks: number;
  /** Standalone tasks stopped before they finished (instance gone). */
  killedStandalone: number;
  completedStandalone: number;
  /** Non-daemon tasks still running when a scale-in terminated their instance (must stay 0). */
  killedByScaleIn: number;
}

const SPOT_NOTICE_MS = 120_000;
const HOOK_TIMEOUT_MS = 600_000;

export class SimulatedCluster extends SimulatedAws {
  public readonly outbox: OutboxEvent[] = [];
  /**
   * The task and container-instance events on their way to the state store (the state function, through
   * its queue): the same events as in `outbox`, later (docs/simulation.md), some dropped or sent twice
   * when the scenario asks (`stateEventDropRate`, `stateEventDuplicateRate`).
   */
  public readonly stateOutbox: OutboxEvent[] = [];
  /** Seeded, so a run with drops or duplicates is repeatable. */
  private rng = 0x9e3779b9;
  public readonly counters: WorldCounters = { scalingActions: 0, interruptedTasks: 0, killedStandalone: 0, completedStandalone: 0, killedByScaleIn: 0 };
  public readonly startMs: number;
  private readonly settings: Scenario['settings'];
  private readonly services = new Map<string, ServiceState>();
  private readonly pendingSince = new Map<string, number>();
  private readonly launchDoneAt = new Map<string, number>();
  private readonly hookDeadline = new Map<string, number>();
  private readonly scheduled: Array<{ at: number; run: () => void }> = [];
  private seq = 0;
  private readonly azs: string[];

  private readonly wantedRuns: WantedRun[] = [];
  private readonly describedManaged: boolean | undefined;
  public readonly options: WorldOptions & { managedScaling: boolean };

  public constructor(snapshot: Snapshot, scenario: Scenario, options: WorldOptions) {
    super(snapshot, { hooks: Object.fromEntries(snapshot.groups.map((g) => [g.name, options.hooks ? 'ecs-pilot-drain' : undefined])) });
    this.options = { ...options, managedScaling: options.managedScaling ?? true };
    this.describedManaged = options.managedScaling;
    this.managedScalingOn = this.options.managedScaling;
    this.settings = scenario.settings;
    this.startMs = this.now;
    this.azs = [...new Set(snapshot.instances.map((i) => i.az))].sort();
    if (this.azs.length === 0) this.azs.push('us-east-1a', 'us-east-1b', 'us-east-1c');
    for (const s of scenarioServices(scenario, snapshot)) this.services.set(s.name, { ...s, created: 0, missingSince: [], nextTryAt: this.now, backoffMs: 0 });
  }

  // ---------- what the scenario does ----------

  public at(ms: number, run: () => void): void {
    this.scheduled.push({ at: ms, run });
    this.scheduled.sort((a, b) => a.at - b.at);
  }

  public setServiceDesired(name: string, count: number): void {
    const s = this.services.get(name);
    if (!s) throw new Error(`scenario names unknown service ${name}`);
    s.desired = count;
  }

  /**
   * A third-party caller's RunTask for `count` tasks. With managed scaling on, what finds no room
   * waits in PROVISIONING; off, it fails (RESOURCE:*, seen through CloudTrail) and the caller
   * retries after `runTaskRetrySeconds`.
   */
  public runTasks(shape: RunShape, count: number, askedAt: number = this.now): void {
    const created: SimTask[] = [];
    for (let i = 0; i < count; i++) {
      const t = this.newTask({ cpu: shape.cpu, memoryMiB: shape.memoryMiB, gpus: shape.gpus, awsvpc: shape.awsvpc, hostPorts: shape.hostPorts, group: `family:${shape.family}`, startedBy: 'scenario', ...(shape.capacityProvider ? { capacityProvider: shape.capacityProvider } : {}), ...(shape.distinctInstance ? { constraints: [{ type: 'distinctInstance' as const }] } : {}) }, askedAt);
      t.durationMs = shape.durationSeconds * 1000;
      created.push(t);
    }
    if (this.options.managedScaling) return;
    this.placement();
    const failed = created.filter((t) => t.lastStatus === 'PROVISIONING');
    for (const t of failed) this.tasks.delete(t.arn);
    // The caller asks ≤ 10 tasks per RunTask call; each call with failures is one CloudTrail record.
    for (let k = 0; k < failed.length; k += 10) this.emitRunTaskFailure(shape, failed.slice(k, k + 10).length);
    for (const _ of failed) this.wantedRuns.push({ shape, askedAt, retryAt: this.now + this.settings.runTaskRetrySeconds * 1000 });
  }

  /** Tasks wanted and not running now: services below their desired count, standalone tasks not yet running. */
  public missingTasks(): number {
    let n = this.wantedRuns.length;
    const running = new Map<string, number>();
    for (const t of this.tasks.values()) {
      if (t.lastStatus === 'RUNNING' && t.group) running.set(t.group, (running.get(t.group) ?? 0) + 1);
      else if (t.durationMs !== undefined && t.lastStatus !== 'STOPPED' && t.lastStatus !== 'RUNNING') n += 1;
    }
    for (const s of this.services.values()) n += Math.max(0, s.desired - (running.get(`service:${s.name}`) ?? 0));
    return n;
  }

  /** Tasks wanted that ECS has not even created (managed scaling off: their placement failed). */
  public neverCreated(): number {
    const live = new Map<string, number>();
    for (const t of this.tasks.values()) if (t.desiredStatus === 'RUNNING' && t.group) live.set(t.group, (live.get(t.group) ?? 0) + 1);
    return this.wantedRuns.length + [...this.services.values()].reduce((a, s) => a + Math.max(0, s.desired - (live.get(`service:${s.name}`) ?? 0)), 0);
  }

  /** Warns `fraction` of the group's running instances, spread over `overSeconds`; each is reclaimed 2 minutes later. */
  public spotWave(group: string, fraction: number, overSeconds: number): void {
    const victims = this.members(group).filter((i) => i.status === 'ACTIVE' && i.lifecycleState === 'InService');
    const n = Math.ceil(victims.length * fraction);
    victims.slice(0, n).forEach((v, k) => {
      const warnAt = this.now + (n > 1 ? Math.round((overSeconds * 1000 * k) / (n - 1)) : 0);
      this.at(warnAt, () => {
        if (v.lifecycleState === 'Terminated') return;
        this.emit('aws.ec2', 'EC2 Spot Instance Interruption Warning', { 'instance-id': v.ec2InstanceId, 'instance-action': 'terminate' }, [`arn:aws:ec2:${this.region}:${this.account}:instance/${v.ec2InstanceId}`]);
        // The agent's spot draining: ECS sets the instance DRAINING on the notice (ECS Developer Guide).
        if (this.options.spotDraining && v.status === 'ACTIVE') {
          v.status = 'DRAINING';
          this.instanceChanged(v);
        }
        this.at(this.now + SPOT_NOTICE_MS, () => this.terminate(v, 'spot'));
      });
    });
  }

  // ---------- the clock ----------

  /** Moves the world to `ms`: due happenings, then the ASGs, the ECS scheduler, task starts and ends. */
  public advance(ms: number): void {
    this.now = ms;
    while (this.scheduled.length > 0 && (this.scheduled[0]?.at ?? Infinity) <= ms) this.scheduled.shift()?.run();
    this.autoScaling();
    this.retryRuns();
    this.serviceScheduler();
    this.placement();
    if (!this.options.managedScaling) this.failUnplaced();
    this.taskProgress();
  }

  /** Events due for delivery by `ms`, removed from the outbox. */
  public deliverable(ms: number): Array<Record<string, unknown>> {
    return takeDue(this.outbox, ms);
  }

  /** Task and container-instance events due at the state store by `ms`, removed from its outbox. */
  public stateDeliverable(ms: number): Array<Record<string, unknown>> {
    return takeDue(this.stateOutbox, ms);
  }

  // ---------- reading the world, for metrics and ecs-managed ----------

  public allInstances(): SimInstance[] {
    return [...this.instances.values()];
  }

  public allTasks(): SimTask[] {
    return [...this.tasks.values()];
  }

  public groupOf(asg: string) {
    return this.groups.get(asg);
  }

  public serviceStates(): ServiceState[] {
    return [...this.services.values()];
  }

  public members(groupName: string): SimInstance[] {
    return [...this.instances.values()].filter((i) => i.group === groupName && i.lifecycleState !== 'Terminated');
  }

  public setProtection(i: SimInstance, value: boolean): void {
    i.protected = value;
  }

  /** Desired capacity set by a controller other than through the SDK (ecs-managed). */
  public setDesired(asg: string, desired: number): void {
    const g = this.groups.get(asg);
    if (!g) return;
    const clamped = Math.min(g.max, Math.max(g.min, desired));
    if (clamped !== g.desired) {
      g.desired = clamped;
      this.counters.scalingActions += 1;
    }
  }

  // ---------- the scenario's services, as ECS answers for them ----------

  public override serviceDesired(name: string): number {
    return this.services.get(name)?.desired ?? super.serviceDesired(name);
  }

  private serviceArn(name: string): string {
    return `arn:aws:ecs:${this.region}:${this.account}:service/${this.cluster}/${name}`;
  }

  protected override ecs_ListServices(input: ECS.ListServicesCommandInput): Answer<ECS.ListServicesCommandOutput> {
    const arns = [...this.services.keys()].map((n) => this.serviceArn(n));
    const start = input.nextToken ? Number(input.nextToken) : 0;
    const size = Math.min((input.maxResults as number | undefined) ?? 10, 100);
    return { serviceArns: arns.slice(start, start + size), nextToken: start + size < arns.length ? String(start + size) : undefined };
  }

  protected override ecs_DescribeServices(input: ECS.DescribeServicesCommandInput): Answer<ECS.DescribeServicesCommandOutput> {
    const names = (input.services as string[]) ?? [];
    if (names.length > 10) throw new SimulatedServiceError('InvalidParameterException', 'services can have at most 10 items');
    const services = [];
    const failures = [];
    for (const ref of names) {
      const name = ref.split('/').pop() ?? ref;
      const s = this.services.get(name);
      if (!s) {
        failures.push({ arn: ref, reason: 'MISSING' });
        continue;
      }
      const members = [...this.tasks.values()].filter((t) => t.group === `service:${name}` && t.desiredStatus === 'RUNNING');
      services.push({
        serviceArn: this.serviceArn(name),
        serviceName: name,
        status: 'ACTIVE',
        schedulingStrategy: 'REPLICA' as const,
        desiredCount: s.desired,
        runningCount: members.filter((t) => t.lastStatus === 'RUNNING').length,
        // ECS counts PENDING tasks here; PROVISIONING ones are the snapshot's waiting tasks.
        pendingCount: members.filter((t) => t.lastStatus === 'PENDING').length,
        taskDefinition: `arn:aws:ecs:${this.region}:${this.account}:task-definition/${name}:1`,
        capacityProviderStrategy: s.capacityProvider ? [{ capacityProvider: s.capacityProvider, weight: 1, base: 0 }] : [],
        placementConstraints: s.distinctInstance ? [{ type: 'distinctInstance' as const }] : [],
        placementStrategy: s.placementStrategy === 'spread' ? [{ type: 'spread' as const, field: 'attribute:ecs.availability-zone' }, { type: 'binpack' as const, field: 'memory' }] : [{ type: 'binpack' as const, field: 'memory' }],
        deploymentConfiguration: { minimumHealthyPercent: s.minimumHealthyPercent, maximumPercent: s.maximumPercent },
      });
    }
    return { services, failures };
  }

  protected override ecs_DescribeTaskDefinition(input: ECS.DescribeTaskDefinitionCommandInput): Answer<ECS.DescribeTaskDefinitionCommandOutput> {
    const ref = String(input.taskDefinition);
    const family = (ref.split('/').pop() ?? ref).split(':')[0] ?? '';
    const s = this.services.get(family);
    if (!s) return super.ecs_DescribeTaskDefinition(input);
    return {
      taskDefinition: {
        taskDefinitionArn: `arn:aws:ecs:${this.region}:${this.account}:task-definition/${family}:1`,
        family,
        networkMode: s.awsvpc ? 'awsvpc' : 'bridge',
        cpu: String(s.cpu),
        memory: String(s.memoryMiB),
        placementConstraints: [],
        containerDefinitions: [
          { name: 'main', essential: true, portMappings: s.hostPorts.map((p) => ({ containerPort: p, hostPort: p, protocol: 'tcp' })), resourceRequirements: s.gpus > 0 ? [{ type: 'GPU', value: String(s.gpus) }] : [] },
        ],
      },
    };
  }

  protected override ecs_UpdateService(input: ECS.UpdateServiceCommandInput): Answer<ECS.UpdateServiceCommandOutput> {
    const name = String(input.service).split('/').pop() ?? '';
    const s = this.services.get(name);
    if (!s) return super.ecs_UpdateService(input);
    if (typeof input.desiredCount === 'number') s.desired = input.desiredCount;
    return { service: { serviceName: name, desiredCount: s.desired } };
  }

  /** The providers as ECS describes them: managed scaling (with the scenario's settings) on or off. */
  protected override ecs_DescribeCapacityProviders(input: ECS.DescribeCapacityProvidersCommandInput): Answer<ECS.DescribeCapacityProvidersCommandOutput> {
    const out = super.ecs_DescribeCapacityProviders(input);
    const st = this.settings;
    const on = this.describedManaged === true;
    const managedScaling = on
      ? { status: 'ENABLED' as const, targetCapacity: st.targetCapacityPercent, minimumScalingStepSize: st.minimumScalingStepSize, maximumScalingStepSize: st.maximumScalingStepSize, instanceWarmupPeriod: st.instanceWarmupSeconds }
      : { status: 'DISABLED' as const };
    return {
      capacityProviders: (out.capacityProviders ?? []).map((p) => ({
        ...p,
        autoScalingGroupProvider: { ...p.autoScalingGroupProvider, autoScalingGroupArn: p.autoScalingGroupProvider?.autoScalingGroupArn ?? '', managedScaling, managedTerminationProtection: on ? ('ENABLED' as const) : ('DISABLED' as const) },
      })),
    };
  }

  // ---------- reactions to the controller's writes ----------

  protected override afterCommand(_service: string, command: string, input: Record<string, unknown>): void {
    if (command === 'SetDesiredCapacity' || command === 'TerminateInstanceInAutoScalingGroup') this.counters.scalingActions += 1;
    if (command === 'TerminateInstanceInAutoScalingGroup') {
      const i = this.instance(String(input.InstanceId)) as SimInstance | undefined;
      if (i) this.enteredTerminating(i);
    }
    if (command === 'CompleteLifecycleAction') {
      const i = this.instance(String(input.InstanceId)) as SimInstance | undefined;
      if (i) this.terminate(i, 'scale-in');
    }
    if (command === 'RecordLifecycleActionHeartbeat') {
      const i = this.instance(String(input.InstanceId)) as SimInstance | undefined;
      if (i) this.hookDeadline.set(i.arn, this.now + HOOK_TIMEOUT_MS);
    }
  }

  // ---------- Auto Scaling ----------

  private autoScaling(): void {
    for (const g of this.groups.values()) {
      const snap = this.snapshot.groups.find((x) => x.asg === g.asg);
      if (!snap) continue;
      for (const i of this.members(g.name)) {
        const done = this.launchDoneAt.get(i.arn);
        if (i.lifecycleState === 'Pending' && done !== undefined && done <= this.now) {
          // The agent registers the instance: ECS's first event for it.
          i.lifecycleState = 'InService';
          i.status = 'ACTIVE';
          this.instanceChanged(i);
        }
        const deadline = this.hookDeadline.get(i.arn);
        if (i.lifecycleState === 'Terminating:Wait' && deadline !== undefined && deadline <= this.now) this.terminate(i, 'scale-in');
      }
      const live = this.members(g.name).filter((i) => !i.lifecycleState.startsWith('Terminating'));
      let capacity = live.reduce((a, i) => a + weightOf(snap, i.type), 0);
      // Launch what desired asks for: the type with the lowest price per unit (lowest-price allocation).
      const cheapest = [...snap.instanceTypes].sort((a, b) => this.unitPrice(snap, a) - this.unitPrice(snap, b))[0];
      while (cheapest && capacity < g.desired) {
        this.launch(g.name, cheapest.type);
        capacity += cheapest.weight;
      }
      // Scale in to desired: unprotected instances, launching ones first, then the emptiest, newest.
      if (capacity > g.desired) {
        const candidates = live
          .filter((i) => !i.protected)
          .sort((a, b) => Number(b.lifecycleState === 'Pending') - Number(a.lifecycleState === 'Pending') || this.liveTasks(a).length - this.liveTasks(b).length || b.launchedAt - a.launchedAt);
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

  private unitPrice(_group: Snapshot['groups'][number], t: { type: string; weight: number; pricePerHour?: number | undefined }): number {
    return (t.pricePerHour ?? this.snapshot.instanceTypes[t.type]?.pricePerHour ?? 1) / t.weight;
  }

  private launch(group: string, type: string): void {
    const n = ++this.seq;
    const arn = `arn:aws:ecs:${this.region}:${this.account}:container-instance/${this.cluster}/sim${n.toString(16).padStart(29, '0')}`;
    const spec = this.snapshot.instanceTypes[type];
    const inst: SimInstance = {
      arn,
      ec2InstanceId: `i-5${n.toString(16).padStart(16, '0')}`,
      group,
      type,
      az: this.azs[n % this.azs.length] ?? 'us-east-1a',
      status: 'LAUNCHING',
      version: 1,
      protected: false,
      lifecycleState: 'Pending',
      reservedPorts: [22, 2375, 2376, 51678, 51679],
      registered: { cpu: spec?.cpu ?? 0, memoryMiB: spec?.memoryMiB ?? 0, gpus: spec?.gpus ?? 0, enis: spec?.enis ?? 0 },
      attributes: new Map(),
      launchedAt: this.now,
    };
    this.instances.set(arn, inst);
    this.launchDoneAt.set(arn, this.now + this.settings.instanceLaunchSeconds * 1000);
  }

  private enteredTerminating(i: SimInstance): void {
    if (i.lifecycleState !== 'Terminating:Wait') return;
    this.hookDeadline.set(i.arn, this.now + HOOK_TIMEOUT_MS);
    const g = [...this.groups.values()].find((x) => x.name === i.group);
    this.emit(
      'aws.autoscaling',
      'EC2 Instance-terminate Lifecycle Action',
      { LifecycleActionToken: `token-${i.ec2InstanceId}`, AutoScalingGroupName: g?.asg, LifecycleHookName: g?.hook, EC2InstanceId: i.ec2InstanceId, LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING' },
      [],
    );
  }

  private terminate(i: SimInstance, why: 'spot' | 'scale-in'): void {
    // CompleteLifecycleAction already marked it Terminated in the base simulator; time and tasks are ours.
    if (i.terminatedAt !== undefined) return;
    i.lifecycleState = 'Terminated';
    i.terminatedAt = this.now;
    for (const t of this.liveTasks(i)) {
      if (t.lastStatus === 'RUNNING' && !t.daemon) {
        if (why === 'spot') this.counters.interruptedTasks += 1;
        else this.counters.killedByScaleIn += 1;
      }
      if (t.durationMs !== undefined) this.counters.killedStandalone += 1;
      this.stop(t, why === 'spot' ? 'Spot instance reclaimed' : 'Instance terminated', 'TerminationNotice');
    }
    // Deregistered: one event for the instance (its tasks' stops above send one each, not one of the instance).
    i.status = 'INACTIVE';
    this.instanceChanged(i);
  }

  // ---------- ECS ----------

  private liveTasks(i: SimInstance): SimTask[] {
    return [...this.tasks.values()].filter((t) => t.containerInstanceArn === i.arn && t.lastStatus !== 'STOPPED');
  }

  /**
   * A task ECS creates. With managed scaling on it waits in PROVISIONING (and ECS says so in an
   * event); off, it exists only if placement finds room in this same tick (`failUnplaced`).
   */
  private newTask(t: Omit<Task, 'id' | 'constraints' | 'daemon'> & { constraints?: Task['constraints'] }, askedAt: number = this.now): SimTask {
    const n = ++this.seq;
    const task = this.addTask(
      { id: `arn:aws:ecs:${this.region}:${this.account}:task/${this.cluster}/sim${n.toString(16).padStart(29, '0')}`, constraints: t.constraints ?? [], daemon: false, ...t, cpu: t.cpu, memoryMiB: t.memoryMiB, gpus: t.gpus, awsvpc: t.awsvpc, hostPorts: t.hostPorts },
      undefined,
      'PROVISIONING',
    );
    task.submittedAt = askedAt;
    this.taskChanged(task, undefined);
    return task;
  }

  /** Managed scaling off: service tasks that found no room were never created; the scheduler backs off. */
  private failUnplaced(): void {
    const failedBy = new Map<string, SimTask[]>();
    for (const t of [...this.tasks.values()]) {
      if (t.lastStatus !== 'PROVISIONING' || !t.group?.startsWith('service:')) continue;
      this.tasks.delete(t.arn);
      const list = failedBy.get(t.group) ?? [];
      list.push(t);
      failedBy.set(t.group, list);
    }
    for (const s of this.services.values()) {
      const failed = failedBy.get(`service:${s.name}`);
      if (!failed) {
        if (s.nextTryAt <= this.now) s.backoffMs = 0;
        continue;
      }
      s.created -= failed.filter((t) => !t.replacement).length;
      s.missingSince = [...failed.map((t) => t.submittedAt), ...s.missingSince].sort((a, b) => a - b);
      s.backoffMs = Math.min(this.settings.serviceRetryMaxSeconds * 1000, s.backoffMs === 0 ? this.settings.serviceRetryFirstSeconds * 1000 : s.backoffMs * 2);
      s.nextTryAt = this.now + s.backoffMs;
      this.placementFailure(s.name);
    }
  }

  /** A third-party caller retries its failed RunTask calls. */
  private retryRuns(): void {
    const due = this.wantedRuns.filter((r) => r.retryAt <= this.now);
    if (due.length === 0) return;
    this.wantedRuns.splice(0, this.wantedRuns.length, ...this.wantedRuns.filter((r) => r.retryAt > this.now));
    const byShape = new Map<RunShape, WantedRun[]>();
    for (const r of due) byShape.set(r.shape, [...(byShape.get(r.shape) ?? []), r]);
    for (const [shape, runs] of byShape) for (const r of runs) this.runTasks(shape, 1, r.askedAt);
  }

  /** Two changes, as ECS reports them: desired STOPPED (the task still running), then STOPPED. */
  private stop(t: SimTask, reason: string, stopCode: string): void {
    if (t.lastStatus === 'STOPPED') return;
    t.stoppedReason = reason;
    if (t.desiredStatus !== 'STOPPED') {
      t.desiredStatus = 'STOPPED';
      this.taskChanged(t, t.lastStatus);
    }
    const before = t.lastStatus;
    t.lastStatus = 'STOPPED';
    t.stoppedAt = this.now;
    this.taskChanged(t, before);
    // Its instance's event (the resources freed) is sent by taskEvent.
    void stopCode;
  }

  private serviceScheduler(): void {
    let provisioning = [...this.tasks.values()].filter((t) => t.lastStatus === 'PROVISIONING').length;
    for (const s of this.services.values()) {
      const group = `service:${s.name}`;
      const tasks = [...this.tasks.values()].filter((t) => t.group === group && t.desiredStatus === 'RUNNING');
      const onLeaving = (t: SimTask): boolean => {
        const i = t.containerInstanceArn ? this.instances.get(t.containerInstanceArn) : undefined;
        return i !== undefined && (i.status !== 'ACTIVE' || i.lifecycleState !== 'InService');
      };
      const healthy = tasks.filter((t) => !onLeaving(t));
      const leaving = tasks.filter(onLeaving);
      // Since when each missing task has been missing: its latency counts from then, across retries.
      const missing = Math.max(0, s.desired - healthy.length);
      while (s.missingSince.length < missing) s.missingSince.push(this.now);
      if (s.missingSince.length > missing) s.missingSince.length = missing;
      // Start replacements up to maximumPercent (and the 500-PROVISIONING-tasks quota); with managed
      // scaling off, only when the scheduler's back-off has passed.
      const cap = Math.max(s.desired, Math.floor((s.desired * s.maximumPercent) / 100));
      let start = this.options.managedScaling || s.nextTryAt <= this.now ? Math.min(s.desired - healthy.length, cap - tasks.length) : 0;
      // The first ones started stand in for tasks on leaving instances: replacements, not new work.
      let replacements = Math.min(start, leaving.length);
      while (start > 0 && provisioning < 500) {
        const created = this.newTask({ cpu: s.cpu, memoryMiB: s.memoryMiB, gpus: s.gpus, awsvpc: s.awsvpc, hostPorts: s.hostPorts, group, startedBy: `ecs-svc/${s.name}`, ...(s.capacityProvider ? { capacityProvider: s.capacityProvider } : {}), constraints: s.distinctInstance ? [{ type: 'distinctInstance' }] : [] }, s.missingSince.shift() ?? this.now);
        if (replacements > 0) {
          created.replacement = true;
          replacements -= 1;
        }
        s.created += 1;
        provisioning += 1;
        start -= 1;
      }
      // Stop tasks on leaving instances while minimumHealthyPercent stays met.
      const running = (list: SimTask[]): number => list.filter((t) => t.lastStatus === 'RUNNING').length;
      const minHealthy = Math.ceil((s.desired * s.minimumHealthyPercent) / 100);
      let stoppable = running(healthy) + running(leaving) - minHealthy;
      for (const t of leaving.sort((a, b) => Number(a.lastStatus === 'RUNNING') - Number(b.lastStatus === 'RUNNING'))) {
        if (t.lastStatus === 'RUNNING' && stoppable <= 0) continue;
        if (t.lastStatus === 'RUNNING') stoppable -= 1;
        this.stop(t, 'Container instance is draining', 'ServiceSchedulerInitiated');
      }
      // Scale in: waiting tasks first; then by the service's placement strategy, as ECS documents:
      // spread keeps AZs balanced (from the AZ with the most of the service's tasks, the instance with
      // the most of them); binpack stops the task on the instance with the most resources left.
      let extra = healthy.length - s.desired;
      const order = { PROVISIONING: 0, PENDING: 1 } as Record<string, number>;
      for (const t of healthy.filter((x) => x.lastStatus in order).sort((a, b) => (order[a.lastStatus] ?? 2) - (order[b.lastStatus] ?? 2) || b.submittedAt - a.submittedAt)) {
        if (extra <= 0) break;
        this.stop(t, 'Scaling activity initiated by deployment', 'ServiceSchedulerInitiated');
        extra -= 1;
      }
      const runningTasks = healthy.filter((x) => x.lastStatus === 'RUNNING');
      while (extra > 0 && runningTasks.length > 0) {
        if (s.placementStrategy === 'binpack') {
          const used = this.usageOf([...new Set(runningTasks.map((t) => this.instances.get(t.containerInstanceArn ?? '')).filter((i): i is SimInstance => i !== undefined))]);
          const freeMem = (t: SimTask): number => {
            const i = this.instances.get(t.containerInstanceArn ?? '');
            return (i?.registered.memoryMiB ?? 0) - (used.get(t.containerInstanceArn ?? '')?.mem ?? 0);
          };
          runningTasks.sort((a, b) => freeMem(b) - freeMem(a) || (a.containerInstanceArn ?? '').localeCompare(b.containerInstanceArn ?? '') || b.submittedAt - a.submittedAt);
          const victim = runningTasks.shift();
          if (!victim) break;
          this.stop(victim, 'Scaling activity initiated by deployment', 'ServiceSchedulerInitiated');
          extra -= 1;
          continue;
        }
        const perAz = new Map<string, number>();
        const perInstance = new Map<string, number>();
        for (const t of runningTasks) {
          const i = this.instances.get(t.containerInstanceArn ?? '');
          perAz.set(i?.az ?? '', (perAz.get(i?.az ?? '') ?? 0) + 1);
          perInstance.set(t.containerInstanceArn ?? '', (perInstance.get(t.containerInstanceArn ?? '') ?? 0) + 1);
        }
        runningTasks.sort((a, b) => {
          const ia = this.instances.get(a.containerInstanceArn ?? '');
          const ib = this.instances.get(b.containerInstanceArn ?? '');
          return (
            (perAz.get(ib?.az ?? '') ?? 0) - (perAz.get(ia?.az ?? '') ?? 0) ||
            (perInstance.get(b.containerInstanceArn ?? '') ?? 0) - (perInstance.get(a.containerInstanceArn ?? '') ?? 0) ||
            (ia?.arn ?? '').localeCompare(ib?.arn ?? '') ||
            b.submittedAt - a.submittedAt
          );
        });
        const victim = runningTasks.shift();
        if (!victim) break;
        this.stop(victim, 'Scaling activity initiated by deployment', 'ServiceSchedulerInitiated');
        extra -= 1;
      }
    }
  }

  /**
   * Places PROVISIONING tasks, oldest first: binpack on memory, or for `spread` services the AZ with
   * the fewest of the service's tasks first. A service task without a capacity provider that finds no
   * room makes ECS emit SERVICE_TASK_PLACEMENT_FAILURE (at most once a minute per service).
   */
  private placement(): void {
    const waiting = [...this.tasks.values()].filter((t) => t.lastStatus === 'PROVISIONING').sort((a, b) => a.submittedAt - b.submittedAt);
    if (waiting.length === 0) return;
    const active = [...this.instances.values()].filter((i) => i.status === 'ACTIVE' && i.lifecycleState === 'InService');
    const usage = this.usageOf(active);
    const perAz = new Map<string, number>();
    const azCount = (group: string | undefined, az: string): number => perAz.get(`${group}|${az}`) ?? 0;
    for (const t of this.tasks.values()) {
      const i = t.containerInstanceArn ? this.instances.get(t.containerInstanceArn) : undefined;
      if (i && t.lastStatus !== 'STOPPED') perAz.set(`${t.group}|${i.az}`, azCount(t.group, i.az) + 1);
    }
    for (const t of waiting) {
      const service = t.group?.startsWith('service:') ? this.services.get(t.group.slice('service:'.length)) : undefined;
      const spread = service?.placementStrategy === 'spread';
      let best: { i: SimInstance; freeMem: number; az: number } | undefined;
      for (const i of active) {
        if (t.capacityProvider && i.group !== t.capacityProvider) continue;
        const u = usage.get(i.arn);
        const freeMem = u ? this.fitsOn(t, i, u) : undefined;
        if (freeMem === undefined) continue;
        const az = spread ? azCount(t.group, i.az) : 0;
        if (!best || az < best.az || (az === best.az && (freeMem < best.freeMem || (freeMem === best.freeMem && i.arn < best.i.arn)))) best = { i, freeMem, az };
      }
      if (!best) {
        if (service && !service.capacityProvider && this.options.managedScaling) this.placementFailure(service.name);
        continue;
      }
      perAz.set(`${t.group}|${best.i.az}`, azCount(t.group, best.i.az) + 1);
      const u = usage.get(best.i.arn);
      if (u) take(u, t);
      t.containerInstanceArn = best.i.arn;
      t.lastStatus = 'PENDING';
      this.pendingSince.set(t.arn, this.now);
      this.taskChanged(t, 'PROVISIONING');
    }
  }

  private readonly lastFailure = new Map<string, number>();

  private placementFailure(service: string): void {
    if ((this.lastFailure.get(service) ?? -Infinity) > this.now - 60_000) return;
    this.lastFailure.set(service, this.now);
    this.emit(
      'aws.ecs',
      'ECS Service Action',
      { eventType: 'ERROR', eventName: 'SERVICE_TASK_PLACEMENT_FAILURE', clusterArn: this.clusterArn(), reason: 'RESOURCE:MEMORY', createdAt: new Date(this.now).toISOString() },
      [`arn:aws:ecs:${this.region}:${this.account}:service/${this.cluster}/${service}`],
    );
  }

  private taskProgress(): void {
    for (const t of this.tasks.values()) {
      if (t.lastStatus === 'PENDING' && (this.pendingSince.get(t.arn) ?? Infinity) + this.settings.taskStartSeconds * 1000 <= this.now) {
        t.lastStatus = 'RUNNING';
        t.runningAt = this.now;
        this.taskChanged(t, 'PENDING');
      }
      if (t.lastStatus === 'RUNNING' && t.durationMs !== undefined && (t.runningAt ?? this.now) + t.durationMs <= this.now) {
        this.stop(t, 'Essential container in task exited', 'EssentialContainerExited');
        this.counters.completedStandalone += 1;
      }
    }
  }

  // ---------- events ----------

  private emit(source: string, detailType: string, detail: Record<string, unknown>, resources: string[]): void {
    const id = `sim-${(++this.seq).toString(16).padStart(8, '0')}`;
    const event = { version: '0', id, 'detail-type': detailType, source, account: this.account, time: new Date(this.now).toISOString(), region: this.region, resources, detail };
    this.outbox.push({ deliverAt: this.now + this.latencyOf(source, detailType, detail) * 1000, event });
    if (source !== 'aws.ecs' || !STATE_DETAIL_TYPES.has(detailType)) return;
    const st = this.settings;
    if (st.stateEventDropRate > 0 && this.random() < st.stateEventDropRate) return;
    const storeAt = this.now + (st.controllerLatencySeconds ?? st.eventBridgeSeconds + st.stateBatchWindowSeconds + st.lambdaStartSeconds) * 1000;
    this.stateOutbox.push({ deliverAt: storeAt, event });
    // At-least-once: a duplicate comes a batching window later (it may also overtake newer versions).
    if (st.stateEventDuplicateRate > 0 && this.random() < st.stateEventDuplicateRate) this.stateOutbox.push({ deliverAt: storeAt + st.stateBatchWindowSeconds * 1000, event });
  }

  /** Deterministic [0, 1) (mulberry32). */
  private random(): number {
    this.rng = (this.rng + 0x6d2b79f5) >>> 0;
    let x = this.rng;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  }

  /**
   * Seconds from an event to ecs-pilot's decision: EventBridge delivery and the Lambda start; the
   * capacity queue's events (PROVISIONING tasks, service actions, CloudTrail) also wait the SQS
   * batching window. Other task events go to functions invoked directly (the batch function).
   */
  private latencyOf(source: string, detailType: string, detail: Record<string, unknown>): number {
    const st = this.settings;
    if (st.controllerLatencySeconds !== undefined) return st.controllerLatencySeconds;
    const queued = source === 'aws.ecs' && detailType !== 'ECS Container Instance State Change' && (detailType !== 'ECS Task State Change' || detail.lastStatus === 'PROVISIONING');
    return st.eventBridgeSeconds + (queued ? st.sqsBatchWindowSeconds : 0) + st.lambdaStartSeconds;
  }

  /** What EventBridge receives for a RunTask call whose response lists failures (AWS API Call via CloudTrail). */
  private emitRunTaskFailure(shape: RunShape, failed: number): void {
    const reason = shape.gpus > 0 ? 'RESOURCE:GPU' : 'RESOURCE:MEMORY';
    this.emit(
      'aws.ecs',
      'AWS API Call via CloudTrail',
      {
        eventVersion: '1.08',
        eventSource: 'ecs.amazonaws.com',
        eventName: 'RunTask',
        awsRegion: this.region,
        eventTime: new Date(this.now).toISOString(),
        eventType: 'AwsApiCall',
        requestParameters: { cluster: this.cluster, count: failed, taskDefinition: `${shape.family}:1`, ...(shape.capacityProvider ? { capacityProviderStrategy: [{ capacityProvider: shape.capacityProvider, weight: 1, base: 0 }] } : {}) },
        responseElements: { tasks: [], failures: Array.from({ length: failed }, () => ({ arn: this.clusterArn(), reason })) },
      },
      [],
    );
  }

  // ---------- what ECS tells EventBridge ----------

  /** Every task change, as ECS sends it; with managed scaling off a task that found no room was never created. */
  protected override taskEvent(t: SimTask, before: string | undefined): void {
    if (t.lastStatus === 'PROVISIONING' && !this.options.managedScaling) return;
    this.emit('aws.ecs', 'ECS Task State Change', this.taskDetail(t), [t.arn]);
    // Placing or stopping a task changes the instance's remaining resources: an event of the instance
    // too (ECS Developer Guide, "container instance state change events"), unless it is being
    // deregistered. A task reaching RUNNING changes its running/pending counts: AWS does not say whether
    // that is an event; one is the less favourable reading (more events for the state function).
    const i = t.containerInstanceArn ? this.instances.get(t.containerInstanceArn) : undefined;
    if (i && i.lifecycleState !== 'Terminated' && before !== t.lastStatus) this.instanceChanged(i);
  }

  protected override instanceEvent(i: SimInstance): void {
    this.emit('aws.ecs', 'ECS Container Instance State Change', this.ciDetail(i), [i.arn]);
  }

  /** The task as DescribeTasks answers it, times as ISO strings, plus the fields only the event has (events/samples). */
  private taskDetail(t: SimTask): Record<string, unknown> {
    const described = isoDates(this.describeTask(t));
    return {
      ...described,
      containers: (described.containers as Array<Record<string, unknown>>).map((c) => ({ ...c, taskArn: t.arn, containerArn: `${t.arn.replace(':task/', ':container/')}/${String(c.name)}` })),
      createdAt: new Date(t.submittedAt).toISOString(),
      updatedAt: new Date(this.now).toISOString(),
    };
  }

  private ciDetail(i: SimInstance): Record<string, unknown> {
    return { ...isoDates(this.describeInstance(i)), clusterArn: this.clusterArn(), accountType: 'ec2', updatedAt: new Date(this.now).toISOString() };
  }
}

/** Removes and returns the events due by `ms`, in the order they were sent. */
function takeDue(box: OutboxEvent[], ms: number): Array<Record<string, unknown>> {
  const due = box.filter((e) => e.deliverAt <= ms);
  if (due.length === 0) return [];
  box.splice(0, box.length, ...box.filter((e) => e.deliverAt > ms));
  return due.map((e) => e.event);
}

/** An SDK answer as JSON carries it: Date fields as ISO strings. */
function isoDates(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
}

/** The services a scenario runs: its own list, or those the cluster's tasks show. */
export function scenarioServices(scenario: Pick<Scenario, 'services'>, snapshot: Snapshot): ServiceSpec[] {
  return scenario.services.length > 0 ? scenario.services : inferServices(snapshot);
}

/** A burst: a service's desired count raised by this many tasks or more in one step. */
export const BURST_TASKS = 20;

/** The scenario's bursts, in time order: each step that raises a service by BURST_TASKS or more. */
export function burstSteps(scenario: Pick<Scenario, 'services' | 'timeline'>, snapshot: Snapshot): Array<{ at: number; service: string; from: number; to: number }> {
  const desired = new Map(scenarioServices(scenario, snapshot).map((s) => [s.name, s.desired]));
  const out: Array<{ at: number; service: string; from: number; to: number }> = [];
  for (const step of [...scenario.timeline].sort((a, b) => a.at - b.at)) {
    if (!('setDesired' in step)) continue;
    const from = desired.get(step.setDesired.service) ?? 0;
    desired.set(step.setDesired.service, step.setDesired.count);
    if (step.setDesired.count - from >= BURST_TASKS) out.push({ at: step.at, service: step.setDesired.service, from, to: step.setDesired.count });
  }
  return out;
}

/** Services of a snapshot: task groups `service:<name>`, desired = their tasks, shape of the first. */
export function inferServices(snapshot: Snapshot): ServiceSpec[] {
  const byName = new Map<string, ServiceSpec>();
  for (const t of [...snapshot.instances.flatMap((i) => i.tasks.map((x) => ({ ...x, capacityProvider: x.capacityProvider ?? i.group }))), ...snapshot.pending]) {
    if (!t.group?.startsWith('service:') || t.daemon) continue;
    const name = t.group.slice('service:'.length);
    const s = byName.get(name);
    if (s) s.desired += 1;
    else {
      byName.set(name, {
        name,
        desired: 1,
        cpu: t.cpu,
        memoryMiB: t.memoryMiB,
        gpus: t.gpus,
        awsvpc: t.awsvpc,
        hostPorts: t.hostPorts,
        ...(t.capacityProvider ? { capacityProvider: t.capacityProvider } : {}),
        minimumHealthyPercent: 100,
        maximumPercent: 200,
        distinctInstance: t.constraints.some((c) => c.type === 'distinctInstance'),
        placementStrategy: 'binpack',
      });
    }
  }
  return [...byName.values()];
}
