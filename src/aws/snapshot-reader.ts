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
import { LIFECYCLE_STATES, serviceOfGroup } from '../core/names.js';
import { DEFAULT_RESERVED_PORTS, parseSnapshot, type Snapshot, type SnapshotInput } from '../core/model.js';
import { API_LIMITS, chunks } from './batch.js';
import type { Clients } from './clients.js';
import { clearGroupSettingsCache } from './group-settings.js';
import { paginate } from './paginate.js';
import { clearLaunchTypeCache, launchTypes, type LaunchType, type LaunchTypes } from './launch-types.js';
import { lackingServices } from './service-deficits.js';
import { clearProviderCache, readProviders } from './capacity-providers.js';
import { withModes } from '../core/capacity/modes.js';
import { isFargate } from '../core/capacity/providers.js';
import type { StateAccess } from '../state/store.js';
import { clusterRecords } from './cluster-state.js';

type InstanceInput = NonNullable<SnapshotInput['instances']>[number];
type TaskInput = NonNullable<SnapshotInput['pending']>[number];
type GroupInput = SnapshotInput['groups'][number];
type TypeSpec = SnapshotInput['instanceTypes'][string];

export interface ReadContext {
  clients: Clients;
  /** What reading needs of the cluster's config. */
  cluster: Pick<ClusterConfig, 'name' | 'groups' | 'daemonServices'>;
  now: Date;
  /** The cluster-state store: whole-cluster reads come from it when no full read is due. */
  state?: StateAccess | undefined;
}

// ---------- caches kept across warm invocations ----------

const instanceTypeInfo = new Map<string, InstanceTypeInfo>();
const taskDefinitions = new Map<string, TaskDefinition>();

/** Forgets cached instance types and task definitions (tests). */
export function clearReaderCaches(): void {
  instanceTypeInfo.clear();
  taskDefinitions.clear();
  clearLaunchTypeCache();
  clearGroupSettingsCache();
  clearProviderCache();
}

// ---------- small helpers ----------

const PENDING_STATES = new Set(['Pending', 'Pending:Wait', 'Pending:Proceed', 'Warmed:Pending', 'Warmed:Pending:Wait', 'Warmed:Pending:Proceed']);
const LEAVING_STATES = new Set(['Terminating', 'Terminating:Wait', 'Terminating:Proceed', 'Terminated', 'Detaching', 'Detached', 'Standby', 'EnteringStandby']);

function resource(ci: ContainerInstance, name: string, which: 'registeredResources' | 'remainingResources'): number | undefined {
  return ci[which]?.find((r) => r.name === name)?.integerValue;
}

/** Ports of a PORTS string set: those the agent reserves (registered) or all taken now (remaining). */
function ports(ci: ContainerInstance, which: 'registeredResources' | 'remainingResources'): number[] {
  return (ci[which]?.find((r) => r.name === 'PORTS')?.stringSetValue ?? []).map(Number).filter((p) => p > 0);
}

function attribute(ci: ContainerInstance, name: string): string | undefined {
  return ci.attributes?.find((a) => a.name === name)?.value;
}

type GroupType = GroupInput['instanceTypes'][number];

/**
 * What the group launches: the config's `instanceTypes` when given, else its launch set-up
 * (launch-types.ts), else the types of its instances.
 */
async function groupLaunch(ctx: ReadContext, asg: AutoScalingGroup, config: GroupConfig): Promise<LaunchTypes> {
  if (config.instanceTypes) return { types: config.instanceTypes, capacityType: 'units', attributeBased: false, source: 'config' };
  const launch = await launchTypes(ctx.clients, asg, ctx.now);
  if (launch.types.length > 0) return launch;
  const types: LaunchType[] = [];
  for (const i of asg.Instances ?? []) {
    if (i.InstanceType && !types.some((t) => t.type === i.InstanceType)) types.push({ type: i.InstanceType, weight: Number(i.WeightedCapacity ?? 1) || 1 });
  }
  return { ...launch, types, source: 'its instances' };
}

/**
 * Weights and prices of the group's types, once EC2's data is in. Attribute-based selection counting
 * instances: AWS does not say which matching type the ASG launches (allocation strategy, spot
 * capacity), so the planner assumes the smallest — it may ask for too much, never too little.
 */
function groupTypes(launch: LaunchTypes, config: GroupConfig): GroupType[] {
  const info = (type: string) => instanceTypeInfo.get(type);
  let types = launch.types.map((t): GroupType => {
    const derived = launch.capacityType === 'vcpu' ? info(t.type)?.VCpuInfo?.DefaultVCpus : launch.capacityType === 'memory-mib' ? info(t.type)?.MemoryInfo?.SizeInMiB : undefined;
    return { type: t.type, weight: t.weight ?? derived ?? 1 };
  });
  if (launch.attributeBased && launch.capacityType === 'units' && types.length > 1) {
    const size = (type: string): [number, number] => [info(type)?.VCpuInfo?.DefaultVCpus ?? 0, info(type)?.MemoryInfo?.SizeInMiB ?? 0];
    const known = types.filter((t) => info(t.type));
    const smallest = [...known].sort((a, b) => size(a.type)[0] - size(b.type)[0] || size(a.type)[1] - size(b.type)[1] || a.type.localeCompare(b.type))[0];
    if (smallest) types = [smallest];
  }
  return types.map((t) => (config.prices[t.type] !== undefined ? { ...t, pricePerHour: config.prices[t.type] } : t));
}

async function describeGroups(ctx: ReadContext, names: string[]): Promise<AutoScalingGroup[]> {
  const out: AutoScalingGroup[] = [];
  for (const batch of chunks(names, API_LIMITS.describe)) {
    out.push(
      ...(await paginate(async (NextToken) => {
        const page = await ctx.clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: batch, NextToken, MaxRecords: 100 }));
        return [page.AutoScalingGroups, page.NextToken] as const;
      })),
    );
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

/**
 * DescribeTaskDefinition, cached across warm invocations by revision (a revision never changes). A
 * family name alone is resolved on every call — it names the latest ACTIVE revision, which a new
 * registration moves — and its answer is cached under the revision it resolved to.
 */
export async function describeTaskDefinition(clients: Clients, ref: string): Promise<TaskDefinition | undefined> {
  return taskDefinition({ clients, cluster: { name: '', groups: [], daemonServices: [] }, now: new Date(0) }, ref);
}

async function taskDefinition(ctx: ReadContext, ref: string): Promise<TaskDefinition | undefined> {
  const cached = taskDefinitions.get(ref);
  if (cached) return cached;
  const out = await ctx.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref }));
  const def = out.taskDefinition;
  if (!def) return undefined;
  if (def.taskDefinitionArn) taskDefinitions.set(def.taskDefinitionArn, def);
  if (/:\d+$/.test(ref)) taskDefinitions.set(ref, def);
  return def;
}

/** A task as the planner sees it; waiting tasks take ports, GPUs and constraints from their definition. */
export function toTask(t: EcsTask, def: TaskDefinition | undefined, daemonServices: ReadonlySet<string>): TaskInput {
  const containers = t.containers ?? [];
  const sum = (f: (c: (typeof containers)[number]) => string | undefined): number => containers.reduce((a, c) => a + (Number(f(c) ?? 0) || 0), 0);
  const defContainers = def?.containerDefinitions ?? [];
  const awsvpc = def?.networkMode === 'awsvpc' || (t.attachments ?? []).some((a) => a.type === 'ElasticNetworkInterface' || a.type === 'eni');
  const bound = containers.flatMap((c) => (c.networkBindings ?? []).map((b) => b.hostPort ?? 0));
  // Static host ports: in host mode the container port itself; in bridge mode 0 or none is dynamic.
  const declared = defContainers.flatMap((c) => (c.portMappings ?? []).map((p) => p.hostPort ?? (def?.networkMode === 'host' ? (p.containerPort ?? 0) : 0)));
  const hostPorts = [...new Set((bound.length > 0 || !def ? bound : declared).filter((p) => p > 0))];
  const gpus =
    containers.reduce((a, c) => a + (c.gpuIds?.length ?? 0), 0) ||
    defContainers.reduce((a, c) => a + (c.resourceRequirements ?? []).filter((r) => r.type === 'GPU').reduce((x, r) => x + Number(r.value ?? 0), 0), 0);
  const group = t.group;
  const service = serviceOfGroup(group);
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

/**
 * A task placed on an instance. ECS shows its host ports in `networkBindings` once it is RUNNING
 * (PortMapping reference); before that they come from its task definition.
 */
async function placedTask(ctx: ReadContext, t: EcsTask, daemonServices: ReadonlySet<string>): Promise<TaskInput> {
  const awsvpc = (t.attachments ?? []).some((a) => a.type === 'ElasticNetworkInterface' || a.type === 'eni');
  const needsDefinition = !awsvpc && t.lastStatus !== 'RUNNING' && t.taskDefinitionArn !== undefined && !(t.containers ?? []).some((c) => (c.networkBindings ?? []).length > 0);
  return toTask(t, needsDefinition ? await taskDefinition(ctx, t.taskDefinitionArn ?? '') : undefined, daemonServices);
}

export async function describeTasks(ctx: ReadContext, arns: string[]): Promise<EcsTask[]> {
  const out: EcsTask[] = [];
  for (const batch of chunks([...new Set(arns)], API_LIMITS.describe)) {
    const page = await ctx.clients.ecs.send(new DescribeTasksCommand({ cluster: ctx.cluster.name, tasks: batch }));
    out.push(...(page.tasks ?? []));
  }
  return out;
}

export function listTasks(ctx: ReadContext, input: { containerInstance?: string; desiredStatus: DesiredStatus }): Promise<string[]> {
  return paginate(async (nextToken) => {
    const page = await ctx.clients.ecs.send(new ListTasksCommand({ cluster: ctx.cluster.name, ...input, nextToken, maxResults: 100 }));
    return [page.taskArns, page.nextToken] as const;
  });
}

export async function describeContainerInstances(ctx: ReadContext, arns: string[]): Promise<ContainerInstance[]> {
  const out: ContainerInstance[] = [];
  for (const batch of chunks(arns, API_LIMITS.describe)) {
    const page = await ctx.clients.ecs.send(new DescribeContainerInstancesCommand({ cluster: ctx.cluster.name, containerInstances: batch }));
    out.push(...(page.containerInstances ?? []));
  }
  return out;
}

function toGroup(config: GroupConfig, asg: AutoScalingGroup, types: GroupType[], registered: ReadonlySet<string>, partial: boolean): GroupInput {
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
  const reserved = ports(ci, 'registeredResources');
  // Cross-check: ports ECS lists as taken (remainingResources) that neither the agent reserves nor a
  // listed task holds stay taken for the planner.
  const held = new Set(tasks.flatMap((t) => t.hostPorts ?? []));
  const agent: number[] = reserved.length > 0 ? reserved : [...DEFAULT_RESERVED_PORTS];
  const unexplained = ports(ci, 'remainingResources').filter((p) => !held.has(p) && !agent.includes(p));
  const attributes = Object.fromEntries((ci.attributes ?? []).filter((a) => a.name?.startsWith('ecs-pilot.') && a.value !== undefined).map((a) => [a.name!, a.value!]));
  return {
    id: ci.containerInstanceArn ?? 'unknown',
    ec2InstanceId: ci.ec2InstanceId ?? 'unknown',
    group,
    type: attribute(ci, 'ecs.instance-type') ?? asgInstance?.InstanceType ?? 'unknown',
    az: attribute(ci, 'ecs.availability-zone') ?? asgInstance?.AvailabilityZone ?? 'unknown',
    status: (ci.status ?? 'ACTIVE') as InstanceInput['status'],
    protected: asgInstance?.ProtectedFromScaleIn ?? false,
    reservedPorts: [...agent, ...unexplained],
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
  services: NonNullable<SnapshotInput['services']> = [],
): Promise<Snapshot> {
  const launches: Array<{ config: GroupConfig; asg: AutoScalingGroup; launch: LaunchTypes }> = [];
  for (const config of ctx.cluster.groups) {
    const asg = asgs.get(config.asg);
    if (asg) launches.push({ config, asg, launch: await groupLaunch(ctx, asg, config) });
  }
  const types = new Set<string>([
    ...launches.flatMap((l) => [...l.launch.types.map((t) => t.type), ...(l.asg.Instances ?? []).flatMap((i) => (i.InstanceType ? [i.InstanceType] : []))]),
    ...instances.map((i) => i.type),
  ]);
  types.delete('unknown');
  await describeInstanceTypes(ctx, [...types]);
  const groups = launches.map(({ config, asg, launch }) => toGroup(config, asg, groupTypes(launch, config), registered, partial));
  const instanceTypes: Record<string, TypeSpec> = { unknown: { cpu: 0, memoryMiB: 0, enis: 0, gpus: 0 } };
  for (const type of types) instanceTypes[type] = typeSpec(type, samples.find((s) => attribute(s, 'ecs.instance-type') === type));
  // ENIs come from EC2's data: registered resources do not list them.
  for (const inst of instances) if (inst.registered) inst.registered.enis = instanceTypes[inst.type]?.enis ?? 0;
  return parseSnapshot({ version: 1, cluster: ctx.cluster.name, takenAt: ctx.now.toISOString(), instanceTypes, groups, instances, pending, ...(services.length > 0 ? { services } : {}) });
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
    const placed: TaskInput[] = [];
    for (const t of tasks) placed.push(await placedTask(ctx, t, daemonServices));
    instances.push(toInstance(ci, group.name, asgInstance, placed));
  }
  return assemble(ctx, asgs, instances, cis, [], new Set(cis.map((c) => c.ec2InstanceId ?? '')), true);
}

/** The whole cluster: every container instance and task, every configured group, every service that lacks tasks. */
export async function readClusterSnapshot(ctx: ReadContext): Promise<Snapshot> {
  const asgList = await describeGroups(ctx, ctx.cluster.groups.map((g) => g.asg));
  const asgs = new Map(asgList.map((a) => [a.AutoScalingGroupName ?? '', a]));
  const asgOf = new Map<string, { group: GroupConfig; instance: NonNullable<AutoScalingGroup['Instances']>[number] }>();
  for (const g of ctx.cluster.groups) for (const i of asgs.get(g.asg)?.Instances ?? []) if (i.InstanceId) asgOf.set(i.InstanceId, { group: g, instance: i });

  // Instances and tasks: from the store when it is fresh enough, else from the APIs (cluster-state.ts).
  const terminating = (ec2InstanceId: string | undefined) => asgOf.get(ec2InstanceId ?? '')?.instance.LifecycleState === LIFECYCLE_STATES.terminatingWait;
  const records = await clusterRecords(ctx, terminating);
  const cis = records.instances.filter((ci) => asgOf.has(ci.ec2InstanceId ?? ''));
  const tasks = records.tasks;

  const daemonServices = new Set(ctx.cluster.daemonServices);
  const byInstance = new Map<string, TaskInput[]>();
  const pending: TaskInput[] = [];
  for (const t of tasks) {
    if (isFargate({ launchType: t.launchType, capacityProviders: [t.capacityProviderName] })) continue;
    if (t.lastStatus === 'PROVISIONING' || !t.containerInstanceArn) {
      pending.push(toTask(t, t.taskDefinitionArn ? await taskDefinition(ctx, t.taskDefinitionArn) : undefined, daemonServices));
    } else {
      const list = byInstance.get(t.containerInstanceArn) ?? [];
      list.push(await placedTask(ctx, t, daemonServices));
      byInstance.set(t.containerInstanceArn, list);
    }
  }
  // Every service that lacks tasks, not only the one an event names: one plan sizes a whole burst;
  // and each task gets its service's placement constraints.
  const services = await lackingServices(ctx.clients, ctx.cluster.name, pending, ctx.cluster.daemonServices, [...byInstance.values()].flat());

  const instances = cis.map((ci) => {
    const owner = asgOf.get(ci.ec2InstanceId ?? '');
    return toInstance(ci, owner?.group.name ?? '', owner?.instance, byInstance.get(ci.containerInstanceArn ?? '') ?? []);
  });
  // Instances the ASG is terminating that never registered (or already left ECS): their hook still waits.
  const inEcs = new Set(cis.map((c) => c.ec2InstanceId ?? ''));
  for (const [id, { group, instance }] of asgOf) {
    if (inEcs.has(id) || instance.LifecycleState !== LIFECYCLE_STATES.terminatingWait) continue;
    instances.push({ id: `asg:${id}`, ec2InstanceId: id, group: group.name, type: instance.InstanceType ?? 'unknown', az: instance.AvailabilityZone ?? 'unknown', status: 'INACTIVE', lifecycleState: instance.LifecycleState, tasks: [] });
  }
  const snapshot = await assemble(ctx, asgs, instances, cis, pending, inEcs, false, services);
  return withModes(snapshot, await readProviders(ctx.clients, ctx.cluster.groups.map((g) => g.name), ctx.now));
}
