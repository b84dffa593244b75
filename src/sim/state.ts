/**
 * The simulated account's state (docs/simulation.md): instances, tasks and groups, the clock, and the
 * one place a task or container instance changes — so their versions and the events ECS sends about
 * them cannot disagree. Every model of the simulator (the SDK command tables, the time-driven world)
 * reads and writes this object; none of them inherits from another.
 */
import type { TaskStopCode } from '@aws-sdk/client-ecs';
import type { Instance, Snapshot, Task } from '../core/model.js';

export type Service = 'ecs' | 'autoscaling' | 'ec2' | 'cloudwatch';

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
export function lookup<T>(arns: string[] | undefined, field: string, byArn: Map<string, T>): { found: T[]; failures: Array<{ arn: string; reason: string }> } {
  const list = arns ?? [];
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

/** One page of a List* answer: `nextToken` is the index of the next item. */
export const page = <T>(items: T[], nextToken: string | undefined, max: number | undefined): { items: T[]; nextToken: string | undefined } => {
  const start = nextToken ? Number(nextToken) : 0;
  const size = Math.min(max ?? 100, 100);
  const end = start + size;
  return { items: items.slice(start, end), nextToken: end < items.length ? String(end) : undefined };
};

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

/** Why a task stopped, as ECS reports it (`stopCode` is the SDK's TaskStopCode). */
export interface StopCause {
  stopCode: TaskStopCode;
  reason: string;
  exitCode?: number;
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

export interface SimGroup {
  name: string;
  asg: string;
  min: number;
  max: number;
  desired: number;
  /** The terminate lifecycle hook's name; undefined: the group has none. */
  hook: string | undefined;
  /** A mixed-instances group's InstancesDistribution.OnDemandBaseCapacity (UpdateAutoScalingGroup); undefined: 0. */
  onDemandBase?: number;
  /** The group's tags (CreateOrUpdateTags / DeleteTags); undefined: none. */
  tags?: Map<string, string>;
}

/** A scaling activity as DescribeScalingActivities answers it (its StartTime always set). */
export type ScalingActivity = import('@aws-sdk/client-auto-scaling').Activity & { StartTime: Date };

/** Who hears of every change of a task or container instance (ECS's events, a bench's recorder). */
export interface ChangeListener {
  /** `before`: the task's lastStatus until now, undefined when it was just created. */
  task?(t: SimTask, before: string | undefined): void;
  instance?(i: SimInstance): void;
}

export interface AccountIdentity {
  account?: string;
  region?: string;
  /** ASG lifecycle hooks by group name (a terminate then waits in Terminating:Wait). Default: every group has `ecs-pilot-drain`. */
  hooks?: Record<string, string | undefined>;
}

export class ClusterState {
  public readonly account: string;
  public readonly region: string;
  public readonly cluster: string;
  public readonly snapshot: Snapshot;
  public readonly instances = new Map<string, SimInstance>();
  public readonly tasks = new Map<string, SimTask>();
  /** By ASG name. */
  public readonly groups = new Map<string, SimGroup>();
  /** Scaling activities per ASG name, newest first (DescribeScalingActivities: scaling-activities.ts). */
  public readonly scalingActivities = new Map<string, Array<ScalingActivity>>();
  /** Simulated clock (ms since the epoch); starts at the snapshot's time. */
  public now: number;
  private readonly listeners: ChangeListener[] = [];

  public constructor(snapshot: Snapshot, options: AccountIdentity = {}) {
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

  public listen(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  // ---------- the one place tasks and instances change ----------

  /**
   * A task changed state (`before`: its lastStatus until now, undefined when just created): its version
   * goes up by one, as ECS counts each change, and the listeners hear of it. Every change of a task goes
   * through here, so DescribeTasks and the events answer the same versions.
   */
  public taskChanged(t: SimTask, before: string | undefined): void {
    if (before !== undefined) t.version += 1;
    for (const l of this.listeners) l.task?.(t, before);
  }

  /** A container instance changed (status, or its resources when a task is placed or stops): as `taskChanged`. */
  public instanceChanged(i: SimInstance): void {
    i.version += 1;
    for (const l of this.listeners) l.instance?.(i);
  }

  /** Two changes, as ECS reports them: desired STOPPED (the task still running), then STOPPED; the cause kept. */
  public stopTask(t: SimTask, cause: StopCause): void {
    if (t.lastStatus === 'STOPPED') return;
    t.stopCode = cause.stopCode;
    t.stoppedReason = cause.reason;
    if (t.desiredStatus !== 'STOPPED') {
      t.desiredStatus = 'STOPPED';
      this.taskChanged(t, t.lastStatus);
    }
    const before = t.lastStatus;
    t.lastStatus = 'STOPPED';
    t.stoppedAt = this.now;
    if (cause.exitCode !== undefined) t.exitCode = cause.exitCode;
    this.taskChanged(t, before);
  }

  /** A task ECS never created after all (its placement failed with managed scaling off): gone without an event. */
  public discardTask(arn: string): void {
    this.tasks.delete(arn);
  }

  // ---------- reading ----------

  public arn(service: 'ecs', kind: string, name: string): string {
    return `arn:aws:${service}:${this.region}:${this.account}:${kind}/${name}`;
  }

  public clusterArn(): string {
    return this.arn('ecs', 'cluster', this.cluster);
  }

  public checkCluster(cluster: string | undefined): void {
    const name = typeof cluster === 'string' ? cluster.split('/').pop() : undefined;
    if (name !== this.cluster) throw new SimulatedServiceError('ClusterNotFoundException', `Cluster not found: ${String(cluster)}`);
  }

  public instanceById(ec2InstanceId: string): SimInstance | undefined {
    for (const i of this.instances.values()) if (i.ec2InstanceId === ec2InstanceId) return i;
    return undefined;
  }

  public group(asg: string | undefined): SimGroup {
    const g = this.groups.get(String(asg));
    if (!g) throw new SimulatedServiceError('ValidationError', `AutoScalingGroup name not found - AutoScalingGroup ${String(asg)} not found`);
    return g;
  }

  /** The group an instance belongs to (by the group's name, as instances carry it). */
  public groupNamed(name: string): SimGroup | undefined {
    return [...this.groups.values()].find((g) => g.name === name);
  }

  /** The group's instances not yet terminated. */
  public members(groupName: string): SimInstance[] {
    return [...this.instances.values()].filter((i) => i.group === groupName && i.lifecycleState !== 'Terminated');
  }

  /** Tasks on the instance that have not stopped. */
  public liveTasks(i: SimInstance): SimTask[] {
    return [...this.tasks.values()].filter((t) => t.containerInstanceArn === i.arn && t.lastStatus !== 'STOPPED');
  }

  // ---------- building ----------

  public addInstance(i: Instance): void {
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

  /** A task as it enters the state (no event: the caller says how it changed). */
  public addTask(t: Task, containerInstanceArn: string | undefined, lastStatus: string): SimTask {
    const family = (t.group ?? 'family:task').replace(/^(service|family):/, '');
    const task: SimTask = {
      ...t,
      arn: t.id,
      containerInstanceArn,
      desiredStatus: lastStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING',
      lastStatus,
      version: lastStatus === 'PROVISIONING' ? 1 : 3,
      taskDefinitionArn: this.arn('ecs', 'task-definition', `${family}:1`),
      submittedAt: this.now,
      ...(lastStatus === 'RUNNING' ? { runningAt: this.now } : {}),
    };
    this.tasks.set(t.id, task);
    return task;
  }
}
