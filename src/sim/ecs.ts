/** The simulated account's ECS commands, typed with the SDK's input and output types; ECS's placement rules. */
import type * as ECS from '@aws-sdk/client-ecs';
import { evaluate, parseExpression, type Expr } from '../core/capacity/expression.js';
import type { Task } from '../core/model.js';
import { lookup, page, SimState, SimulatedServiceError, take, type Answer, type InstanceUsage, type SimInstance, type SimTask } from './state.js';

export class SimEcs extends SimState {
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
    // One pass over the tasks for the whole page (a 50 000-task cluster is read 100 instances at a time).
    const wanted = new Set(found.map((i) => i.arn));
    const tasksOn = new Map<string, SimTask[]>();
    for (const t of this.tasks.values()) {
      if (!t.containerInstanceArn || !wanted.has(t.containerInstanceArn) || t.lastStatus === 'STOPPED') continue;
      const list = tasksOn.get(t.containerInstanceArn) ?? [];
      list.push(t);
      tasksOn.set(t.containerInstanceArn, list);
    }
    return { containerInstances: found.map((i) => this.describeInstance(i, tasksOn.get(i.arn) ?? [])), failures };
  }

  /** A container instance as DescribeContainerInstances answers it; its state change event's detail is the same object. */
  protected describeInstance(i: SimInstance, tasksOnIt?: SimTask[]): ECS.ContainerInstance {
    const arn = i.arn;
    const onIt = tasksOnIt ?? [...this.tasks.values()].filter((t) => t.containerInstanceArn === arn && t.lastStatus !== 'STOPPED');
    const used = onIt.reduce((a, t) => ({ cpu: a.cpu + t.cpu, mem: a.mem + t.memoryMiB }), { cpu: 0, mem: 0 });
    return {
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
        // ECS lists here the ports taken now: the reserved ones and those of the tasks on it.
        { name: 'PORTS', type: 'STRINGSET', stringSetValue: [...new Set([...i.reservedPorts, ...onIt.flatMap((t) => (t.awsvpc ? [] : t.hostPorts))])].map(String) },
      ],
    };
  }

  protected ecs_ListTasks(input: ECS.ListTasksCommandInput): Answer<ECS.ListTasksCommandOutput> {
    this.checkCluster(input.cluster);
    const desired = (input.desiredStatus as string | undefined) ?? 'RUNNING';
    const family = input.family as string | undefined;
    // The list is taken on the first page and kept for the next ones (a 50 000-task cluster is 500 pages).
    const key = JSON.stringify([desired, input.containerInstance, input.serviceName, input.startedBy, family]);
    let arns = input.nextToken !== undefined && this.listing?.key === key ? this.listing.arns : undefined;
    if (!arns) {
      arns = [...this.tasks.values()]
        .filter(
          (t) =>
            t.desiredStatus === desired &&
            (input.containerInstance === undefined || t.containerInstanceArn === input.containerInstance) &&
            (input.serviceName === undefined || t.group === `service:${input.serviceName}`) &&
            (input.startedBy === undefined || t.startedBy === input.startedBy) &&
            (family === undefined || t.taskDefinitionArn.split('/').pop()?.split(':')[0] === family),
        )
        .map((t) => t.arn);
      this.listing = { key, arns };
    }
    const p = page(arns, input.nextToken as string | undefined, input.maxResults as number | undefined);
    return { taskArns: p.items, nextToken: p.nextToken };
  }

  /** The last ListTasks listing, for its next pages. */
  private listing: { key: string; arns: string[] } | undefined;

  protected ecs_DescribeTasks(input: ECS.DescribeTasksCommandInput): Answer<ECS.DescribeTasksCommandOutput> {
    this.checkCluster(input.cluster);
    const { found, failures } = lookup(input.tasks, 'tasks', this.tasks);
    const withTags = (input.include as string[] | undefined)?.includes('TAGS') === true;
    return { tasks: found.map((t) => this.describeTask(t, withTags)), failures };
  }

  /** A task as DescribeTasks answers it; its state change event's detail is the same object. */
  protected describeTask(t: SimTask, withTags = false): ECS.Task {
    return {
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
      ...(withTags ? { tags: t.tags ?? [] } : {}),
      attachments: t.awsvpc ? [{ type: 'ElasticNetworkInterface', status: t.containerInstanceArn ? 'ATTACHED' : 'PRECREATED' }] : [],
      containers: [
        {
          name: 'main',
          lastStatus: t.lastStatus,
          ...(t.exitCode !== undefined ? { exitCode: t.exitCode } : {}),
          networkBindings: t.containerInstanceArn && !t.awsvpc && t.lastStatus === 'RUNNING' ? t.hostPorts.map((p) => ({ hostPort: p, containerPort: p, protocol: 'tcp' as const })) : [],
          gpuIds: t.containerInstanceArn ? Array.from({ length: t.gpus }, (_, k) => String(k)) : [],
        },
      ],
    };
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
    // RunTask reference: up to 128 letters, digits, hyphens, forward slashes and underscores.
    if (input.startedBy !== undefined && !/^[A-Za-z0-9/_-]{1,128}$/.test(String(input.startedBy))) throw new SimulatedServiceError('InvalidParameterException', `startedBy ${String(input.startedBy)} is invalid`);
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
        this.taskChanged(t, undefined);
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
      this.taskChanged(t, undefined);
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
      // Two changes, as ECS reports them: desired STOPPED first, then the task stopped.
      t.desiredStatus = 'STOPPED';
      t.stopCode = 'UserInitiated';
      t.stoppedReason = (input.reason as string | undefined) ?? 'Task stopped by user';
      this.taskChanged(t, t.lastStatus);
      const before = t.lastStatus;
      t.lastStatus = 'STOPPED';
      t.stoppedAt = this.now;
      t.exitCode = 143;
      this.taskChanged(t, before);
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
        this.instanceChanged(i);
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

  /** ListAttributes of container instances (the only target type ECS has), by name and value, paginated. */
  protected ecs_ListAttributes(input: ECS.ListAttributesCommandInput): Answer<ECS.ListAttributesCommandOutput> {
    this.checkCluster(input.cluster);
    if (input.targetType !== 'container-instance') throw new SimulatedServiceError('InvalidParameterException', 'targetType must be container-instance');
    if (input.attributeValue !== undefined && input.attributeName === undefined) throw new SimulatedServiceError('InvalidParameterException', 'attributeValue needs attributeName');
    const max = input.maxResults ?? 100;
    if (max < 1 || max > 100) throw new SimulatedServiceError('InvalidParameterException', 'maxResults must be between 1 and 100');
    const all: ECS.Attribute[] = [];
    for (const i of this.instances.values()) {
      if (i.status === 'INACTIVE') continue;
      for (const [name, value] of i.attributes) {
        if (input.attributeName !== undefined && name !== input.attributeName) continue;
        if (input.attributeValue !== undefined && value !== input.attributeValue) continue;
        all.push({ name, value, targetType: 'container-instance', targetId: i.arn });
      }
    }
    const p = page(all, input.nextToken, max);
    return { attributes: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
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
          autoScalingGroupProvider: { autoScalingGroupArn: `arn:aws:autoscaling:${this.region}:${this.account}:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/${g.asg}`, managedDraining: g.awsSettings?.managedDraining ?? 'DISABLED' },
        })),
    };
  }

}
