/**
 * A whole cluster's container instances and tasks, for the duties that plan on all of it (reconcile,
 * capacity, batch, scaling): from the state store when it may be used, else a full read of the APIs —
 * which then also makes the store whole again (docs/state.md).
 *
 * A full read is ListContainerInstances + DescribeContainerInstances + ListTasks + DescribeTasks, all in
 * ECS's shared read bucket: about 1 100 calls at 5 000 instances / 50 000 tasks. From the store it is
 * none of them; the store is read in full once per `resyncMinutes` (spread over the clusters) and
 * after a missed event.
 */
import type { ContainerInstance, Task as EcsTask } from '@aws-sdk/client-ecs';
import { resyncDue, resyncOffsetMinutes } from '../core/state/freshness.js';
import { FULL_READ_GRACE_MINUTES, type StateAccess } from '../state/store.js';
import { instanceRecord, taskRecord, type InstanceRecord, type TaskRecord } from '../state/records.js';
import type { ClusterConfig } from '../config/schema.js';
import { describeContainerInstances, describeTasks, listContainerInstances, listInstanceMarks, listTasks, type ClusterScope } from './api-reads.js';
import { ATTRIBUTES } from '../core/actions.js';
import { serviceOfGroup } from '../core/names.js';

const FULL_READ_MARGIN_MS = 60_000;

/** What a read strategy works with: the clients, the cluster's config, the time, and the store if any. */
export interface ReadContext extends ClusterScope {
  /** What reading needs of the cluster's config. */
  cluster: Pick<ClusterConfig, 'name' | 'groups' | 'daemonServices'>;
  now: Date;
  /** The cluster-state store: whole-cluster reads come from it when no full read is due. */
  state?: StateAccess | undefined;
}

export interface ClusterRecords {
  instances: ContainerInstance[];
  /** Tasks meant to run, and on terminating instances also those told to stop that have not stopped. */
  tasks: EcsTask[];
  /** Where they came from. */
  source: 'store' | 'api';
}

/** Every registered container instance and every task of the cluster, from ECS's APIs. */
export async function readClusterFromApis(ctx: ReadContext, terminating: (ec2InstanceId: string | undefined) => boolean): Promise<{ instances: ContainerInstance[]; tasks: EcsTask[] }> {
  const instances = await describeContainerInstances(ctx, await listContainerInstances(ctx));
  const taskArns = await listTasks(ctx, { desiredStatus: 'RUNNING' });
  // Terminating instances also wait for tasks that were told to stop and have not yet.
  for (const ci of instances) if (terminating(ci.ec2InstanceId)) taskArns.push(...(await listTasks(ctx, { containerInstance: ci.containerInstanceArn ?? '', desiredStatus: 'STOPPED' })));
  const tasks = (await describeTasks(ctx, taskArns)).filter((t) => t.lastStatus !== 'STOPPED');
  return { instances, tasks };
}

/** The same selection from the store's live records (records are SDK-shaped: they read as SDK objects). */
async function readStore(ctx: ReadContext, state: StateAccess): Promise<{ tasks: TaskRecord[]; instances: InstanceRecord[] }> {
  const stored = await state.store.read(ctx.cluster.name);
  // ecs-pilot's own marks, fresh: ECS sends no event when attributes change (PutAttributes is not among
  // the causes of a container instance state change, ECS developer guide), so the store cannot know them.
  const marks = await listInstanceMarks(ctx);
  const instances = stored.instances.map((i) => {
    const own = marks.get(i.containerInstanceArn);
    const attributes = [...(i.attributes ?? []).filter((a) => !a.name?.startsWith('ecs-pilot.')), ...[...(own ?? [])].map(([name, value]) => ({ name, value }))];
    return { ...i, attributes };
  });
  return { tasks: stored.tasks, instances };
}

function fromRecords({ tasks, instances }: { tasks: TaskRecord[]; instances: InstanceRecord[] }, terminating: (ec2InstanceId: string | undefined) => boolean): { instances: ContainerInstance[]; tasks: EcsTask[] } {
  const stopping = new Set(instances.filter((i) => terminating(i.ec2InstanceId)).map((i) => i.containerInstanceArn));
  const kept = tasks.filter((t) => t.lastStatus !== 'STOPPED' && (t.desiredStatus === 'RUNNING' || (t.containerInstanceArn !== undefined && stopping.has(t.containerInstanceArn))));
  return { instances: instances as ContainerInstance[], tasks: kept as EcsTask[] };
}

/** At most this many instances the store shows empty are re-checked per read (each one ListTasks). */
const EMPTY_RECHECKS = 25;

/**
 * The store is seconds behind ECS: a task placed on an instance just now may not be in it yet. An
 * instance it shows newly empty is about to lose its protection, start its idle clock or receive
 * another's tasks, so those few are re-checked fresh (ListTasks on the instance; DescribeTasks of what it finds)
 * and what runs there joins the picture. Instances with tasks are left as the store has them: a late
 * task there changes no such decision.
 */
async function withEmptyRechecked(ctx: ReadContext, read: { instances: ContainerInstance[]; tasks: EcsTask[] }): Promise<{ instances: ContainerInstance[]; tasks: EcsTask[] }> {
  // Empty as the reconcile means it: no task but the daemon services' (a log router runs everywhere).
  const daemons = new Set(ctx.cluster.daemonServices);
  const busy = new Set(read.tasks.flatMap((t) => (t.containerInstanceArn && !daemons.has(serviceOfGroup(t.group) ?? '') ? [t.containerInstanceArn] : [])));
  // Newly empty ones only: an instance whose idle clock runs was re-checked when it started (a steady
  // idle fleet costs no reads), and its scale-in is re-checked fresh by the actuator anyway.
  const idleMarked = (i: ContainerInstance) => (i.attributes ?? []).some((a) => a.name === ATTRIBUTES.idleSince);
  const empty = read.instances.filter((i) => i.status === 'ACTIVE' && i.containerInstanceArn && !busy.has(i.containerInstanceArn) && !idleMarked(i)).slice(0, EMPTY_RECHECKS);
  const found: string[] = [];
  for (const i of empty) found.push(...(await listTasks(ctx, { containerInstance: i.containerInstanceArn ?? '', desiredStatus: 'RUNNING' })));
  if (found.length === 0) return read;
  const known = new Set(read.tasks.map((t) => t.taskArn));
  const fresh = (await describeTasks(ctx, found.filter((arn) => !known.has(arn)))).filter((t) => t.lastStatus !== 'STOPPED');
  return { instances: read.instances, tasks: [...read.tasks, ...fresh] };
}

/** Whether the store answers this read (no full read of the APIs due, or one the reconcile makes within its grace). */
async function storeAnswers(ctx: ReadContext, state: StateAccess): Promise<boolean> {
  const cluster = ctx.cluster.name;
  const policy = { ...state.policy, offsetMinutes: resyncOffsetMinutes(cluster, state.policy.everyMinutes), marginMinutes: FULL_READ_MARGIN_MS / 60_000 };
  const meta = await state.store.meta(cluster);
  const due = resyncDue(meta, ctx.now, policy);
  const age = meta.resyncedAt ? (ctx.now.getTime() - Date.parse(meta.resyncedAt) - FULL_READ_MARGIN_MS) / 60_000 : Number.POSITIVE_INFINITY;
  // A due full read is the reconcile's to make within a minute; meanwhile the store is inside its bound.
  const leftToReconcile = due !== undefined && !state.fullReads && age < policy.everyMinutes + FULL_READ_GRACE_MINUTES;
  return !due || leftToReconcile;
}

/** The store can give the whole cluster now, with no full read of the APIs (for duties that must not wait on one). */
export async function storeCanAnswer(ctx: ReadContext): Promise<boolean> {
  return ctx.state !== undefined && (await storeAnswers(ctx, ctx.state));
}

export async function clusterRecords(ctx: ReadContext, terminating: (ec2InstanceId: string | undefined) => boolean): Promise<ClusterRecords> {
  const state = ctx.state;
  if (!state) return { ...(await readClusterFromApis(ctx, terminating)), source: 'api' };
  const cluster = ctx.cluster.name;
  if (await storeAnswers(ctx, state)) return { ...(await withEmptyRechecked(ctx, fromRecords(await readStore(ctx, state), terminating))), source: 'store' };
  // Events stored after `startedAt` are kept even when the read does not list them. A state event's
  // write carries its own invocation's time, which may be a little before this one's: a minute's margin
  // keeps those (at worst a stopped task stays in the store one period more: room planned, never missed).
  const startedAt = new Date(ctx.now.getTime() - FULL_READ_MARGIN_MS);
  const live = await readClusterFromApis(ctx, terminating);
  const records = {
    tasks: live.tasks.flatMap((t) => taskRecord(t as Record<string, unknown>) ?? []),
    instances: live.instances.flatMap((i) => instanceRecord(i as Record<string, unknown>) ?? []),
  };
  await state.store.resync(cluster, records, startedAt);
  return { ...live, source: 'api' };
}
