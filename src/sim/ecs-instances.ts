/**
 * ECS's container-instance and cluster commands (list, describe, drain, attributes, clusters,
 * capacity providers), typed with the SDK's input and output types, and a container instance as ECS
 * describes it — the same object its state change event carries.
 */
import type * as ECS from '@aws-sdk/client-ecs';
import type { Handlers } from './commands.js';
import { lookup, page, SimulatedServiceError, type ClusterState, type SimInstance, type SimTask } from './state.js';

/** A container instance as DescribeContainerInstances answers it (`tasksOnIt`: its live tasks, when the caller has them). */
export function describeInstance(state: ClusterState, i: SimInstance, tasksOnIt?: SimTask[]): ECS.ContainerInstance {
  const onIt = tasksOnIt ?? state.liveTasks(i);
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

/** The capacity providers' managed scaling as ECS describes it: settings (on), `false` (off), undefined (not said). */
export type DescribedManagedScaling = { targetCapacity: number; minimumScalingStepSize: number; maximumScalingStepSize: number; instanceWarmupPeriod: number } | false | undefined;

export function ecsInstanceHandlers(state: ClusterState, managedScaling: DescribedManagedScaling): Handlers<typeof ECS> {
  return {
    ListContainerInstances: (input) => {
      state.checkCluster(input.cluster);
      let list = [...state.instances.values()].filter((i) => i.status !== 'INACTIVE' && i.status !== 'LAUNCHING');
      const filter = input.filter;
      if (filter) {
        const m = /^ec2InstanceId\s*==\s*(\S+)$/.exec(filter.trim());
        if (!m) throw new SimulatedServiceError('InvalidParameterException', `unsupported filter ${filter}`);
        list = list.filter((i) => i.ec2InstanceId === m[1]);
      }
      if (input.status) list = list.filter((i) => i.status === input.status);
      const p = page(list.map((i) => i.arn), input.nextToken, input.maxResults);
      return { containerInstanceArns: p.items, nextToken: p.nextToken };
    },

    DescribeContainerInstances: (input) => {
      state.checkCluster(input.cluster);
      const { found, failures } = lookup(input.containerInstances, 'containerInstances', state.instances);
      // One pass over the tasks for the whole page (a 50 000-task cluster is read 100 instances at a time).
      const wanted = new Set(found.map((i) => i.arn));
      const tasksOn = new Map<string, SimTask[]>();
      for (const t of state.tasks.values()) {
        if (!t.containerInstanceArn || !wanted.has(t.containerInstanceArn) || t.lastStatus === 'STOPPED') continue;
        const list = tasksOn.get(t.containerInstanceArn) ?? [];
        list.push(t);
        tasksOn.set(t.containerInstanceArn, list);
      }
      return { containerInstances: found.map((i) => describeInstance(state, i, tasksOn.get(i.arn) ?? [])), failures };
    },

    UpdateContainerInstancesState: (input) => {
      state.checkCluster(input.cluster);
      const arns = input.containerInstances ?? [];
      if (arns.length > 10) throw new SimulatedServiceError('InvalidParameterException', 'containerInstances can have at most 10 items');
      const containerInstances: ECS.ContainerInstance[] = [];
      const failures: ECS.Failure[] = [];
      for (const arn of arns) {
        const i = state.instances.get(arn);
        if (!i) {
          failures.push({ arn, reason: 'MISSING' });
          continue;
        }
        if (i.status !== input.status) {
          i.status = String(input.status);
          state.instanceChanged(i);
        }
        containerInstances.push({ containerInstanceArn: arn, status: i.status });
      }
      return { containerInstances, failures };
    },

    PutAttributes: (input) => {
      state.checkCluster(input.cluster);
      const attributes = input.attributes ?? [];
      if (attributes.length > 10) throw new SimulatedServiceError('InvalidParameterException', 'attributes can have at most 10 items');
      for (const a of attributes) {
        const i = state.instances.get(a.targetId ?? '');
        if (!i) throw new SimulatedServiceError('TargetNotFoundException', `no container instance ${a.targetId}`);
        i.attributes.set(String(a.name), a.value ?? '');
      }
      return { attributes };
    },

    DeleteAttributes: (input) => {
      state.checkCluster(input.cluster);
      const attributes = input.attributes ?? [];
      for (const a of attributes) state.instances.get(a.targetId ?? '')?.attributes.delete(String(a.name));
      return { attributes };
    },

    /** Attributes of container instances (the only target type ECS has), by name and value, paginated. */
    ListAttributes: (input) => {
      state.checkCluster(input.cluster);
      if (input.targetType !== 'container-instance') throw new SimulatedServiceError('InvalidParameterException', 'targetType must be container-instance');
      if (input.attributeValue !== undefined && input.attributeName === undefined) throw new SimulatedServiceError('InvalidParameterException', 'attributeValue needs attributeName');
      const max = input.maxResults ?? 100;
      if (max < 1 || max > 100) throw new SimulatedServiceError('InvalidParameterException', 'maxResults must be between 1 and 100');
      const all: ECS.Attribute[] = [];
      for (const i of state.instances.values()) {
        if (i.status === 'INACTIVE') continue;
        for (const [name, value] of i.attributes) {
          if (input.attributeName !== undefined && name !== input.attributeName) continue;
          if (input.attributeValue !== undefined && value !== input.attributeValue) continue;
          all.push({ name, value, targetType: 'container-instance', targetId: i.arn });
        }
      }
      const p = page(all, input.nextToken, max);
      return { attributes: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
    },

    DescribeClusters: (input) => {
      const names = (input.clusters ?? []).map((c) => c.split('/').pop());
      if (!names.includes(state.cluster)) return { clusters: [], failures: names.map((n) => ({ arn: n, reason: 'MISSING' })) };
      return { clusters: [{ clusterArn: state.clusterArn(), clusterName: state.cluster, status: 'ACTIVE', capacityProviders: state.snapshot.groups.map((g) => g.name) }], failures: [] };
    },

    /** One provider per group; managed scaling (and with it managed termination protection) as the account is set up. */
    DescribeCapacityProviders: (input) => {
      const names = input.capacityProviders ?? [];
      const scaling = managedScaling === undefined ? {} : { managedScaling: managedScaling ? { status: 'ENABLED' as const, ...managedScaling } : { status: 'DISABLED' as const }, managedTerminationProtection: managedScaling ? ('ENABLED' as const) : ('DISABLED' as const) };
      return {
        capacityProviders: state.snapshot.groups
          .filter((g) => names.includes(g.name))
          .map((g) => ({
            name: g.name,
            status: 'ACTIVE',
            autoScalingGroupProvider: {
              autoScalingGroupArn: `arn:aws:autoscaling:${state.region}:${state.account}:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/${g.asg}`,
              managedDraining: g.awsSettings?.managedDraining ?? 'DISABLED',
              ...scaling,
            },
          })),
      };
    },
  };
}
