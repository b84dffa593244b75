/**
 * Observe: the read strategies that build a cluster snapshot v1 from ECS, EC2 and Auto Scaling.
 *
 * - `readInstanceSnapshot`: what one instance's event needs (spot warning, rebalance, lifecycle hook):
 *   the instance, its tasks, its group (and fallback group) — a constant number of calls whatever
 *   the cluster's size.
 * - `readClusterSnapshot`: the whole cluster for the reconcile loop and capacity events; its instances
 *   and tasks from the state store or the APIs (cluster-state.ts).
 * The calls are in api-reads.ts, the translation into the model in to-model.ts.
 */
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { ContainerInstance, Task as EcsTask } from '@aws-sdk/client-ecs';
import type { GroupConfig } from '../config/schema.js';
import { LIFECYCLE_STATES } from '../core/names.js';
import { parseSnapshot, type Snapshot, type SnapshotInput } from '../core/model.js';
import { withModes } from '../core/capacity/modes.js';
import { isFargate } from '../core/capacity/providers.js';
import { describeConfiguredGroups, describeContainerInstances, describeInstanceTypes, describeTaskDefinition, describeTasks, findContainerInstances, listTasks } from './api-reads.js';
import { readProviders } from './capacity-providers.js';
import { clusterRecords, type ReadContext } from './cluster-state.js';
import { launchTypes, type LaunchType, type LaunchTypes } from './launch-types.js';
import { lackingServices } from './service-deficits.js';
import { asgContaining, attribute, groupTypes, toGroup, toInstance, toTask, typeSpec, type InstanceInput, type TaskInput, type TypeSpec } from './to-model.js';

export type { ReadContext } from './cluster-state.js';

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
 * A task placed on an instance. ECS shows its host ports in `networkBindings` once it is RUNNING
 * (PortMapping reference); before that they come from its task definition.
 */
async function placedTask(ctx: ReadContext, t: EcsTask, daemonServices: ReadonlySet<string>): Promise<TaskInput> {
  const awsvpc = (t.attachments ?? []).some((a) => a.type === 'ElasticNetworkInterface' || a.type === 'eni');
  const needsDefinition = !awsvpc && t.lastStatus !== 'RUNNING' && t.taskDefinitionArn !== undefined && !(t.containers ?? []).some((c) => (c.networkBindings ?? []).length > 0);
  return toTask(t, needsDefinition ? await describeTaskDefinition(ctx.clients, t.taskDefinitionArn ?? '') : undefined, daemonServices);
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
  const info = await describeInstanceTypes(ctx.clients, [...types]);
  const groups = launches.map(({ config, asg, launch }) => toGroup(config, asg, groupTypes(launch, config, info), registered, partial));
  const instanceTypes: Record<string, TypeSpec> = { unknown: { cpu: 0, memoryMiB: 0, enis: 0, gpus: 0 } };
  for (const type of types) instanceTypes[type] = typeSpec(info.get(type), samples.find((s) => attribute(s, 'ecs.instance-type') === type));
  // ENIs come from EC2's data: registered resources do not list them.
  for (const inst of instances) if (inst.registered) inst.registered.enis = instanceTypes[inst.type]?.enis ?? 0;
  return parseSnapshot({ version: 1, cluster: ctx.cluster.name, takenAt: ctx.now.toISOString(), instanceTypes, groups, instances, pending, ...(services.length > 0 ? { services } : {}) });
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

  const cis = await describeContainerInstances(ctx, await findContainerInstances(ctx, ec2InstanceId));
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
  const asgs = await describeConfiguredGroups(ctx.clients, ctx.cluster.groups.map((g) => g.asg));
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
      pending.push(toTask(t, t.taskDefinitionArn ? await describeTaskDefinition(ctx.clients, t.taskDefinitionArn) : undefined, daemonServices));
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
