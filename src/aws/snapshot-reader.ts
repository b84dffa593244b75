/**
 * Observe: builds a cluster snapshot v1 from ECS, EC2 and Auto Scaling.
 *
 * - `readInstanceSnapshot`: what one instance's event needs (spot warning, rebalance, lifecycle hook):
 *   the instance, its tasks, its group (and fallback group) — a constant number of calls whatever
 *   the cluster's size.
 * - `readClusterSnapshot`: the whole cluster for the reconcile loop and capacity events, paginated and
 *   batched to the API maxima (Describe* 100).
 * Instance type data is cached across warm invocations.
 */
import { DescribeAutoScalingGroupsCommand, type AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { DescribeInstanceTypesCommand, type InstanceTypeInfo, type _InstanceType } from '@aws-sdk/client-ec2';
import {
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  type ContainerInstance,
  type DesiredStatus,
  type Task as EcsTask,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { ClusterConfig, GroupConfig } from '../config/schema.js';
import { DEFAULT_RESERVED_PORTS, parseSnapshot, type Snapshot, type SnapshotInput } from '../core/model.js';
import { API_LIMITS, chunks } from './batch.js';
import type { Clients } from './clients.js';
import { serviceDeficits } from './service-deficits.js';
import { clearProviderCache, readProviders } from './capacity-providers.js';
import { withModes } from '../core/capacity/modes.js';

type InstanceInput = NonNullable<SnapshotInput['instances']>[number];
type TaskInput = NonNullable<SnapshotInput['pending']>[number];
type GroupInput = SnapshotInput['groups'][number];
type TypeSpec = SnapshotInput['instanceTypes'][string];

export interface ReadContext {
  clients: Clients;
  /** What reading needs of the cluster's config. */
  cluster: Pick<ClusterConfig, 'name' | 'groups' | 'daemonServices'>;
  now: Date;
}

// ---------- caches kept across warm invocations ----------

const instanceTypeInfo = new Map<string, InstanceTypeInfo>();
const taskDefinitions = new Map<string, TaskDefinition>();

/** Forgets cached instance types and task definitions (tests). */
export function clearReaderCaches(): void {
  instanceTypeInfo.clear();
  taskDefinitions.clear();
  clearProviderCache();
}

// ---------- small helpers ----------

const PENDING_STATES = new Set(['Pending', 'Pending:Wait', 'Pending:Proceed', 'Warmed:Pending', 'Warmed:Pending:Wait', 'Warmed:Pending:Proceed']);
const LEAVING_STATES = new Set(['Terminating', 'Terminating:Wait', 'Terminating:Proceed', 'Terminated', 'Detaching', 'Detached', 'Standby', 'EnteringStandby']);

function resource(ci: ContainerInstance, name: string, which: 'registeredResources' | 'remainingResources'): number | undefined {
  return ci[which]?.find((r) => r.name === name)?.integerValue;
}

function attribute(ci: ContainerInstance, name: string): string | undefined {
  return ci.attributes?.find((a) => a.name === name)?.value;
}

function groupTypes(asg: AutoScalingGroup, config: GroupConfig): Array<{ type: string; weight: number; pricePerHour?: number }> {
  const overrides = asg.MixedInstancesPolicy?.LaunchTemplate?.Overrides ?? [];
  const types = overrides.flatMap((o) => (o.InstanceType ? [{ type: o.InstanceType, weight: Number(o.WeightedCapacity ?? 1) || 1 }] : []));
  if (types.length === 0) {
    for (const i of asg.Instances ?? []) {
      if (i.InstanceType && !types.some((t) => t.type === i.InstanceType)) types.push({ type: i.InstanceType, weight: Number(i.WeightedCapacity ?? 1) || 1 });
    }
  }
  return types.map((t) => (config.prices[t.type] !== undefined ? { ...t, pricePerHour: config.prices[t.type] } : t));
}

async function describeGroups(ctx: ReadContext, names: string[]): Promise<AutoScalingGroup[]> {
  const out: AutoScalingGroup[] = [];
  for (const batch of chunks(names, API_LIMITS.describe)) {
    let token: string | undefined;
    do {
      const page = await ctx.clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: batch, NextToken: token, MaxRecords: 100 }));
      out.push(...(page.AutoScalingGroups ?? []));
      token = page.NextToken;
    } while (token);
  }
  return out;
}

async function describeInstanceTypes(ctx: ReadContext, types: string[]): Promise<void> {
  const missing = [...new Set(types)].filter((t) => !instanceTypeInfo.has(t));
  for (const batch of chunks(missing, API_LIMITS.describe)) {
    const page = await ctx.clients.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: batch as _InstanceType[] }));
    for (const info of page.InstanceTypes ?? []) if (info.InstanceType) instanceTypeInfo.set(info.InstanceType, info);
  }
}

/**
 * What ECS registers for tasks on one instance of the type: the registered resources of a running
 * instance of that type when the cluster has one (the AMI decides), else an estimate from EC2's data
 * (memory less 6 % for the OS and agent).
 */
function typeSpec(type: string, sample: ContainerInstance | undefined): TypeSpec {
  const info = instanceTypeInfo.get(type);
  const vcpus = info?.VCpuInfo?.DefaultVCpus ?? 0;
  const memory = info?.MemoryInfo?.SizeInMiB ?? 0;
  const gpus = (info?.GpuInfo?.Gpus ?? []).reduce((a, g) => a + (g.Count ?? 0), 0);
  const enis = Math.max(0, (info?.NetworkInfo?.MaximumNetworkInterfaces ?? 1) - 1);
  return {
    cpu: (sample && resource(sample, 'CPU', 'registeredResources')) ?? vcpus * 1024,
    memoryMiB: (sample && resource(sample, 'MEMORY', 'registeredResources')) ?? Math.floor(memory * 0.94),
    enis,
    gpus: (sample && resource(sample, 'GPU', 'registeredResources')) ?? gpus,
  };
}

/** DescribeTaskDefinition, cached across warm invocations (a revision never changes). */
export async function describeTaskDefinition(clients: Clients, ref: string): Promise<TaskDefinition | undefined> {
  return taskDefinition({ clients, cluster: { name: '', groups: [], daemonServices: [] }, now: new Date(0) }, ref);
}

async function taskDefinition(ctx: ReadContext, arn: string): Promise<TaskDefinition | undefined> {
  if (!taskDefinitions.has(arn)) {
    const out = await ctx.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
    if (out.taskDefinition) taskDefinitions.set(arn, out.taskDefinition);
  }
  return taskDefinitions.get(arn);
}

/** A task as the planner sees it; waiting tasks take ports, GPUs and constraints from their definition. */
export function toTask(t: EcsTask, def: TaskDefinition | undefined, daemonServices: ReadonlySet<string>): TaskInput {
  const containers = t.containers ?? [];
  const sum = (f: (c: (typeof containers)[number]) => string | undefined): number => containers.reduce((a, c) => a + (Number(f(c) ?? 0) || 0), 0);
  const defContainers = def?.containerDefinitions ?? [];
  const awsvpc = def?.networkMode === 'awsvpc' || (t.attachments ?? []).some((a) => a.type === 'ElasticNetworkInterface' || a.type === 'eni');
  const bound = containers.flatMap((c) => (c.networkBindings ?? []).map((b) => b.hostPort ?? 0));
  const declared = defContainers.flatMap((c) => (c.portMappings ?? []).map((p) => p.hostPort ?? 0));
  const hostPorts = [...new Set((bound.length > 0 ? bound : declared).filter((p) => p > 0))];
  const gpus =
    containers.reduce((a, c) => a + (c.gpuIds?.length ?? 0), 0) ||
    defContainers.reduce((a, c) => a + (c.resourceRequirements ?? []).filter((r) => r.type === 'GPU').reduce((x, r) => x + Number(r.value ?? 0), 0), 0);
  const group = t.group;
  const service = group?.startsWith('service:') ? group.slice('service:'.length) : undefined;
  return {
    id: t.taskArn ?? 'unknown',
    cpu: Number(t.cpu ?? 0) || sum((c) => c.cpu),
    memoryMiB: Number(t.memory ?? 0) || sum((c) => c.memory ?? c.memoryReservation),
    gpus,
    awsvpc,
    hostPorts: awsvpc ? [] : hostPorts,
    ...(group ? { group } : {}),
    ...(t.startedBy ? { startedBy: t.startedBy } : {}),
    ...(t.capacityProviderName ? { capacityProvider: t.capacityProviderName } : {}),
    constraints: (def?.placementConstraints ?? []).flatMap((c) => (c.type === 'memberOf' && c.expression ? [{ type: 'memberOf' as const, expression: c.expression }] : [])),
    daemon: service !== undefined && daemonServices.has(service),
    ...(t.lastStatus ? { lastStatus: t.lastStatus } : {}),
  };
}

async function describeTasks(ctx: ReadContext, arns: string[]): Promise<EcsTask[]> {
  const out: EcsTask[] = [];
  for (const batch of chunks([...new Set(arns)], API_LIMITS.describe)) {
    const page = await ctx.clients.ecs.send(new DescribeTasksCommand({ cluster: ctx.cluster.name, tasks: batch }));
    out.push(...(page.tasks ?? []));
  }
  return out;
}

async function listTasks(ctx: ReadContext, input: { containerInstance?: string; desiredStatus: DesiredStatus }): Promise<string[]> {
  const arns: string[] = [];
  let token: string | undefined;
  do {
    const page = await ctx.clients.ecs.send(new ListTasksCommand({ cluster: ctx.cluster.name, ...input, nextToken: token, maxResults: 100 }));
    arns.push(...(page.taskArns ?? []));
    token = page.nextToken;
  } while (token);
  return arns;
}

async function describeContainerInstances(ctx: ReadContext, arns: string[]): Promise<ContainerInstance[]> {
  const out: ContainerInstance[] = [];
  for (const batch of chunks(arns, API_LIMITS.describe)) {
    const page = await ctx.clients.ecs.send(new DescribeContainerInstancesCommand({ cluster: ctx.cluster.name, containerInstances: batch }));
    out.push(...(page.containerInstances ?? []));
  }
  return out;
}

function toGroup(config: GroupConfig, asg: AutoScalingGroup, registered: ReadonlySet<string>, partial: boolean): GroupInput {
  const types = groupTypes(asg, config);
  const weight = (type: string | undefined): number => types.find((t) => t.type === type)?.weight ?? 1;
  const launching = new Map<string, number>();
  let inService = 0;
  for (const i of asg.Instances ?? []) {
    const state = i.LifecycleState ?? '';
    if (LEAVING_STATES.has(state)) continue;
    const isRegistered = i.InstanceId !== undefined && registered.has(i.InstanceId);
    if (PENDING_STATES.has(state) || (!partial && !isRegistered)) {
      if (i.InstanceType) launching.set(i.InstanceType, (launching.get(i.InstanceType) ?? 0) + 1);
    } else {
      inService += weight(i.InstanceType);
    }
  }
  const min = asg.MinSize ?? 0;
  const max = Math.max(min, asg.MaxSize ?? 0);
  return {
    name: config.name,
    asg: config.asg,
    lifecycle: config.lifecycle,
    min,
    max,
    desired: Math.min(max, Math.max(min, asg.DesiredCapacity ?? 0)),
    targetCapacityPercent: config.targetCapacityPercent,
    instanceTypes: types.length > 0 ? types : [{ type: 'unknown', weight: 1 }],
    // A partial snapshot cannot tell what launching capacity is for: all of it is spoken for.
    launching: partial ? [] : [...launching].map(([type, count]) => ({ type, count })),
    ...(partial ? { inServiceUnits: Math.max(asg.DesiredCapacity ?? 0, inService + [...launching].reduce((a, [type, n]) => a + weight(type) * n, 0)) } : {}),
  };
}

function toInstance(ci: ContainerInstance, group: string, asgInstance: NonNullable<AutoScalingGroup['Instances']>[number] | undefined, tasks: TaskInput[]): InstanceInput {
  const registered = { cpu: resource(ci, 'CPU', 'registeredResources') ?? 0, memoryMiB: resource(ci, 'MEMORY', 'registeredResources') ?? 0 };
  const reserved = ci.registeredResources?.find((r) => r.name === 'PORTS')?.stringSetValue?.map(Number).filter((p) => p > 0);
  const attributes = Object.fromEntries((ci.attributes ?? []).filter((a) => a.name?.startsWith('ecs-pilot.') && a.value !== undefined).map((a) => [a.name!, a.value!]));
  return {
    id: ci.containerInstanceArn ?? 'unknown',
    ec2InstanceId: ci.ec2InstanceId ?? 'unknown',
    group,
    type: attribute(ci, 'ecs.instance-type') ?? asgInstance?.InstanceType ?? 'unknown',
    az: attribute(ci, 'ecs.availability-zone') ?? asgInstance?.AvailabilityZone ?? 'unknown',
    status: (ci.status ?? 'ACTIVE') as InstanceInput['status'],
    protected: asgInstance?.ProtectedFromScaleIn ?? false,
    reservedPorts: reserved && reserved.length > 0 ? reserved : [...DEFAULT_RESERVED_PORTS],
    ...(registered.cpu > 0 ? { registered: { ...registered, enis: 0, gpus: resource(ci, 'GPU', 'registeredResources') ?? 0 } } : {}),
    attributes,
    ...(asgInstance?.LifecycleState ? { lifecycleState: asgInstance.LifecycleState } : {}),
    tasks,
  };
}

async function assemble(
  ctx: ReadContext,
  asgs: Map<string, AutoScalingGroup>,
  instances: InstanceInput[],
  samples: ContainerInstance[],
  pending: TaskInput[],
  registered: ReadonlySet<string>,
  partial: boolean,
): Promise<Snapshot> {
  const groups = ctx.cluster.groups.flatMap((g) => {
    const asg = asgs.get(g.asg);
    return asg ? [toGroup(g, asg, registered, partial)] : [];
  });
  const types = new Set<string>([...groups.flatMap((g) => g.instanceTypes.map((t) => t.type)), ...instances.map((i) => i.type)]);
  types.delete('unknown');
  await describeInstanceTypes(ctx, [...types]);
  const instanceTypes: Record<string, TypeSpec> = { unknown: { cpu: 0, memoryMiB: 0, enis: 0, gpus: 0 } };
  for (const type of types) instanceTypes[type] = typeSpec(type, samples.find((s) => attribute(s, 'ecs.instance-type') === type));
  // ENIs come from EC2's data: registered resources do not list them.
  for (const inst of instances) if (inst.registered) inst.registered.enis = instanceTypes[inst.type]?.enis ?? 0;
  return parseSnapshot({ version: 1, cluster: ctx.cluster.name, takenAt: ctx.now.toISOString(), instanceTypes, groups, instances, pending });
}

/** The configured Auto Scaling groups, by name, with their instances (one call per 100 groups). */
export async function describeConfiguredGroups(clients: Clients, asgNames: string[], now: Date): Promise<Map<string, AutoScalingGroup>> {
  const ctx = { clients, cluster: { name: '', groups: [], daemonServices: [] }, now };
  const list = await describeGroups(ctx, [...new Set(asgNames)]);
  return new Map(list.map((a) => [a.AutoScalingGroupName ?? '', a]));
}

/** The group whose instances include the EC2 instance. */
export function asgContaining(asgs: Map<string, AutoScalingGroup>, ec2InstanceId: string): string | undefined {
  for (const [name, asg] of asgs) if (asg.Instances?.some((i) => i.InstanceId === ec2InstanceId)) return name;
  return undefined;
}

/**
 * The snapshot one instance's event needs: the instance, its tasks, its group and fallback group,
 * given those groups as already described. Calls: ListContainerInstances, DescribeContainerInstances,
 * ListTasks (×2 with `includeStopping`), DescribeTasks, and DescribeInstanceTypes on a cold start —
 * whatever the cluster's size.
 *
 * It sees one instance, not what the group's launching capacity is for, so every unit the ASG has or
 * is launching counts as spoken for (`inServiceUnits`): a plan on it asks only for what this
 * instance's tasks need.
 */
export async function readInstanceSnapshot(ctx: ReadContext, ec2InstanceId: string, asgs: Map<string, AutoScalingGroup>, options: { includeStopping?: boolean } = {}): Promise<Snapshot | undefined> {
  const asgName = asgContaining(asgs, ec2InstanceId);
  const group = ctx.cluster.groups.find((g) => g.asg === asgName);
  if (!group) return undefined;

  const listed = await ctx.clients.ecs.send(new ListContainerInstancesCommand({ cluster: ctx.cluster.name, filter: `ec2InstanceId == ${ec2InstanceId}` }));
  const cis = await describeContainerInstances(ctx, listed.containerInstanceArns ?? []);
  const asgInstance = asgs.get(group.asg)?.Instances?.find((i) => i.InstanceId === ec2InstanceId);

  const instances: InstanceInput[] = [];
  for (const ci of cis) {
    const arn = ci.containerInstanceArn ?? '';
    // Tasks still running and, for a lifecycle hook, those told to stop that have not stopped yet.
    const running = await listTasks(ctx, { containerInstance: arn, desiredStatus: 'RUNNING' });
    const stopping = options.includeStopping ? await listTasks(ctx, { containerInstance: arn, desiredStatus: 'STOPPED' }) : [];
    const tasks = (await describeTasks(ctx, [...running, ...stopping])).filter((t) => t.lastStatus !== 'STOPPED');
    const daemonServices = new Set(ctx.cluster.daemonServices);
    instances.push(toInstance(ci, group.name, asgInstance, tasks.map((t) => toTask(t, undefined, daemonServices))));
  }
  return assemble(ctx, asgs, instances, cis, [], new Set(cis.map((c) => c.ec2InstanceId ?? '')), true);
}

export interface ClusterReadOptions {
  /** A service whose tasks could not be placed (SERVICE_TASK_PLACEMENT_FAILURE); every service's missing tasks are demand anyway. */
  service?: string;
}

/** The whole cluster: every container instance and task, every configured group. */
export async function readClusterSnapshot(ctx: ReadContext, options: ClusterReadOptions = {}): Promise<Snapshot> {
  const asgList = await describeGroups(ctx, ctx.cluster.groups.map((g) => g.asg));
  const asgs = new Map(asgList.map((a) => [a.AutoScalingGroupName ?? '', a]));
  const asgOf = new Map<string, { group: GroupConfig; instance: NonNullable<AutoScalingGroup['Instances']>[number] }>();
  for (const g of ctx.cluster.groups) for (const i of asgs.get(g.asg)?.Instances ?? []) if (i.InstanceId) asgOf.set(i.InstanceId, { group: g, instance: i });

  const arns: string[] = [];
  let token: string | undefined;
  do {
    const page = await ctx.clients.ecs.send(new ListContainerInstancesCommand({ cluster: ctx.cluster.name, nextToken: token, maxResults: 100 }));
    arns.push(...(page.containerInstanceArns ?? []));
    token = page.nextToken;
  } while (token);
  const cis = (await describeContainerInstances(ctx, arns)).filter((ci) => asgOf.has(ci.ec2InstanceId ?? ''));

  const taskArns = await listTasks(ctx, { desiredStatus: 'RUNNING' });
  // Terminating instances also wait for tasks that were told to stop and have not yet.
  const terminating = cis.filter((ci) => asgOf.get(ci.ec2InstanceId ?? '')?.instance.LifecycleState === 'Terminating:Wait');
  for (const ci of terminating) taskArns.push(...(await listTasks(ctx, { containerInstance: ci.containerInstanceArn ?? '', desiredStatus: 'STOPPED' })));
  const tasks = (await describeTasks(ctx, taskArns)).filter((t) => t.lastStatus !== 'STOPPED');

  const daemonServices = new Set(ctx.cluster.daemonServices);
  const byInstance = new Map<string, TaskInput[]>();
  const pending: TaskInput[] = [];
  for (const t of tasks) {
    if (t.launchType === 'FARGATE' || t.capacityProviderName?.startsWith('FARGATE')) continue;
    if (t.lastStatus === 'PROVISIONING' || !t.containerInstanceArn) {
      pending.push(toTask(t, t.taskDefinitionArn ? await taskDefinition(ctx, t.taskDefinitionArn) : undefined, daemonServices));
    } else {
      const list = byInstance.get(t.containerInstanceArn) ?? [];
      list.push(toTask(t, undefined, daemonServices));
      byInstance.set(t.containerInstanceArn, list);
    }
  }
  // Every service's missing tasks, not only the one an event names: one plan sizes a whole burst;
  // and each task gets its service's placement constraints.
  pending.push(...(await serviceDeficits(ctx.clients, ctx.cluster.name, pending, ctx.cluster.daemonServices, [...byInstance.values()].flat())));

  const instances = cis.map((ci) => {
    const owner = asgOf.get(ci.ec2InstanceId ?? '');
    return toInstance(ci, owner?.group.name ?? '', owner?.instance, byInstance.get(ci.containerInstanceArn ?? '') ?? []);
  });
  // Instances the ASG is terminating that never registered (or already left ECS): their hook still waits.
  const inEcs = new Set(cis.map((c) => c.ec2InstanceId ?? ''));
  for (const [id, { group, instance }] of asgOf) {
    if (inEcs.has(id) || instance.LifecycleState !== 'Terminating:Wait') continue;
    instances.push({ id: `asg:${id}`, ec2InstanceId: id, group: group.name, type: instance.InstanceType ?? 'unknown', az: instance.AvailabilityZone ?? 'unknown', status: 'INACTIVE', lifecycleState: instance.LifecycleState, tasks: [] });
  }
  const snapshot = await assemble(ctx, asgs, instances, cis, pending, inEcs, false);
  return withModes(snapshot, await readProviders(ctx.clients, ctx.cluster.groups.map((g) => g.name), ctx.now));
}
