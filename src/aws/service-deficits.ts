/**
 * Whole-cluster service demand (docs/controller.md, "Two modes"): with managed scaling off a task
 * that finds no room is never created, so what a service lacks is only visible as
 * desiredCount − runningCount − pendingCount. ListServices (100 a page) + DescribeServices (10 a call)
 * find the services that lack tasks, each with one task shaped by its task definition and placement
 * constraints; src/core/capacity/demand.ts turns them into waiting tasks.
 */
import type { Service } from '@aws-sdk/client-ecs';
import { deficitOf } from '../core/capacity/demand.js';
import { isFargate, strategyProvider } from '../core/capacity/providers.js';
import type { SnapshotInput, Task } from '../core/model.js';
import { describeAllServices, describeTaskDefinition } from './api-reads.js';
import type { Clients } from './clients.js';
import { taskShape, type TaskInput } from './to-model.js';

type ConstraintInput = NonNullable<TaskInput['constraints']>[number];
type ServiceInput = NonNullable<SnapshotInput['services']>[number];

/** The service's placement constraints (distinctInstance, memberOf), as the planner takes them. */
function serviceConstraints(s: Service): ConstraintInput[] {
  return (s.placementConstraints ?? []).flatMap((c): ConstraintInput[] => {
    if (c.type === 'distinctInstance') return [{ type: 'distinctInstance' }];
    if (c.type === 'memberOf' && c.expression) return [{ type: 'memberOf', expression: c.expression }];
    return [];
  });
}

function withConstraints(have: ConstraintInput[], add: ConstraintInput[]): ConstraintInput[] {
  const key = (c: ConstraintInput): string => (c.type === 'memberOf' ? `memberOf:${c.expression}` : c.type);
  const seen = new Set(have.map(key));
  return [...have, ...add.filter((c) => !seen.has(key(c)))];
}

function onEc2(s: Service): boolean {
  if (s.status !== undefined && s.status !== 'ACTIVE') return false;
  if (s.schedulingStrategy === 'DAEMON' || s.launchType === 'EXTERNAL') return false;
  return !isFargate({ launchType: s.launchType, capacityProviders: (s.capacityProviderStrategy ?? []).map((p) => p.capacityProvider) });
}

/**
 * Every EC2 service of the cluster that lacks tasks, given the tasks already seen waiting (the
 * demand module turns each into waiting tasks, ids `<service ARN>/missing-<n>`); `daemonServices`
 * are left out (they run on every instance). Each waiting and placed task of a service gets the
 * service's placement constraints.
 */
export async function lackingServices(clients: Clients, cluster: string, waiting: TaskInput[], daemonServices: readonly string[] = [], placed: TaskInput[] = []): Promise<ServiceInput[]> {
  const out: ServiceInput[] = [];
  for (const service of await describeAllServices(clients, cluster)) {
    if (!onEc2(service) || !service.serviceName || !service.taskDefinition || daemonServices.includes(service.serviceName)) continue;
    const group = `service:${service.serviceName}`;
    // distinctInstance and memberOf set on the service are not in its task definition: tasks read
    // from DescribeTasks lack them, and planned without them would be packed onto one instance.
    const own = serviceConstraints(service);
    for (const t of [...waiting, ...placed]) if (t.group === group) t.constraints = withConstraints(t.constraints ?? [], own);
    // Only a service that lacks tasks needs its shape (one DescribeTaskDefinition, cached).
    if (deficitOf(service, waiting.filter((t) => t.group === group).length) === 0) continue;
    const def = await describeTaskDefinition(clients, service.taskDefinition);
    const provider = strategyProvider(service.capacityProviderStrategy);
    const arn = service.serviceArn ?? service.serviceName;
    const shape = taskShape(def, { id: arn, group, capacityProvider: provider });
    out.push({
      name: service.serviceName,
      desiredCount: service.desiredCount ?? 0,
      runningCount: service.runningCount ?? 0,
      pendingCount: service.pendingCount ?? 0,
      task: { ...shape, id: arn, constraints: [...shape.constraints, ...own] },
    });
  }
  return out;
}

/**
 * The tasks a failed RunTask call could not place, shaped by its task definition (ids derive from the
 * event id, so a duplicate event plans the same tasks).
 */
export async function runTaskDemand(clients: Clients, failure: { id: string; taskDefinition: string | undefined; failedTasks: number; capacityProvider: string | undefined }): Promise<Task[]> {
  if (!failure.taskDefinition || failure.failedTasks === 0) return [];
  const def = await describeTaskDefinition(clients, failure.taskDefinition);
  if (!def) return [];
  const family = def.family ?? failure.taskDefinition.split('/').pop()?.split(':')[0] ?? 'task';
  return Array.from({ length: failure.failedTasks }, (_, i) => taskShape(def, { id: `run-task-failure/${failure.id}/${i + 1}`, group: `family:${family}`, capacityProvider: failure.capacityProvider }));
}
