/** Reads an ECS service for scaling: desired count, tags, protected tasks, and its task shape. */
import { DescribeServicesCommand, GetTaskProtectionCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import type { ServiceScalingRule } from '../config/schema.js';
import type { Task } from '../core/model.js';
import { strategyProvider } from '../core/capacity/providers.js';
import { serviceGroup } from '../core/names.js';
import type { ServiceState } from '../core/scaling/service-scaling.js';
import { chunks } from './batch.js';
import type { Clients } from './clients.js';
import { paginate } from './paginate.js';
import { describeTaskDefinition } from './api-reads.js';
import { taskShape } from './to-model.js';

export interface ServiceView {
  state: ServiceState;
  shape: Task | undefined;
  capacityProvider: string | undefined;
}

/** Calls: DescribeServices, ListTasks (paginated), GetTaskProtection per 10 tasks, DescribeTaskDefinition (cached). */
export async function readService(clients: Clients, rule: ServiceScalingRule): Promise<ServiceView | undefined> {
  const out = await clients.ecs.send(new DescribeServicesCommand({ cluster: rule.cluster, services: [rule.service], include: ['TAGS'] }));
  const svc = out.services?.[0];
  if (!svc?.serviceArn) return undefined;
  const arns = await paginate(async (nextToken) => {
    const page = await clients.ecs.send(new ListTasksCommand({ cluster: rule.cluster, serviceName: rule.service, desiredStatus: 'RUNNING', nextToken, maxResults: 100 }));
    return [page.taskArns, page.nextToken] as const;
  });
  let protectedTasks = 0;
  for (const batch of chunks(arns, 10)) {
    const p = await clients.ecs.send(new GetTaskProtectionCommand({ cluster: rule.cluster, tasks: batch }));
    protectedTasks += (p.protectedTasks ?? []).filter((t) => t.protectionEnabled).length;
  }
  const def = svc.taskDefinition ? await describeTaskDefinition(clients, svc.taskDefinition) : undefined;
  const shape: Task | undefined = def ? taskShape(def, { id: serviceGroup(rule.service), group: serviceGroup(rule.service) }) : undefined;
  return {
    state: {
      cluster: rule.cluster,
      name: rule.service,
      arn: svc.serviceArn,
      desired: svc.desiredCount ?? 0,
      protectedTasks,
      tags: Object.fromEntries((svc.tags ?? []).filter((t) => t.key && t.value !== undefined).map((t) => [t.key!, t.value!])),
    },
    shape,
    capacityProvider: rule.capacityProvider ?? strategyProvider(svc.capacityProviderStrategy),
  };
}
