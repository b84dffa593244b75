/**
 * Whole-cluster service demand (docs/controller.md, "Two modes"): with managed scaling off a task
 * that finds no room is never created, so what a service lacks is only visible as
 * desiredCount − runningCount − pendingCount. ListServices (100 a page) + DescribeServices (10 a call)
 * give every service's deficit, shaped by its task definition and placement constraints.
 */
import type { Service } from '@aws-sdk/client-ecs';
import type { Task } from '../core/model.js';
import { describeAllServices, describeTaskDefinition } from './api-reads.js';
import type { Clients } from './clients.js';
import { taskShape, type TaskInput } from './to-model.js';

type ConstraintInput = NonNullable<TaskInput['constraints']>[number];

const FARGATE = new Set(['FARGATE', 'FARGATE_SPOT']);

/** The tasks a service lacks: desired − running − the waiting ones (ECS's pendingCount, or the PROVISIONING tasks seen, whichever is larger). */
export function deficitOf(service: Pick<Service, 'desiredCount' | 'runningCount' | 'pendingCount'>, waitingSeen: number): number {
  return Math.max(0, (service.desiredCount ?? 0) - (service.runningCount ?? 0) - Math.max(service.pendingCount ?? 0, waitingSeen));
}

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
  if (s.schedulingStrategy === 'DAEMON' || s.launchType === 'FARGATE' || s.launchType === 'EXTERNAL') return false;
  return !(s.capacityProviderStrategy ?? []).some((p) => FARGATE.has(p.capacityProvider ?? ''));
}

/**
 * Missing tasks of every EC2 service of the cluster as waiting demand (ids `<service ARN>/missing-<n>`),
 * given the tasks already seen waiting. `daemonServices` are left out (they run on every instance).
 */
export async function serviceDeficits(clients: Clients, cluster: string, waiting: TaskInput[], daemonServices: readonly string[] = [], placed: TaskInput[] = []): Promise<TaskInput[]> {
  const out: TaskInput[] = [];
  for (const service of await describeAllServices(clients, cluster)) {
    if (!onEc2(service) || !service.serviceName || !service.taskDefinition || daemonServices.includes(service.serviceName)) continue;
    const group = `service:${service.serviceName}`;
    // distinctInstance and memberOf set on the service are not in its task definition: tasks read
    // from DescribeTasks lack them, and planned without them would be packed onto one instance.
    const own = serviceConstraints(service);
    for (const t of [...waiting, ...placed]) if (t.group === group) t.constraints = withConstraints(t.constraints ?? [], own);
    const missing = deficitOf(service, waiting.filter((t) => t.group === group).length);
    if (missing === 0) continue;
    const def = await describeTaskDefinition(clients, service.taskDefinition);
    const provider = service.capacityProviderStrategy?.find((p) => (p.weight ?? 0) > 0 || (p.base ?? 0) > 0)?.capacityProvider ?? service.capacityProviderStrategy?.[0]?.capacityProvider;
    const arn = service.serviceArn ?? service.serviceName;
    const shape = taskShape(def, { id: `${arn}/missing`, group, capacityProvider: provider });
    const constraints: ConstraintInput[] = [...shape.constraints, ...own];
    for (let i = 0; i < missing; i++) out.push({ ...shape, id: `${arn}/missing-${i + 1}`, constraints });
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
