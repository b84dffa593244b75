/**
 * A simulated AWS account over a cluster snapshot: answers the ECS, Auto Scaling and EC2 commands the
 * controller sends (`send(command)`), with their documented batch limits and errors, and keeps the
 * state their writes change (drain, desired capacity, protection, lifecycle hooks, attributes).
 * The real `src/aws/` code runs against it unchanged. It does not move time: no task starts or
 * stops by itself here.
 */
import type * as ASG from '@aws-sdk/client-auto-scaling';
import type * as EC2 from '@aws-sdk/client-ec2';
import type * as ECS from '@aws-sdk/client-ecs';
import { evaluate, parseExpression, type Expr } from '../core/capacity/expression.js';
import type { Instance, Snapshot, Task } from '../core/model.js';
import { weightOf } from '../core/model.js';

export type Service = 'ecs' | 'autoscaling' | 'ec2';

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
function lookup<T>(arns: unknown, field: string, byArn: Map<string, T>): { found: T[]; failures: Array<{ arn: string; reason: string }> } {
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
  if (!t.awsvpc) t.hostPorts.forEach((p) => u.ports.add(p));
  if (t.group) u.groups.add(t.group);
}

/** An error shaped like the SDK's service exceptions (`name` is the AWS error code). */
export class SimulatedServiceError extends Error {
  public readonly $fault: 'client' | 'server';
  public constructor(name: string, message: string, fault: 'client' | 'server' = 'client') {
    super(message);
    this.name = name;
    this.$fault = fault;
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

const page = <T>(items: T[], nextToken: string | undefined, max: number | undefined): { items: T[]; nextToken: string | undefined } => {
  const start = nextToken ? Number(nextToken) : 0;
  const size = Math.min(max ?? 100, 100);
  const end = start + size;
  return { items: items.slice(start, end), nextToken: end < items.length ? String(end) : undefined };
};

export class SimulatedAws {
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
    snapshot.pending.forEach((t) => this.addTask(t, undefined, 'PROVISIONING'));
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
    t.version += 1;
  }

  /** Tasks whose startedBy begins with the prefix (batch job attempts), oldest first. */
  public tasksStartedBy(prefix: string): Readonly<SimTask>[] {
    return [...this.tasks.values()].filter((t) => t.startedBy?.startsWith(prefix)).sort((a, b) => a.submittedAt - b.submittedAt);
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
    const fn = (this as unknown as Record<string, ((input: Record<string, unknown>) => unknown) | undefined>)[`${service}_${command}`];
    if (!fn) throw new SimulatedServiceError('UnsupportedOperation', `the simulator does not answer ${service}:${command}`);
    const out = structuredClone(fn.call(this, input));
    this.afterCommand(service, command, input);
    return out;
  }

  /** Called after every command that succeeded: a time-driven world reacts to writes here. */
  protected afterCommand(_service: Service, _command: string, _input: Record<string, unknown>): void {}

  // ---------- ECS ----------

  protected ecs_ListContainerInstances(input: ECS.ListContainerInstancesCommandInput): Answer<ECS.ListContainerInstancesCommandOutput> {
    this.checkCluster(input.cluster);
    let list = [...this.instances.values()].filter((i) => i.status !== 'INACTIVE' && i.status !== 'LAUNCHING');
    const filter = input.filter as string | undefined;
    if (filter) {
      const m = /^ec2InstanceId\s*==\s*(\S+)$/.exec(filter.trim());
      if (!m) throw new SimulatedServiceError('InvalidParameterException', `unsupported filter ${filter}`);
      list = list.filter((i) => i.ec2InstanceId === m[1]);
    }
    if (input.status) list = list.filter((i) => i.status === input.status);
    const p = page(list.map((i) => i.arn), input.nextToken as string | undefined, input.maxResults as number | undefined);
    return { containerInstanceArns: p.items, nextToken: p.nextToken };
  }

  protected ecs_DescribeContainerInstances(input: ECS.DescribeContainerInstancesCommandInput): Answer<ECS.DescribeContainerInstancesCommandOutput> {
    this.checkCluster(input.cluster);
    const { found, failures } = lookup(input.containerInstances, 'containerInstances', this.instances);
    const containerInstances = [];
    for (const i of found) {
      const arn = i.arn;
      const onIt = [...this.tasks.values()].filter((t) => t.containerInstanceArn === arn && t.lastStatus !== 'STOPPED');
      const used = onIt.reduce((a, t) => ({ cpu: a.cpu + t.cpu, mem: a.mem + t.memoryMiB }), { cpu: 0, mem: 0 });
      containerInstances.push({
        containerInstanceArn: i.arn,
        ec2InstanceId: i.ec2InstanceId,
        status: i.status,
        version: i.version,
        agentConnected: true,
        runningTasksCount: onIt.filter((t) => t.lastStatus === 'RUNNING').length,
        pendingTasksCount: onIt.filter((t) => t.lastStatus !== 'RUNNING').length,
        attributes: [
          { name: 'ecs.instance-type', value: i.type },
          { name: 'ecs.availability-zone', value: i.az },
          ...[...i.attributes].map(([name, value]) => ({ name, value })),
        ],
        registeredResources: [
          { name: 'CPU', type: 'INTEGER', integerValue: i.registered.cpu },
          { name: 'MEMORY', type: 'INTEGER', integerValue: i.registered.memoryMiB },
          { name: 'PORTS', type: 'STRINGSET', stringSetValue: i.reservedPorts.map(String) },
          ...(i.registered.gpus > 0 ? [{ name: 'GPU', type: 'INTEGER', integerValue: i.registered.gpus }] : []),
        ],
        remainingResources: [
          { name: 'CPU', type: 'INTEGER', integerValue: i.registered.cpu - used.cpu },
          { name: 'MEMORY', type: 'INTEGER', integerValue: i.registered.memoryMiB - used.mem },
        ],
      });
    }
    return { containerInstances, failures };
  }

  protected ecs_ListTasks(input: ECS.ListTasksCommandInput): Answer<ECS.ListTasksCommandOutput> {
    this.checkCluster(input.cluster);
    const desired = (input.desiredStatus as string | undefined) ?? 'RUNNING';
    const family = input.family as string | undefined;
    const list = [...this.tasks.values()].filter(
      (t) =>
        t.desiredStatus === desired &&
        (input.containerInstance === undefined || t.containerInstanceArn === input.containerInstance) &&
        (input.serviceName === undefined || t.group === `service:${input.serviceName}`) &&
        (input.startedBy === undefined || t.startedBy === input.startedBy) &&
        (family === undefined || t.taskDefinitionArn.split('/').pop()?.split(':')[0] === family),
    );
    const p = page(list.map((t) => t.arn), input.nextToken as string | undefined, input.maxResults as number | undefined);
    return { taskArns: p.items, nextToken: p.nextToken };
  }

  protected ecs_DescribeTasks(input: ECS.DescribeTasksCommandInput): Answer<ECS.DescribeTasksCommandOutput> {
    this.checkCluster(input.cluster);
    const { found, failures } = lookup(input.tasks, 'tasks', this.tasks);
    const tasks = [];
    for (const t of found) {
      tasks.push({
        taskArn: t.arn,
        clusterArn: this.clusterArn(),
        containerInstanceArn: t.containerInstanceArn,
        taskDefinitionArn: t.taskDefinitionArn,
        lastStatus: t.lastStatus,
        desiredStatus: t.desiredStatus,
        version: t.version,
        cpu: String(t.cpu),
        memory: String(t.memoryMiB),
        group: t.group,
        startedBy: t.startedBy,
        capacityProviderName: t.capacityProvider,
        launchType: 'EC2' as const,
        ...(t.runningAt !== undefined ? { startedAt: new Date(t.runningAt) } : {}),
        ...(t.stoppedAt !== undefined ? { stoppedAt: new Date(t.stoppedAt) } : {}),
        ...(t.stopCode ? { stopCode: t.stopCode as ECS.TaskStopCode } : {}),
        ...(t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
        ...((input.include as string[] | undefined)?.includes('TAGS') ? { tags: t.tags ?? [] } : {}),
        attachments: t.awsvpc ? [{ type: 'ElasticNetworkInterface', status: t.containerInstanceArn ? 'ATTACHED' : 'PRECREATED' }] : [],
        containers: [
          {
            name: 'main',
            lastStatus: t.lastStatus,
            ...(t.exitCode !== undefined ? { exitCode: t.exitCode } : {}),
            networkBindings: t.containerInstanceArn && !t.awsvpc ? t.hostPorts.map((p) => ({ hostPort: p, containerPort: p, protocol: 'tcp' as const })) : [],
            gpuIds: t.containerInstanceArn ? Array.from({ length: t.gpus }, (_, k) => String(k)) : [],
          },
        ],
      });
    }
    return { tasks, failures };
  }

  protected ecs_DescribeTaskDefinition(input: ECS.DescribeTaskDefinitionCommandInput): Answer<ECS.DescribeTaskDefinitionCommandOutput> {
    const arn = this.taskDefinitionArn(input.taskDefinition as string);
    const t = [...this.tasks.values()].find((x) => x.taskDefinitionArn === arn) ?? this.defaultTaskDefinition(arn);
    return {
      taskDefinition: {
        taskDefinitionArn: arn,
        family: arn.split('/').pop()?.split(':')[0],
        networkMode: t.awsvpc ? 'awsvpc' : 'bridge',
        cpu: String(t.cpu),
        memory: String(t.memoryMiB),
        placementConstraints: t.constraints.flatMap((c) => (c.type === 'memberOf' ? [{ type: 'memberOf', expression: c.expression }] : [])),
        containerDefinitions: [
          {
            name: 'main',
            essential: true,
            portMappings: t.hostPorts.map((p) => ({ containerPort: p, hostPort: p, protocol: 'tcp' as const })),
            resourceRequirements: t.gpus > 0 ? [{ type: 'GPU', value: String(t.gpus) }] : [],
          },
        ],
      },
    };
  }

  /** Desired counts set by UpdateService and tags set by TagResource, by service name. */
  protected readonly serviceState = new Map<string, { desired?: number; tags: Map<string, string> }>();

  /** Desired count of a service: as UpdateService set it, else its tasks asked to run. */
  public serviceDesired(name: string): number {
    return this.serviceState.get(name)?.desired ?? [...this.tasks.values()].filter((t) => t.group === `service:${name}` && t.desiredStatus === 'RUNNING').length;
  }

  /** Services: task groups `service:<name>` and those UpdateService named, 10 a page by default (≤ 100). */
  protected ecs_ListServices(input: ECS.ListServicesCommandInput): Answer<ECS.ListServicesCommandOutput> {
    this.checkCluster(input.cluster);
    const names = new Set<string>();
    for (const t of this.tasks.values()) if (t.group?.startsWith('service:') && t.desiredStatus === 'RUNNING') names.add(t.group.slice('service:'.length));
    for (const n of this.serviceState.keys()) names.add(n);
    const arns = [...names].sort().map((n) => `arn:aws:ecs:${this.region}:${this.account}:service/${this.cluster}/${n}`);
    const p = page(arns, input.nextToken as string | undefined, (input.maxResults as number | undefined) ?? 10);
    return { serviceArns: p.items, nextToken: p.nextToken };
  }

  protected ecs_DescribeServices(input: ECS.DescribeServicesCommandInput): Answer<ECS.DescribeServicesCommandOutput> {
    this.checkCluster(input.cluster);
    const services = ((input.services as string[]) ?? []).flatMap((s) => {
      const name = s.split('/').pop() ?? s;
      const members = [...this.tasks.values()].filter((t) => t.group === `service:${name}` && t.desiredStatus === 'RUNNING');
      const sample = members[0];
      if (!sample) return [];
      const state = this.serviceState.get(name);
      return [
        {
          serviceArn: `arn:aws:ecs:${this.region}:${this.account}:service/${this.cluster}/${name}`,
          serviceName: name,
          ...((input.include as string[] | undefined)?.includes('TAGS') ? { tags: [...(state?.tags ?? new Map())].map(([key, value]) => ({ key, value })) } : {}),
          desiredCount: this.serviceDesired(name),
          runningCount: members.filter((t) => t.lastStatus === 'RUNNING').length,
          pendingCount: members.filter((t) => t.lastStatus !== 'RUNNING').length,
          taskDefinition: sample.taskDefinitionArn,
          capacityProviderStrategy: sample.capacityProvider ? [{ capacityProvider: sample.capacityProvider, weight: 1 }] : [],
          placementConstraints: sample.constraints.map((c) => (c.type === 'memberOf' ? { type: 'memberOf' as const, expression: c.expression } : { type: 'distinctInstance' as const })),
        },
      ];
    });
    return { services, failures: [] as Array<{ arn: string; reason: string }> };
  }

  /** Managed scaling on the capacity providers: a RunTask that finds no room waits in PROVISIONING instead of failing. */
  protected managedScalingOn = false;

  /** RunTask as ECS answers it: placed now on room in the provider's group; else PROVISIONING with managed scaling on, a RESOURCE failure without. */
  protected ecs_RunTask(input: ECS.RunTaskCommandInput): Answer<ECS.RunTaskCommandOutput> {
    this.checkCluster(input.cluster);
    const token = input.clientToken as string | undefined;
    if (token && this.runTaskTokens.has(token)) return { tasks: this.runTaskTokens.get(token)?.map((arn) => ({ taskArn: arn, lastStatus: this.tasks.get(arn)?.lastStatus })), failures: [] };
    const count = (input.count as number | undefined) ?? 1;
    if (count > 10) throw new SimulatedServiceError('InvalidParameterException', 'count can be at most 10');
    const arn = this.taskDefinitionArn(input.taskDefinition as string);
    const shape = [...this.tasks.values()].find((x) => x.taskDefinitionArn === arn) ?? this.defaultTaskDefinition(arn);
    const provider = (input.capacityProviderStrategy as Array<{ capacityProvider: string }> | undefined)?.[0]?.capacityProvider;
    const started: string[] = [];
    const failures: Array<{ arn: string; reason: string }> = [];
    for (let k = 0; k < count; k++) {
      const target = this.roomFor(shape, provider);
      if (!target && this.managedScalingOn && target !== null) {
        const id = `arn:aws:ecs:${this.region}:${this.account}:task/${this.cluster}/run${(++this.runSeq).toString(16).padStart(29, '0')}`;
        const t = this.addTask({ ...shape, id, group: `family:${arn.split('/').pop()?.split(':')[0]}`, startedBy: input.startedBy as string | undefined, ...(provider ? { capacityProvider: provider } : {}), constraints: [], daemon: false }, undefined, 'PROVISIONING');
        t.taskDefinitionArn = arn;
        t.tags = (input.tags as Array<{ key: string; value: string }> | undefined) ?? [];
        started.push(id);
        continue;
      }
      if (!target) {
        failures.push({ arn: target === null ? 'no instance in the capacity provider' : 'none', reason: shape.gpus > 0 ? 'RESOURCE:GPU' : 'RESOURCE:MEMORY' });
        continue;
      }
      const id = `arn:aws:ecs:${this.region}:${this.account}:task/${this.cluster}/run${(++this.runSeq).toString(16).padStart(29, '0')}`;
      const t = this.addTask({ ...shape, id, group: `family:${arn.split('/').pop()?.split(':')[0]}`, startedBy: input.startedBy as string | undefined, ...(provider ? { capacityProvider: provider } : {}), constraints: [], daemon: false }, target.arn, 'PENDING');
      t.taskDefinitionArn = arn;
      t.tags = (input.tags as Array<{ key: string; value: string }> | undefined) ?? [];
      started.push(id);
    }
    if (token && started.length > 0) this.runTaskTokens.set(token, started);
    return { tasks: started.map((taskArn) => ({ taskArn, lastStatus: this.tasks.get(taskArn)?.lastStatus })), failures };
  }

  protected ecs_StopTask(input: ECS.StopTaskCommandInput): Answer<ECS.StopTaskCommandOutput> {
    this.checkCluster(input.cluster);
    const t = this.tasks.get(input.task as string);
    if (!t) throw new SimulatedServiceError('InvalidParameterException', `The referenced task was not found: ${String(input.task)}`);
    if (t.desiredStatus !== 'STOPPED') {
      t.desiredStatus = 'STOPPED';
      t.lastStatus = 'STOPPED';
      t.stopCode = 'UserInitiated';
      t.stoppedReason = (input.reason as string | undefined) ?? 'Task stopped by user';
      t.stoppedAt = this.now;
      t.exitCode = 143;
      t.version += 1;
    }
    return { task: { taskArn: t.arn, lastStatus: t.lastStatus, desiredStatus: t.desiredStatus, stopCode: t.stopCode as ECS.TaskStopCode | undefined, stoppedReason: t.stoppedReason } };
  }

  private readonly runTaskTokens = new Map<string, string[]>();
  private runSeq = 0;

  /** `family`, `family:3` or an ARN → the ARN. */
  private taskDefinitionArn(ref: string): string {
    if (ref.startsWith('arn:')) return ref;
    const [family, revision] = ref.split(':');
    return `arn:aws:ecs:${this.region}:${this.account}:task-definition/${family}:${revision ?? '1'}`;
  }

  /** A task definition the simulated account has no task of runs as 256 CPU units and 512 MiB. */
  private defaultTaskDefinition(arn: string): SimTask {
    return { id: 'template', arn: 'template', cpu: 256, memoryMiB: 512, gpus: 0, awsvpc: false, hostPorts: [], constraints: [], daemon: false, containerInstanceArn: undefined, desiredStatus: 'RUNNING', lastStatus: 'PENDING', version: 1, taskDefinitionArn: arn, submittedAt: this.now };
  }

  // ---------- ECS placement rules (RunTask here, the scheduler in the time-driven world) ----------

  private readonly expressions = new Map<string, Expr | null>();

  /** What runs on each of these instances now. */
  protected usageOf(instances: SimInstance[]): Map<string, InstanceUsage> {
    const usage = new Map<string, InstanceUsage>(instances.map((i) => [i.arn, { cpu: 0, mem: 0, eni: 0, gpu: 0, ports: new Set(i.reservedPorts), groups: new Set<string>() }]));
    for (const t of this.tasks.values()) {
      const u = t.containerInstanceArn ? usage.get(t.containerInstanceArn) : undefined;
      if (u && t.lastStatus !== 'STOPPED') take(u, t);
    }
    return usage;
  }

  /**
   * Whether ECS may place the task on the instance (CPU, memory, GPUs, an ENI for awsvpc, free static
   * host ports, distinctInstance, memberOf): the memory left after it (binpack's measure), or undefined.
   */
  protected fitsOn(t: Task, i: SimInstance, u: InstanceUsage): number | undefined {
    const freeMem = i.registered.memoryMiB - u.mem - t.memoryMiB;
    if (i.registered.cpu - u.cpu < t.cpu || freeMem < 0 || i.registered.gpus - u.gpu < t.gpus) return undefined;
    if (t.awsvpc && i.registered.enis - u.eni < 1) return undefined;
    if (!t.awsvpc && t.hostPorts.some((p) => u.ports.has(p))) return undefined;
    if (t.constraints.some((c) => c.type === 'distinctInstance') && t.group && u.groups.has(t.group)) return undefined;
    for (const c of t.constraints) {
      if (c.type !== 'memberOf') continue;
      if (!this.expressions.has(c.expression)) {
        try {
          this.expressions.set(c.expression, parseExpression(c.expression));
        } catch {
          this.expressions.set(c.expression, null);
        }
      }
      const e = this.expressions.get(c.expression);
      if (!e || !evaluate(e, { type: i.type, az: i.az })) return undefined;
    }
    return freeMem;
  }

  /** RunTask's placement: binpack (least memory left) on ACTIVE instances of the provider's group; null when it has none. */
  private roomFor(t: Task, provider: string | undefined): SimInstance | undefined | null {
    const candidates = [...this.instances.values()].filter((i) => i.status === 'ACTIVE' && i.lifecycleState === 'InService' && (provider === undefined || i.group === provider));
    if (candidates.length === 0) return null;
    const usage = this.usageOf(candidates);
    let best: { i: SimInstance; free: number } | undefined;
    for (const i of candidates) {
      const u = usage.get(i.arn);
      const free = u ? this.fitsOn(t, i, u) : undefined;
      if (free !== undefined && (!best || free < best.free)) best = { i, free };
    }
    return best?.i;
  }

  protected ecs_UpdateService(input: ECS.UpdateServiceCommandInput): Answer<ECS.UpdateServiceCommandOutput> {
    this.checkCluster(input.cluster);
    const name = String(input.service).split('/').pop() ?? '';
    if (![...this.tasks.values()].some((t) => t.group === `service:${name}`)) throw new SimulatedServiceError('ServiceNotFoundException', `Service not found: ${name}`);
    const state: { desired?: number; tags: Map<string, string> } = this.serviceState.get(name) ?? { tags: new Map() };
    if (typeof input.desiredCount === 'number') state.desired = input.desiredCount;
    this.serviceState.set(name, state);
    return { service: { serviceName: name, desiredCount: state.desired } };
  }

  protected ecs_TagResource(input: ECS.TagResourceCommandInput): Answer<ECS.TagResourceCommandOutput> {
    const arn = String(input.resourceArn);
    const m = /:service\/[^/]+\/(.+)$/.exec(arn);
    if (!m) throw new SimulatedServiceError('InvalidParameterException', `the simulator tags services only: ${arn}`);
    const state: { desired?: number; tags: Map<string, string> } = this.serviceState.get(m[1] ?? '') ?? { tags: new Map() };
    for (const t of (input.tags as Array<{ key: string; value: string }>) ?? []) state.tags.set(t.key, t.value);
    this.serviceState.set(m[1] ?? '', state);
    return {};
  }

  /** Tasks with scale-in protection on (set with `protectTask`). */
  protected readonly protectedTasks = new Set<string>();

  public protectTask(arn: string): void {
    this.protectedTasks.add(arn);
  }

  protected ecs_GetTaskProtection(input: ECS.GetTaskProtectionCommandInput): Answer<ECS.GetTaskProtectionCommandOutput> {
    this.checkCluster(input.cluster);
    const arns = (input.tasks as string[]) ?? [];
    if (arns.length > 10) throw new SimulatedServiceError('InvalidParameterException', 'tasks can have at most 10 items');
    return { protectedTasks: arns.map((taskArn) => ({ taskArn, protectionEnabled: this.protectedTasks.has(taskArn) })), failures: [] };
  }

  protected ecs_UpdateContainerInstancesState(input: ECS.UpdateContainerInstancesStateCommandInput): Answer<ECS.UpdateContainerInstancesStateCommandOutput> {
    this.checkCluster(input.cluster);
    const arns = (input.containerInstances as string[]) ?? [];
    if (arns.length > 10) throw new SimulatedServiceError('InvalidParameterException', 'containerInstances can have at most 10 items');
    const status = input.status as string;
    const containerInstances = [];
    const failures = [];
    for (const arn of arns) {
      const i = this.instances.get(arn);
      if (!i) {
        failures.push({ arn, reason: 'MISSING' });
        continue;
      }
      if (i.status !== status) {
        i.status = status;
        i.version += 1;
      }
      containerInstances.push({ containerInstanceArn: arn, status: i.status });
    }
    return { containerInstances, failures };
  }

  protected ecs_PutAttributes(input: ECS.PutAttributesCommandInput): Answer<ECS.PutAttributesCommandOutput> {
    this.checkCluster(input.cluster);
    const attributes = (input.attributes as Array<{ name: string; value?: string; targetId?: string }>) ?? [];
    if (attributes.length > 10) throw new SimulatedServiceError('InvalidParameterException', 'attributes can have at most 10 items');
    for (const a of attributes) {
      const i = this.instances.get(a.targetId ?? '');
      if (!i) throw new SimulatedServiceError('TargetNotFoundException', `no container instance ${a.targetId}`);
      i.attributes.set(a.name, a.value ?? '');
    }
    return { attributes };
  }

  protected ecs_DeleteAttributes(input: ECS.DeleteAttributesCommandInput): Answer<ECS.DeleteAttributesCommandOutput> {
    this.checkCluster(input.cluster);
    const attributes = (input.attributes as Array<{ name: string; targetId?: string }>) ?? [];
    for (const a of attributes) this.instances.get(a.targetId ?? '')?.attributes.delete(a.name);
    return { attributes };
  }

  protected ecs_DescribeClusters(input: ECS.DescribeClustersCommandInput): Answer<ECS.DescribeClustersCommandOutput> {
    const names = ((input.clusters as string[]) ?? []).map((c) => c.split('/').pop());
    if (!names.includes(this.cluster)) return { clusters: [], failures: names.map((n) => ({ arn: n, reason: 'MISSING' })) };
    return { clusters: [{ clusterArn: this.clusterArn(), clusterName: this.cluster, status: 'ACTIVE', capacityProviders: this.snapshot.groups.map((g) => g.name) }], failures: [] };
  }

  protected ecs_DescribeCapacityProviders(input: ECS.DescribeCapacityProvidersCommandInput): Answer<ECS.DescribeCapacityProvidersCommandOutput> {
    const names = (input.capacityProviders as string[]) ?? [];
    return {
      capacityProviders: this.snapshot.groups
        .filter((g) => names.includes(g.name))
        .map((g) => ({
          name: g.name,
          status: 'ACTIVE',
          autoScalingGroupProvider: { autoScalingGroupArn: `arn:aws:autoscaling:${this.region}:${this.account}:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/${g.asg}` },
        })),
    };
  }

  // ---------- Auto Scaling ----------

  protected autoscaling_DescribeAutoScalingGroups(input: ASG.DescribeAutoScalingGroupsCommandInput): Answer<ASG.DescribeAutoScalingGroupsCommandOutput> {
    const names = (input.AutoScalingGroupNames as string[] | undefined) ?? [...this.groups.keys()];
    const list = names.flatMap((n) => {
      const g = this.groups.get(n);
      const snap = this.snapshot.groups.find((x) => x.asg === n);
      if (!g || !snap) return [];
      return [
        {
          AutoScalingGroupName: g.asg,
          MinSize: g.min,
          MaxSize: g.max,
          DefaultCooldown: 300,
          AvailabilityZones: [...new Set([...this.instances.values()].map((i) => i.az))].sort(),
          HealthCheckType: 'EC2',
          CreatedTime: new Date(0),
          DesiredCapacity: g.desired,
          MixedInstancesPolicy: { LaunchTemplate: { Overrides: snap.instanceTypes.map((t) => ({ InstanceType: t.type, WeightedCapacity: String(t.weight) })) } },
          Instances: [...this.instances.values()]
            .filter((i) => i.group === g.name && i.lifecycleState !== 'Terminated')
            .map((i) => ({
              InstanceId: i.ec2InstanceId,
              InstanceType: i.type,
              AvailabilityZone: i.az,
              LifecycleState: i.lifecycleState as ASG.LifecycleState,
              HealthStatus: 'Healthy',
              ProtectedFromScaleIn: i.protected,
              WeightedCapacity: String(weightOf(snap, i.type)),
            })),
        },
      ];
    });
    const p = page(list, input.NextToken as string | undefined, input.MaxRecords as number | undefined);
    return { AutoScalingGroups: p.items, NextToken: p.nextToken };
  }

  protected autoscaling_DescribeAutoScalingInstances(input: ASG.DescribeAutoScalingInstancesCommandInput): Answer<ASG.DescribeAutoScalingInstancesCommandOutput> {
    const ids = (input.InstanceIds as string[]) ?? [];
    if (ids.length > 50) throw new SimulatedServiceError('ValidationError', 'InstanceIds can have at most 50 items');
    return {
      AutoScalingInstances: ids.flatMap((id) => {
        const i = this.instance(id);
        const g = i ? [...this.groups.values()].find((x) => x.name === i.group) : undefined;
        return i && g && i.lifecycleState !== 'Terminated'
          ? [{ InstanceId: id, AutoScalingGroupName: g.asg, AvailabilityZone: i.az, LifecycleState: i.lifecycleState, HealthStatus: 'HEALTHY', ProtectedFromScaleIn: i.protected, InstanceType: i.type }]
          : [];
      }),
    };
  }

  protected autoscaling_SetDesiredCapacity(input: ASG.SetDesiredCapacityCommandInput): Answer<ASG.SetDesiredCapacityCommandOutput> {
    const g = this.group(input.AutoScalingGroupName);
    const desired = input.DesiredCapacity as number;
    if (desired < g.min || desired > g.max) {
      throw new SimulatedServiceError('ValidationError', `New SetDesiredCapacity value ${desired} is ${desired < g.min ? 'below min value' : 'above max value'} ${desired < g.min ? g.min : g.max} for the AutoScalingGroup.`);
    }
    g.desired = desired;
    return {};
  }

  protected autoscaling_SetInstanceProtection(input: ASG.SetInstanceProtectionCommandInput): Answer<ASG.SetInstanceProtectionCommandOutput> {
    const g = this.group(input.AutoScalingGroupName);
    const ids = (input.InstanceIds as string[]) ?? [];
    if (ids.length > 50) throw new SimulatedServiceError('ValidationError', 'InstanceIds can have at most 50 items');
    for (const id of ids) {
      const i = this.instance(id) as SimInstance | undefined;
      if (!i || i.group !== g.name) throw new SimulatedServiceError('ValidationError', `The instance ${id} is not part of Auto Scaling group ${g.asg}.`);
      i.protected = input.ProtectedFromScaleIn as boolean;
    }
    return {};
  }

  private waitingHook(input: { AutoScalingGroupName: string | undefined; InstanceId?: string | undefined; LifecycleHookName: string | undefined }): SimInstance {
    const g = this.group(input.AutoScalingGroupName);
    const i = this.instance(input.InstanceId as string) as SimInstance | undefined;
    if (!i || i.group !== g.name || i.lifecycleState !== 'Terminating:Wait' || g.hook !== input.LifecycleHookName) {
      throw new SimulatedServiceError('ValidationError', `No active Lifecycle Action found with instance ID ${String(input.InstanceId)}`);
    }
    return i;
  }

  protected autoscaling_CompleteLifecycleAction(input: ASG.CompleteLifecycleActionCommandInput): Answer<ASG.CompleteLifecycleActionCommandOutput> {
    const i = this.waitingHook(input);
    i.lifecycleState = input.LifecycleActionResult === 'ABANDON' || input.LifecycleActionResult === 'CONTINUE' ? 'Terminated' : i.lifecycleState;
    i.status = 'INACTIVE';
    return {};
  }

  protected autoscaling_RecordLifecycleActionHeartbeat(input: ASG.RecordLifecycleActionHeartbeatCommandInput): Answer<ASG.RecordLifecycleActionHeartbeatCommandOutput> {
    this.waitingHook(input);
    return {};
  }

  protected autoscaling_TerminateInstanceInAutoScalingGroup(input: ASG.TerminateInstanceInAutoScalingGroupCommandInput): Answer<ASG.TerminateInstanceInAutoScalingGroupCommandOutput> {
    const i = this.instance(input.InstanceId as string) as SimInstance | undefined;
    if (!i) throw new SimulatedServiceError('ValidationError', `Instance Id not found - No managed instance found for instance ID: ${String(input.InstanceId)}`);
    const g = [...this.groups.values()].find((x) => x.name === i.group);
    if (!g) throw new SimulatedServiceError('ValidationError', 'instance is in no group');
    if (i.lifecycleState.startsWith('Terminating') || i.lifecycleState === 'Terminated') {
      throw new SimulatedServiceError('ValidationError', `The instance ${i.ec2InstanceId} is already terminating.`);
    }
    const snap = this.snapshot.groups.find((x) => x.asg === g.asg);
    if (input.ShouldDecrementDesiredCapacity) {
      const w = snap ? weightOf(snap, i.type) : 1;
      if (g.desired - w < g.min) throw new SimulatedServiceError('ValidationError', `Currently, desiredSize equals minSize (${g.min}). Terminating instance without replacement will violate group's min size constraint.`);
      g.desired -= w;
    }
    i.lifecycleState = g.hook ? 'Terminating:Wait' : 'Terminated';
    if (!g.hook) i.status = 'INACTIVE';
    return { Activity: { ActivityId: `terminate-${i.ec2InstanceId}`, AutoScalingGroupName: g.asg, StatusCode: 'InProgress', Cause: 'ecs-pilot terminated the instance', StartTime: new Date(this.now) } };
  }

  // ---------- EC2 ----------

  protected ec2_DescribeInstanceTypes(input: EC2.DescribeInstanceTypesCommandInput): Answer<EC2.DescribeInstanceTypesCommandOutput> {
    const names = (input.InstanceTypes as string[]) ?? Object.keys(this.snapshot.instanceTypes);
    if (names.length > 100) throw new SimulatedServiceError('InvalidParameterValue', 'InstanceTypes can have at most 100 items');
    return {
      InstanceTypes: names.flatMap((n) => {
        const t = this.snapshot.instanceTypes[n];
        if (!t) return [];
        return [
          {
            InstanceType: n as EC2._InstanceType,
            VCpuInfo: { DefaultVCpus: Math.round(t.cpu / 1024) },
            MemoryInfo: { SizeInMiB: Math.ceil(t.memoryMiB / 0.94) },
            NetworkInfo: { MaximumNetworkInterfaces: t.enis + 1 },
            ...(t.gpus > 0 ? { GpuInfo: { Gpus: [{ Count: t.gpus, Name: 'gpu' }] } } : {}),
          },
        ];
      }),
    };
  }

  // ---------- helpers ----------

  protected clusterArn(): string {
    return `arn:aws:ecs:${this.region}:${this.account}:cluster/${this.cluster}`;
  }

  private checkCluster(cluster: unknown): void {
    const name = typeof cluster === 'string' ? cluster.split('/').pop() : undefined;
    if (name !== this.cluster) throw new SimulatedServiceError('ClusterNotFoundException', `Cluster not found: ${String(cluster)}`);
  }

  private group(name: unknown) {
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
