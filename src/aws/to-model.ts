/**
 * The read side's translation: ECS, EC2 and Auto Scaling answers (the SDK's shapes) into the snapshot
 * model (core/model.ts). Pure: no call, no cache, no clock — what it needs of EC2's instance type data
 * is passed in. `taskShape` / `toTask` hold the one rule for what a task asks of an instance.
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { InstanceTypeInfo } from '@aws-sdk/client-ec2';
import type { ContainerInstance, Task as EcsTask, TaskDefinition } from '@aws-sdk/client-ecs';
import type { GroupConfig } from '../config/schema.js';
import { serviceOfGroup } from '../core/names.js';
import { DEFAULT_RESERVED_PORTS, TaskSchema, type SnapshotInput, type Task } from '../core/model.js';
import { ON_DEMAND_BASE_TAG, UNAVAILABLE_TAG, parseBaseTag, parseMark } from '../core/capacity/unavailable.js';
import type { LaunchTypes } from './launch-types.js';

export type InstanceInput = NonNullable<SnapshotInput['instances']>[number];
export type TaskInput = NonNullable<SnapshotInput['pending']>[number];
export type GroupInput = SnapshotInput['groups'][number];
export type TypeSpec = SnapshotInput['instanceTypes'][string];
type GroupType = GroupInput['instanceTypes'][number];
type AsgInstance = NonNullable<AutoScalingGroup['Instances']>[number];

const PENDING_STATES: ReadonlySet<string> = new Set(['Pending', 'Pending:Wait', 'Pending:Proceed', 'Warmed:Pending', 'Warmed:Pending:Wait', 'Warmed:Pending:Proceed']);
const LEAVING_STATES: ReadonlySet<string> = new Set(['Terminating', 'Terminating:Wait', 'Terminating:Proceed', 'Terminated', 'Detaching', 'Detached', 'Standby', 'EnteringStandby']);

function resource(ci: ContainerInstance, name: string, which: 'registeredResources' | 'remainingResources'): number | undefined {
  return ci[which]?.find((r) => r.name === name)?.integerValue;
}

/** Ports of a PORTS string set: those the agent reserves (registered) or all taken now (remaining). */
function ports(ci: ContainerInstance, which: 'registeredResources' | 'remainingResources'): number[] {
  return (ci[which]?.find((r) => r.name === 'PORTS')?.stringSetValue ?? []).map(Number).filter((p) => p > 0);
}

export function attribute(ci: ContainerInstance, name: string): string | undefined {
  return ci.attributes?.find((a) => a.name === name)?.value;
}

/** The sum of a numeric field over containers (ECS reports strings, task definitions numbers). */
function total<C>(containers: readonly C[], field: (c: C) => string | number | undefined): number {
  return containers.reduce((a, c) => a + (Number(field(c) ?? 0) || 0), 0);
}

type Shape = Required<Pick<TaskInput, 'cpu' | 'memoryMiB' | 'gpus' | 'awsvpc' | 'hostPorts' | 'constraints'>>;

/**
 * What a task asks of an instance — the one rule. `task` is ECS's view of a task (its own cpu and
 * memory, the host ports it is bound to, its GPU ids, its ENI); `def` its task definition, which gives
 * what the task does not show yet (declared host ports, GPU requirements, network mode, memberOf
 * constraints) and, for a task not started yet, everything.
 */
function shapeOf(task: EcsTask | undefined, def: TaskDefinition | undefined): Shape {
  const containers = task?.containers ?? [];
  const defContainers = def?.containerDefinitions ?? [];
  const cpu = task ? Number(task.cpu ?? 0) || total(containers, (c) => c.cpu) : Number(def?.cpu ?? 0) || total(defContainers, (c) => c.cpu);
  const memoryMiB = task
    ? Number(task.memory ?? 0) || total(containers, (c) => c.memory ?? c.memoryReservation)
    : Number(def?.memory ?? 0) || total(defContainers, (c) => c.memory ?? c.memoryReservation);
  const awsvpc = def?.networkMode === 'awsvpc' || (task?.attachments ?? []).some((a) => a.type === 'ElasticNetworkInterface' || a.type === 'eni');
  const bound = containers.flatMap((c) => (c.networkBindings ?? []).map((b) => b.hostPort ?? 0));
  // Static host ports: in host mode the container port itself; in bridge mode 0 or none is dynamic.
  const declared = defContainers.flatMap((c) => (c.portMappings ?? []).map((p) => p.hostPort ?? (def?.networkMode === 'host' ? (p.containerPort ?? 0) : 0)));
  const hostPorts = [...new Set((bound.length > 0 || !def ? bound : declared).filter((p) => p > 0))];
  const gpus =
    containers.reduce((a, c) => a + (c.gpuIds?.length ?? 0), 0) ||
    defContainers.reduce((a, c) => a + (c.resourceRequirements ?? []).filter((r) => r.type === 'GPU').reduce((x, r) => x + Number(r.value ?? 0), 0), 0);
  const constraints = (def?.placementConstraints ?? []).flatMap((c) => (c.type === 'memberOf' && c.expression ? [{ type: 'memberOf' as const, expression: c.expression }] : []));
  return { cpu, memoryMiB, gpus, awsvpc, hostPorts: awsvpc ? [] : hostPorts, constraints };
}

/** A task ECS shows, as the planner sees it; a waiting one takes ports, GPUs and constraints from its definition. */
export function toTask(t: EcsTask, def: TaskDefinition | undefined, daemonServices: ReadonlySet<string>): TaskInput {
  const { cpu, memoryMiB, gpus, awsvpc, hostPorts, constraints } = shapeOf(t, def);
  const group = t.group;
  const service = serviceOfGroup(group);
  return {
    id: t.taskArn ?? 'unknown',
    cpu,
    memoryMiB,
    gpus,
    awsvpc,
    hostPorts,
    ...(group ? { group } : {}),
    ...(t.startedBy ? { startedBy: t.startedBy } : {}),
    ...(t.capacityProviderName ? { capacityProvider: t.capacityProviderName } : {}),
    constraints,
    daemon: service !== undefined && daemonServices.has(service),
    ...(t.lastStatus ? { lastStatus: t.lastStatus } : {}),
  };
}

/**
 * A task not started yet (a service's missing task, a job's attempt, a failed RunTask), from its task
 * definition alone (none found: a task that asks for nothing but its place).
 */
export function taskShape(def: TaskDefinition | undefined, as: { id: string; group: string; capacityProvider?: string | undefined }): Task {
  const { cpu, memoryMiB, gpus, awsvpc, hostPorts, constraints } = shapeOf(undefined, def);
  return TaskSchema.parse({ id: as.id, cpu, memoryMiB, gpus, awsvpc, hostPorts, group: as.group, ...(as.capacityProvider ? { capacityProvider: as.capacityProvider } : {}), constraints, daemon: false });
}

/**
 * Weights and prices of the group's types, given EC2's data of them. Attribute-based selection counting
 * instances: AWS does not say which matching type the ASG launches (allocation strategy, spot
 * capacity), so the planner assumes the smallest — it may ask for too much, never too little.
 */
export function groupTypes(launch: LaunchTypes, config: GroupConfig, typeInfo: ReadonlyMap<string, InstanceTypeInfo>): GroupType[] {
  const info = (type: string) => typeInfo.get(type);
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

/**
 * What ECS registers for tasks on one instance of the type: the registered resources of a running
 * instance of that type when the cluster has one (the AMI decides), else an estimate from EC2's data
 * (memory less 6 % for the OS and agent).
 */
export function typeSpec(info: InstanceTypeInfo | undefined, sample: ContainerInstance | undefined): TypeSpec {
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

export function toGroup(config: GroupConfig, asg: AutoScalingGroup, types: GroupType[], registered: ReadonlySet<string>, partial: boolean): GroupInput {
  const weight = (type: string | undefined): number => types.find((t) => t.type === type)?.weight ?? 1;
  const launching = new Map<string, number>();
  const unregistered: Array<{ instanceId: string; type: string }> = [];
  let inService = 0;
  for (const i of asg.Instances ?? []) {
    const state = i.LifecycleState ?? '';
    if (LEAVING_STATES.has(state)) continue;
    const isRegistered = i.InstanceId !== undefined && registered.has(i.InstanceId);
    if (PENDING_STATES.has(state) || (!partial && !isRegistered)) {
      if (i.InstanceType) launching.set(i.InstanceType, (launching.get(i.InstanceType) ?? 0) + 1);
      // Booted but not in ECS: the registration timeout's candidates (issue 20).
      if (state === 'InService' && i.InstanceId && i.InstanceType) unregistered.push({ instanceId: i.InstanceId, type: i.InstanceType });
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
    ...shortageFields(config, asg),
    // A partial snapshot cannot tell what launching capacity is for: all of it is spoken for.
    launching: partial ? [] : [...launching].map(([type, count]) => ({ type, count })),
    ...(unregistered.length > 0 ? { unregistered } : {}),
    ...(partial ? { inServiceUnits: Math.max(asg.DesiredCapacity ?? 0, inService + [...launching].reduce((a, [type, n]) => a + weight(type) * n, 0)) } : {}),
  };
}

/**
 * ecs-pilot's memory of the group's launch failures (the `ecs-pilot:unavailable` tag) and, where its
 * `onDemandFallback` option is on and the group has a mixed instances policy, its on-demand base.
 */
function shortageFields(config: GroupConfig, asg: AutoScalingGroup): Pick<GroupInput, 'unavailable' | 'onDemandFallback'> {
  const tag = (key: string) => asg.Tags?.find((t) => t.Key === key)?.Value;
  const mark = parseMark(tag(UNAVAILABLE_TAG));
  const policy = asg.MixedInstancesPolicy;
  return {
    ...(mark ? { unavailable: mark } : {}),
    ...(config.onDemandFallback && policy ? { onDemandFallback: { base: policy.InstancesDistribution?.OnDemandBaseCapacity ?? 0, ...parseBaseTag(tag(ON_DEMAND_BASE_TAG)) } } : {}),
  };
}

export function toInstance(ci: ContainerInstance, group: string, asgInstance: AsgInstance | undefined, tasks: TaskInput[]): InstanceInput {
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

/** The group whose instances include the EC2 instance. */
export function asgContaining(asgs: ReadonlyMap<string, AutoScalingGroup>, ec2InstanceId: string): string | undefined {
  for (const [name, asg] of asgs) if (asg.Instances?.some((i) => i.InstanceId === ec2InstanceId)) return name;
  return undefined;
}
