/**
 * Reads a batch job's tasks: those of its task definition family started by ecs-pilot for it,
 * running or recently stopped (ECS keeps stopped tasks for about an hour), with their tags.
 */
import { DescribeTasksCommand, ListTasksCommand, type DesiredStatus, type Task as EcsTask } from '@aws-sdk/client-ecs';
import type { JobConfig } from '../config/schema.js';
import { parseStartedBy, TAGS, type JobTask } from '../core/batch/jobs.js';
import type { Task } from '../core/model.js';
import { API_LIMITS, chunks } from './batch.js';
import { familyOf } from './arn.js';
import type { Clients } from './clients.js';
import { paginate } from './paginate.js';
import { describeTaskDefinition } from './api-reads.js';
import { taskShape } from './to-model.js';

export { familyOf };

function list(clients: Clients, cluster: string, family: string, desiredStatus: DesiredStatus): Promise<string[]> {
  return paginate(async (nextToken) => {
    const page = await clients.ecs.send(new ListTasksCommand({ cluster, family, desiredStatus, nextToken, maxResults: 100 }));
    return [page.taskArns, page.nextToken] as const;
  });
}

/** The job's view of an ECS task (undefined for tasks not started by ecs-pilot for this job). */
export async function toJobTask(clients: Clients, job: JobConfig, t: EcsTask): Promise<JobTask | undefined> {
  const who = parseStartedBy(t.startedBy);
  if (!who || who.job !== job.name || !t.taskArn) return undefined;
  const tag = (key: string): string | undefined => t.tags?.find((x) => x.key === key)?.value;
  const def = t.taskDefinitionArn ? await describeTaskDefinition(clients, t.taskDefinitionArn) : undefined;
  const essential = new Set((def?.containerDefinitions ?? []).filter((c) => c.essential !== false).map((c) => c.name));
  const exitCodes: Record<string, number> = {};
  for (const c of t.containers ?? []) if (c.name && c.exitCode !== undefined && (essential.size === 0 || essential.has(c.name))) exitCodes[c.name] = c.exitCode;
  return {
    arn: t.taskArn,
    job: job.name,
    attempt: Number(tag(TAGS.attempt) ?? who.attempt),
    runId: tag(TAGS.run) ?? `${job.name}@unknown`,
    lastStatus: t.lastStatus ?? 'UNKNOWN',
    desiredStatus: t.desiredStatus ?? 'UNKNOWN',
    capacityProvider: t.capacityProviderName,
    startedAt: t.startedAt,
    stoppedAt: t.stoppedAt,
    stopCode: t.stopCode,
    stoppedReason: t.stoppedReason,
    exitCodes,
  };
}

/** The job's tasks, running and recently stopped. Calls: ListTasks ×2 (paginated), DescribeTasks per 100. */
export async function listJobTasks(clients: Clients, job: JobConfig): Promise<JobTask[]> {
  const family = familyOf(job.taskDefinition);
  const arns = [...(await list(clients, job.cluster, family, 'RUNNING')), ...(await list(clients, job.cluster, family, 'STOPPED'))];
  const out: JobTask[] = [];
  for (const batch of chunks([...new Set(arns)], API_LIMITS.describe)) {
    const page = await clients.ecs.send(new DescribeTasksCommand({ cluster: job.cluster, tasks: batch, include: ['TAGS'] }));
    for (const t of page.tasks ?? []) {
      const jt = await toJobTask(clients, job, t);
      if (jt) out.push(jt);
    }
  }
  return out;
}

/** The task shape one attempt of the job needs, from its task definition (for the capacity request). */
export async function jobTaskShape(clients: Clients, job: JobConfig): Promise<Task | undefined> {
  const def = await describeTaskDefinition(clients, job.taskDefinition);
  if (!def) return undefined;
  return taskShape(def, { id: `job:${job.name}`, group: `family:${familyOf(job.taskDefinition)}` });
}
