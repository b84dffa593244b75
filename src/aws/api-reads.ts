/**
 * The read side's API calls: ECS, EC2 and Auto Scaling list / describe calls, paginated and chunked to
 * the API maxima (Describe* 100, DescribeServices 10), and the answers that never change cached in the
 * clients' warm caches (instance types, task definition revisions). No translation here: these return
 * the SDK's shapes (to-model.ts turns them into the snapshot model), and no choice of what to read
 * (snapshot-reader.ts and cluster-state.ts choose).
 */
import { DescribeAutoScalingGroupsCommand, DescribeScalingActivitiesCommand, type Activity, type AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { DescribeInstanceTypesCommand, type InstanceTypeInfo, type _InstanceType } from '@aws-sdk/client-ec2';
import {
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListAttributesCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTasksCommand,
  type ContainerInstance,
  type DesiredStatus,
  type Service,
  type Task as EcsTask,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { ATTRIBUTES } from '../core/actions.js';
import { API_LIMITS, chunks } from './batch.js';
import type { Clients } from './clients.js';
import { paginate } from './paginate.js';

/** The cluster a call reads, and the clients it reads with. */
export interface ClusterScope {
  clients: Clients;
  cluster: { name: string };
}

/** DescribeServices takes at most 10 services per call. */
export const DESCRIBE_SERVICES_MAX = 10;

async function describeGroups(clients: Clients, names: string[]): Promise<AutoScalingGroup[]> {
  const out: AutoScalingGroup[] = [];
  for (const batch of chunks(names, API_LIMITS.describe)) {
    out.push(
      ...(await paginate(async (NextToken) => {
        const page = await clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: batch, NextToken, MaxRecords: 100 }));
        return [page.AutoScalingGroups, page.NextToken] as const;
      })),
    );
  }
  return out;
}

/** The configured Auto Scaling groups, by name, with their instances (one call per 100 groups). */
export async function describeConfiguredGroups(clients: Clients, asgNames: string[]): Promise<Map<string, AutoScalingGroup>> {
  const list = await describeGroups(clients, [...new Set(asgNames)]);
  return new Map(list.map((a) => [a.AutoScalingGroupName ?? '', a]));
}

/** EC2's data of the types (DescribeInstanceTypes for those not cached yet; types never change). */
export async function describeInstanceTypes(clients: Clients, types: string[]): Promise<ReadonlyMap<string, InstanceTypeInfo>> {
  const known = clients.caches.instanceTypes;
  const missing = [...new Set(types)].filter((t) => !known.has(t));
  for (const batch of chunks(missing, API_LIMITS.describe)) {
    const page = await clients.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: batch as _InstanceType[] }));
    for (const info of page.InstanceTypes ?? []) if (info.InstanceType) known.set(info.InstanceType, info);
  }
  return known;
}

/**
 * DescribeTaskDefinition, cached by revision (a revision never changes). A family name alone is
 * resolved on every call — it names the latest ACTIVE revision, which a new registration moves — and
 * its answer is cached under the revision it resolved to.
 */
export async function describeTaskDefinition(clients: Clients, ref: string): Promise<TaskDefinition | undefined> {
  const cache = clients.caches.taskDefinitions;
  const cached = cache.get(ref);
  if (cached) return cached;
  const out = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref }));
  const def = out.taskDefinition;
  if (!def) return undefined;
  if (def.taskDefinitionArn) cache.set(def.taskDefinitionArn, def);
  if (/:\d+$/.test(ref)) cache.set(ref, def);
  return def;
}

export async function describeTasks(ctx: ClusterScope, arns: string[]): Promise<EcsTask[]> {
  const out: EcsTask[] = [];
  for (const batch of chunks([...new Set(arns)], API_LIMITS.describe)) {
    const page = await ctx.clients.ecs.send(new DescribeTasksCommand({ cluster: ctx.cluster.name, tasks: batch }));
    out.push(...(page.tasks ?? []));
  }
  return out;
}

export function listTasks(ctx: ClusterScope, input: { containerInstance?: string; desiredStatus: DesiredStatus }): Promise<string[]> {
  return paginate(async (nextToken) => {
    const page = await ctx.clients.ecs.send(new ListTasksCommand({ cluster: ctx.cluster.name, ...input, nextToken, maxResults: 100 }));
    return [page.taskArns, page.nextToken] as const;
  });
}

/** Every container instance ARN of the cluster (paginated). */
export function listContainerInstances(ctx: ClusterScope): Promise<string[]> {
  return paginate(async (nextToken) => {
    const page = await ctx.clients.ecs.send(new ListContainerInstancesCommand({ cluster: ctx.cluster.name, nextToken, maxResults: 100 }));
    return [page.containerInstanceArns, page.nextToken] as const;
  });
}

/** The container instance ARN(s) of one EC2 instance (one call: a filter on one instance fits a page). */
export async function findContainerInstances(ctx: ClusterScope, ec2InstanceId: string): Promise<string[]> {
  const listed = await ctx.clients.ecs.send(new ListContainerInstancesCommand({ cluster: ctx.cluster.name, filter: `ec2InstanceId == ${ec2InstanceId}` }));
  return listed.containerInstanceArns ?? [];
}

export async function describeContainerInstances(ctx: ClusterScope, arns: string[]): Promise<ContainerInstance[]> {
  const out: ContainerInstance[] = [];
  for (const batch of chunks(arns, API_LIMITS.describe)) {
    const page = await ctx.clients.ecs.send(new DescribeContainerInstancesCommand({ cluster: ctx.cluster.name, containerInstances: batch }));
    out.push(...(page.containerInstances ?? []));
  }
  return out;
}

/**
 * ecs-pilot's own marks (ATTRIBUTES) by container instance ARN: one ListAttributes per mark name,
 * paginated — a few calls whatever the cluster's size.
 */
export async function listInstanceMarks(ctx: ClusterScope): Promise<Map<string, Map<string, string>>> {
  const marks = new Map<string, Map<string, string>>();
  for (const attributeName of Object.values(ATTRIBUTES)) {
    const listed = await paginate(async (nextToken) => {
      const page = await ctx.clients.ecs.send(new ListAttributesCommand({ cluster: ctx.cluster.name, targetType: 'container-instance', attributeName, nextToken, maxResults: 100 }));
      return [page.attributes, page.nextToken] as const;
    });
    for (const a of listed) {
      if (!a.targetId || a.name === undefined) continue;
      const of = marks.get(a.targetId) ?? new Map<string, string>();
      of.set(a.name, a.value ?? '');
      marks.set(a.targetId, of);
    }
  }
  return marks;
}

/** Every service of the cluster: ListServices (100 a page) + DescribeServices (10 a call). */
export async function describeAllServices(clients: Clients, cluster: string): Promise<Service[]> {
  const arns: string[] = [];
  let token: string | undefined;
  do {
    const page = await clients.ecs.send(new ListServicesCommand({ cluster, nextToken: token, maxResults: 100 }));
    arns.push(...(page?.serviceArns ?? []));
    token = page?.nextToken;
  } while (token);
  const out: Service[] = [];
  for (const batch of chunks(arns, DESCRIBE_SERVICES_MAX)) {
    const page = await clients.ecs.send(new DescribeServicesCommand({ cluster, services: batch }));
    out.push(...(page?.services ?? []));
  }
  return out;
}

/**
 * The group's newest scaling activities (newest first, as AWS answers): one page of at most
 * `maxRecords`, started at or after `since` (the reconcile's launch backstop, issue 20).
 */
export async function describeRecentScalingActivities(clients: Clients, asg: string, since: Date, maxRecords: number): Promise<Activity[]> {
  return (await recentScalingActivitiesPage(clients, asg, since, maxRecords)).activities;
}

/** As above, and whether the page holds every activity since `since` (no NextToken). */
export async function recentScalingActivitiesPage(clients: Clients, asg: string, since: Date, maxRecords: number): Promise<{ activities: Activity[]; complete: boolean }> {
  const out = await clients.autoscaling.send(
    new DescribeScalingActivitiesCommand({ AutoScalingGroupName: asg, MaxRecords: maxRecords, Filters: [{ Name: 'StartTimeLowerBound', Values: [since.toISOString()] }] }),
  );
  return { activities: out.Activities ?? [], complete: out.NextToken === undefined };
}
