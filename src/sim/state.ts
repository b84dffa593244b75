/**
 * The simulated account's state and its SDK edge (docs/simulation.md): instances, tasks, groups, the
 * command log and injected faults. The command handlers live one file per service — ecs.ts,
 * autoscaling.ts, ec2.ts — each typed with the SDK's own input and output types; SimulatedAws
 * (simulated-aws.ts) is the account with all of them.
 */
import type { Instance, Snapshot, Task } from '../core/model.js';
import { SimulatedAlarms } from './alarms.js';
import { launchShapeCommand } from './launch-shapes.js';

export type Service = 'ecs' | 'autoscaling' | 'ec2' | 'cloudwatch';

/** What a command answers, as the SDK types it (the client adds `$metadata`): the compiler checks each handler against it. */
export type Answer<O> = Omit<O, '$metadata'>;

/** What runs on an instance, for placement. */
export interface InstanceUsage {
  cpu: number;
  mem: number;
  eni: number;
  gpu: number;
  ports: Set<number>;
  groups: Set<string>;
}

/** Describe* by ARN: at most 100, each found or reported MISSING (as ECS answers). */
export function lookup<T>(arns: unknown, field: string, byArn: Map<string, T>): { found: T[]; failures: Array<{ arn: string; reason: string }> } {
  const list = (arns as string[] | undefined) ?? [];
  if (list.length > 100) throw new SimulatedServiceError('InvalidParameterException', `${field} can have at most 100 items`);
  const found: T[] = [];
  const failures: Array<{ arn: string; reason: string }> = [];
  for (const arn of list) {
    const item = byArn.get(arn);
    if (item) found.push(item);
    else failures.push({ arn, reason: 'MISSING' });
  }
  return { found, failures };
}

/** Counts a task on an instance's usage. */
export function take(u: InstanceUsage, t: Task): void {
  u.cpu += t.cpu;
  u.mem += t.memoryMiB;
  u.eni += t.awsvpc ? 1 : 0;
  u.gpu += t.gpus;
  if (!t.awsvpc) for (const p of t.hostPorts) u.ports.add(p);
  if (t.group) u.groups.add(t.group);
}

/** An error shaped like the SDK's service exceptions (`name` is the AWS error code). */
export class SimulatedServiceError extends Error {
  public readonly $fault: 'client' | 'server';
  /** As the SDK's service exceptions carry it, so callers that recognise AWS errors recognise these. */
  public readonly $metadata: { httpStatusCode: number };
  public constructor(name: string, message: string, fault: 'client' | 'server' = 'client') {
    super(message);
    this.name = name;
    this.$fault = fault;
    this.$metadata = { httpStatusCode: fault === 'client' ? 400 : 500 };
  }
}

export interface SimTask extends Task {
  arn: string;
  containerInstanceArn: string | undefined;
  desiredStatus: string;
  lastStatus: string;
  version: number;
  taskDefinitionArn: string;
  /** Simulated time (ms) the task was asked for, started running, stopped. */
  submittedAt: number;
  runningAt?: number;
  stoppedAt?: number;
  stoppedReason?: string;
  /** How long a standalone task runs before it exits on its own (ms); undefined: until stopped. */
  durationMs?: number;
  stopCode?: string;
  exitCode?: number;
  /** Started to replace a task on an instance that is leaving (draining, terminating), not asked for. */
  replacement?: boolean;
  tags?: Array<{ key: string; value: string }>;
}

export interface SimInstance {
  arn: string;
  ec2InstanceId: string;
  group: string;
  type: string;
  az: string;
  status: string;
  version: number;
  protected: boolean;
  lifecycleState: string;
  reservedPorts: number[];
  registered: { cpu: number; memoryMiB: number; gpus: number; enis: number };
  attributes: Map<string, string>;
  /** Simulated time (ms) it was launched and terminated. */
  launchedAt: number;
  terminatedAt?: number;
}

export interface SimulatedAwsOptions {
  account?: string;
  region?: string;
  /** ASG lifecycle hooks by group name (a terminate then waits in Terminating:Wait). Default: every group has `ecs-pilot-drain`. */
  hooks?: Record<string, string | undefined>;
}

export const page = <T>(items: T[], nextToken: string | undefined, max: number | undefined): { items: T[]; nextToken: string | undefined } => {
  const start = nextToken ? Number(nextToken) : 0;
  const size = Math.min(max ?? 100, 100);
  const end = start + size;
  return { items: items.slice(start, end), nextToken: end < items.length ? String(end) : undefined };
};

export class SimState {
  public readonly account: string;
  public readonly region: string;
  public readonly cluster: string;
  public readonly snapshot: Snapshot;
  protected readonly instances = new Map<string, SimInstance>();
  protected readonly tasks = new Map<string, SimTask>();
  protected readonly groups = new Map<string, { name: string; asg: string; min: number; max: number; desired: number; hook: string | undefined }>();
  /** Simulated clock (ms since the epoch); starts at the snapshot's time. */
  public now: number;
  /** Every command received, in order: the replay prints them, tests count them. */
  public readonly log: Array<{ service: Service; command: string; input: Record<string, unknown> }> = [];
  /** Faults to inject: the next matching call throws. */
  private readonly faults: Array<{ command: string; error: Error; times: number }> = [];
  /** CloudWatch alarms, set by tests and scenarios. */
  public readonly alarms = new SimulatedAlarms();

  public constructor(snapshot: Snapshot, options: SimulatedAwsOptions = {}) {
    this.snapshot = snapshot;
    this.account = options.account ?? '123456789012';
    this.region = options.region ?? 'us-east-1';
    this.cluster = snapshot.cluster;
    this.now = Date.parse(snapshot.takenAt);
    for (const g of snapshot.groups) {
      const hook = options.hooks ? options.hooks[g.name] : 'ecs-pilot-drain';
      this.groups.set(g.asg, { name: g.name, asg: g.asg, min: g.min, max: g.max, desired: g.desired, hook });
    }
    for (const i of snapshot.instances) this.addInstance(i);
    for (const t of snapshot.pending) this.addTask(t, undefined, 'PROVISIONING');
  }

  // ---------- state, for tests and the replay ----------

  public instance(ec2InstanceId: string): Readonly<SimInstance> | undefined {
    return [...this.instances.values()].find((i) => i.ec2InstanceId === ec2InstanceId);
  }

  public desired(asg: string): number | undefined {
    return this.groups.get(asg)?.desired;
  }

  public task(arn: string): Readonly<SimTask> | undefined {
    return this.tasks.get(arn);
  }

  /** Moves a task on (e.g. to RUNNING, or STOPPED), bumping its version as ECS does. */
  public setTaskStatus(arn: string, lastStatus: string, desiredStatus?: string, stop?: { stopCode: string; reason: string; exitCode?: number }): void {
    const t = this.tasks.get(arn);
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
    this.taskChanged(t, before);
  }

  /** Tasks whose startedBy begins with the prefix (batch job attempts), oldest first. */
  public tasksStartedBy(prefix: string): Readonly<SimTask>[] {
    return [...this.tasks.values()].filter((t) => t.startedBy?.startsWith(prefix)).sort((a, b) => a.submittedAt - b.submittedAt);
  }

  /** Tasks in a last status (e.g. the PROVISIONING ones a test clears), oldest first. */
  public tasksWithStatus(lastStatus: string): Readonly<SimTask>[] {
    return [...this.tasks.values()].filter((t) => t.lastStatus === lastStatus).sort((a, b) => a.submittedAt - b.submittedAt);
  }

  public setLifecycleState(ec2InstanceId: string, state: string): void {
    const i = this.instance(ec2InstanceId) as SimInstance | undefined;
    if (!i) throw new Error(`no instance ${ec2InstanceId}`);
    i.lifecycleState = state;
  }

  /** The next `times` calls of `command` (e.g. `SetDesiredCapacity`) throw `error`. */
  public failNext(command: string, error: Error, times = 1): void {
    this.faults.push({ command, error, times });
  }

  /** The simulated cluster as a snapshot v1 (what `replay --json` prints as `after`). */
  public toSnapshot(takenAt: string = this.snapshot.takenAt): Snapshot {
    const taskOf = (t: SimTask): Task => {
      const { arn: _arn, containerInstanceArn: _ci, desiredStatus: _d, version: _v, taskDefinitionArn: _td, ...task } = t;
      return task;
    };
    const live = (t: SimTask): boolean => t.lastStatus !== 'STOPPED';
    return {
      ...this.snapshot,
      takenAt,
      groups: this.snapshot.groups.map((g) => ({ ...g, desired: this.groups.get(g.asg)?.desired ?? g.desired })),
      instances: [...this.instances.values()].map((i) => {
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
          tasks: [...this.tasks.values()].filter((t) => t.containerInstanceArn === i.arn && live(t)).map(taskOf),
        };
      }),
      pending: [...this.tasks.values()].filter((t) => t.containerInstanceArn === undefined && live(t) && t.desiredStatus === 'RUNNING').map(taskOf),
    };
  }

  // ---------- the SDK edge ----------

  /** A stand-in for a client: `{ send }` taking SDK command objects. */
  public client(service: Service): { send: (command: { input: object; constructor: { name: string } }) => Promise<never> } {
    return { send: async (command) => this.handle(service, command.constructor.name.replace(/Command$/, ''), command.input as Record<string, unknown>) as never };
  }

  public handle(service: Service, command: string, input: Record<string, unknown>): unknown {
    this.log.push({ service, command, input });
    const fault = this.faults.find((f) => f.command === command && f.times > 0);
    if (fault) {
      fault.times -= 1;
      throw fault.error;
    }
    const fail = (n: string, m: string) => new SimulatedServiceError(n, m);
    const fn =
      (this as unknown as Record<string, ((input: Record<string, unknown>) => unknown) | undefined>)[`${service}_${command}`] ??
      launchShapeCommand(`${service}_${command}`, this.snapshot, fail) ??
      (service === 'cloudwatch' && command === 'DescribeAlarms' ? (input: Record<string, unknown>) => this.alarms.describeAlarms(input, fail) : undefined);
    if (!fn) throw new SimulatedServiceError('UnsupportedOperation', `the simulator does not answer ${service}:${command}`);
    const out = structuredClone(fn.call(this, input));
    this.afterCommand(service, command, input);
    return out;
  }

  /** Called after every command that succeeded: a time-driven world reacts to writes here. */
  protected afterCommand(_service: Service, _command: string, _input: Record<string, unknown>): void {}

  /**
   * A task changed state (`before`: its lastStatus until now, undefined when just created): its version
   * goes up by one, as ECS counts each change, and the world tells EventBridge (`taskEvent`). Every
   * change of a task goes through here, so DescribeTasks and the events answer the same versions.
   */
  protected taskChanged(t: SimTask, before: string | undefined): void {
    if (before !== undefined) t.version += 1;
    this.taskEvent(t, before);
  }

  /** A container instance changed (status, or its resources when a task is placed or stops): as `taskChanged`. */
  protected instanceChanged(i: SimInstance): void {
    i.version += 1;
    this.instanceEvent(i);
  }

  /** What ECS sends EventBridge for a task's change: nothing in the plain simulator, the world's outbox in SimulatedCluster. */
  protected taskEvent(_t: SimTask, _before: string | undefined): void {}

  protected instanceEvent(_i: SimInstance): void {}


  // ---------- helpers ----------

  protected clusterArn(): string {
    return `arn:aws:ecs:${this.region}:${this.account}:cluster/${this.cluster}`;
  }

  protected checkCluster(cluster: unknown): void {
    const name = typeof cluster === 'string' ? cluster.split('/').pop() : undefined;
    if (name !== this.cluster) throw new SimulatedServiceError('ClusterNotFoundException', `Cluster not found: ${String(cluster)}`);
  }

  protected group(name: unknown) {
    const g = this.groups.get(String(name));
    if (!g) throw new SimulatedServiceError('ValidationError', `AutoScalingGroup name not found - AutoScalingGroup ${String(name)} not found`);
    return g;
  }

  protected addInstance(i: Instance): void {
    const type = this.snapshot.instanceTypes[i.type];
    const registered = i.registered ?? { cpu: type?.cpu ?? 0, memoryMiB: type?.memoryMiB ?? 0, enis: type?.enis ?? 0, gpus: type?.gpus ?? 0 };
    const enis = i.registered ? (type?.enis ?? i.registered.enis) : registered.enis;
    this.instances.set(i.id, {
      arn: i.id,
      ec2InstanceId: i.ec2InstanceId,
      group: i.group,
      type: i.type,
      az: i.az,
      status: i.status,
      version: 10,
      protected: i.protected,
      lifecycleState: i.lifecycleState ?? (i.status === 'INACTIVE' ? 'Terminated' : 'InService'),
      reservedPorts: i.reservedPorts,
      registered: { cpu: registered.cpu, memoryMiB: registered.memoryMiB, gpus: registered.gpus, enis },
      attributes: new Map(Object.entries(i.attributes)),
      launchedAt: this.now,
    });
    for (const t of i.tasks) this.addTask(t, i.id, t.lastStatus ?? 'RUNNING');
  }

  protected addTask(t: Task, containerInstanceArn: string | undefined, lastStatus: string): SimTask {
    const family = (t.group ?? 'family:task').replace(/^(service|family):/, '');
    const task: SimTask = {
      ...t,
      arn: t.id,
      containerInstanceArn,
      desiredStatus: lastStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING',
      lastStatus,
      version: lastStatus === 'PROVISIONING' ? 1 : 3,
      taskDefinitionArn: `arn:aws:ecs:${this.region}:${this.account}:task-definition/${family}:1`,
      submittedAt: this.now,
      ...(lastStatus === 'RUNNING' ? { runningAt: this.now } : {}),
    };
    this.tasks.set(t.id, task);
    return task;
  }
}
