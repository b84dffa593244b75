/**
 * A simulated AWS account over a cluster snapshot: answers the ECS, Auto Scaling, EC2 and CloudWatch
 * commands the controller sends (`send(command)`), with their documented batch limits and errors, and
 * keeps the state their writes change (drain, desired capacity, protection, lifecycle hooks, attributes).
 * The real `src/aws/` code runs against it unchanged. It does not move time: no task starts or stops by
 * itself here (the time-driven world, world.ts, composes this account with models that do).
 *
 * Composed of: the state (state.ts), the command bus every command passes through (commands.ts), and
 * one typed handler table per concern — ECS instances, tasks and services, Auto Scaling, EC2, alarms.
 */
import type { Instance, Snapshot, Task } from '../core/model.js';
import { SimulatedAlarms } from './alarms.js';
import { autoScalingHandlers } from './autoscaling.js';
import { scalingActivityHandlers } from './scaling-activities.js';
import { CommandBus, InjectedFailures } from './commands.js';
import { ec2Handlers } from './ec2.js';
import { describeInstance, ecsInstanceHandlers, type DescribedManagedScaling } from './ecs-instances.js';
import { EcsServices, servicesOfTasks, type EcsService } from './ecs-services.js';
import { describeTask, EcsTasks } from './ecs-tasks.js';
import { Placement } from './placement.js';
import { ClusterState, type AccountIdentity, type Service, type SimInstance, type SimTask, type StopCause } from './state.js';

export type { Answer } from './commands.js';
export { SimulatedServiceError, take, type InstanceUsage, type Service, type SimInstance, type SimTask } from './state.js';

export interface SimulatedAwsOptions extends AccountIdentity {
  /** The services ECS runs; default: those the snapshot's tasks show, their desired count read off the tasks. */
  services?: (state: ClusterState) => EcsService[];
  /** Managed scaling on: a RunTask that finds no room waits in PROVISIONING (default: it fails). */
  tasksWaitForCapacity?: boolean;
  /** How DescribeCapacityProviders describes managed scaling (default: it does not say). */
  managedScaling?: DescribedManagedScaling;
}

/** A stand-in for an SDK client: `{ send }` taking SDK command objects. */
export interface SimulatedClient {
  send: (command: { input: object; constructor: { name: string } }) => Promise<never>;
}

export class SimulatedAws {
  public readonly state: ClusterState;
  /** Every command passes through it (the fault layer's seam). */
  public readonly bus = new CommandBus();
  public readonly services: EcsServices;
  public readonly placement: Placement;
  /** CloudWatch alarms, set by tests and scenarios. */
  public readonly alarms = new SimulatedAlarms();
  private readonly tasks: EcsTasks;
  private readonly failures = new InjectedFailures();

  public constructor(snapshot: Snapshot, options: SimulatedAwsOptions = {}) {
    this.state = new ClusterState(snapshot, options);
    this.services = new EcsServices(this.state, (options.services ?? servicesOfTasks)(this.state));
    this.placement = new Placement(this.state);
    this.tasks = new EcsTasks(this.state, this.services, this.placement, { tasksWaitForCapacity: options.tasksWaitForCapacity ?? false });
    this.bus.intercept(this.failures.interceptor);
    this.bus.register('ecs', ecsInstanceHandlers(this.state, options.managedScaling));
    this.bus.register('ecs', this.tasks.handlers);
    this.bus.register('ecs', this.services.handlers);
    this.bus.register('autoscaling', autoScalingHandlers(this.state));
    this.bus.register('autoscaling', scalingActivityHandlers(this.state));
    this.bus.register('ec2', ec2Handlers(this.state));
    this.bus.register('cloudwatch', this.alarms.handlers);
    this.state.listen({ task: (t, before) => this.taskEvent(t, before), instance: (i) => this.instanceEvent(i) });
  }

  public get account(): string {
    return this.state.account;
  }

  public get region(): string {
    return this.state.region;
  }

  public get cluster(): string {
    return this.state.cluster;
  }

  public get snapshot(): Snapshot {
    return this.state.snapshot;
  }

  /** Simulated clock (ms since the epoch); starts at the snapshot's time. */
  public get now(): number {
    return this.state.now;
  }

  public set now(ms: number) {
    this.state.now = ms;
  }

  /** Every command received, in order: the replay prints them, tests count them. */
  public get log(): CommandBus['log'] {
    return this.bus.log;
  }

  // ---------- the SDK edge ----------

  public client(service: Service): SimulatedClient {
    return { send: async (command) => this.handle(service, command.constructor.name.replace(/Command$/, ''), command.input as Record<string, unknown>) as never };
  }

  /** Answers one command by its SDK name (`DescribeTasks`), as `send` does. */
  public handle(service: Service, command: string, input: Record<string, unknown>): unknown {
    return this.bus.send(service, command, input);
  }

  /** The next `times` calls of `command` (e.g. `SetDesiredCapacity`) throw `error`. */
  public failNext(command: string, error: Error, times = 1): void {
    this.failures.add(command, error, times);
  }

  // ---------- state, for tests and the replay ----------

  public instance(ec2InstanceId: string): Readonly<SimInstance> | undefined {
    return this.state.instanceById(ec2InstanceId);
  }

  public desired(asg: string): number | undefined {
    return this.state.groups.get(asg)?.desired;
  }

  public task(arn: string): Readonly<SimTask> | undefined {
    return this.state.tasks.get(arn);
  }

  /** Desired count of a service, as DescribeServices answers it. */
  public serviceDesired(name: string): number {
    return this.services.desired(name);
  }

  public protectTask(arn: string): void {
    this.tasks.protect(arn);
  }

  /** Moves a task on (e.g. to RUNNING, or STOPPED with its cause), bumping its version as ECS does. */
  public setTaskStatus(arn: string, lastStatus: string, desiredStatus?: string, stop?: Omit<StopCause, 'stopCode'> & { stopCode: string }): void {
    const t = this.state.tasks.get(arn);
    if (!t) throw new Error(`no task ${arn}`);
    const before = t.lastStatus;
    t.lastStatus = lastStatus;
    if (desiredStatus) t.desiredStatus = desiredStatus;
    if (lastStatus === 'RUNNING' && t.runningAt === undefined) t.runningAt = this.now;
    if (lastStatus === 'STOPPED') {
      t.stoppedAt = this.now;
      if (stop) {
        t.stopCode = stop.stopCode;
        t.stoppedReason = stop.reason;
        if (stop.exitCode !== undefined) t.exitCode = stop.exitCode;
      }
    }
    this.state.taskChanged(t, before);
  }

  /** Tasks whose startedBy begins with the prefix (batch job attempts), oldest first. */
  public tasksStartedBy(prefix: string): Readonly<SimTask>[] {
    return [...this.state.tasks.values()].filter((t) => t.startedBy?.startsWith(prefix)).sort((a, b) => a.submittedAt - b.submittedAt);
  }

  /** Tasks in a last status (e.g. the PROVISIONING ones a test clears), oldest first. */
  public tasksWithStatus(lastStatus: string): Readonly<SimTask>[] {
    return [...this.state.tasks.values()].filter((t) => t.lastStatus === lastStatus).sort((a, b) => a.submittedAt - b.submittedAt);
  }

  public setLifecycleState(ec2InstanceId: string, lifecycleState: string): void {
    const i = this.state.instanceById(ec2InstanceId);
    if (!i) throw new Error(`no instance ${ec2InstanceId}`);
    i.lifecycleState = lifecycleState;
  }

  /** The simulated cluster as a snapshot v1 (what `replay --json` prints as `after`). */
  public toSnapshot(takenAt: string = this.snapshot.takenAt): Snapshot {
    const taskOf = (t: SimTask): Task => {
      const { arn: _arn, containerInstanceArn: _ci, desiredStatus: _d, version: _v, taskDefinitionArn: _td, ...task } = t;
      return task;
    };
    const live = (t: SimTask): boolean => t.lastStatus !== 'STOPPED';
    const tasks = [...this.state.tasks.values()];
    return {
      ...this.snapshot,
      takenAt,
      groups: this.snapshot.groups.map((g) => ({ ...g, desired: this.state.groups.get(g.asg)?.desired ?? g.desired })),
      instances: [...this.state.instances.values()].map((i) => {
        const original = this.snapshot.instances.find((x) => x.id === i.arn);
        return {
          ...(original ?? { reservedPorts: i.reservedPorts, tags: {} }),
          id: i.arn,
          ec2InstanceId: i.ec2InstanceId,
          group: i.group,
          type: i.type,
          az: i.az,
          status: i.status as Instance['status'],
          protected: i.protected,
          reservedPorts: i.reservedPorts,
          attributes: Object.fromEntries(i.attributes),
          lifecycleState: i.lifecycleState,
          tags: original?.tags ?? {},
          tasks: tasks.filter((t) => t.containerInstanceArn === i.arn && live(t)).map(taskOf),
        };
      }),
      pending: tasks.filter((t) => t.containerInstanceArn === undefined && live(t) && t.desiredStatus === 'RUNNING').map(taskOf),
    };
  }

  // ---------- hooks for a recorder of ECS's events (bench/scale.ts) ----------

  /** What ECS sends EventBridge for a task's change: nothing here; a subclass may record it. */
  protected taskEvent(_t: SimTask, _before: string | undefined): void {}

  protected instanceEvent(_i: SimInstance): void {}

  /** A task as DescribeTasks answers it. */
  protected describeTask(t: SimTask, withTags = false): ReturnType<typeof describeTask> {
    return describeTask(this.state, t, withTags);
  }

  /** A container instance as DescribeContainerInstances answers it. */
  protected describeInstance(i: SimInstance, tasksOnIt?: SimTask[]): ReturnType<typeof describeInstance> {
    return describeInstance(this.state, i, tasksOnIt);
  }
}
