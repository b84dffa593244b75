/**
 * Reads `ecs-pilot doctor` judges for what the config runs on a cluster, beyond its groups: each
 * job's task definition (DescribeTaskDefinition: its network mode and the roles RunTask passes), the
 * services `serviceScaling` scales (DescribeServices, 10 per call) and the alarms that drive them
 * (CloudWatch DescribeAlarms, 100 names per call, metric and composite). A refused read is kept as
 * its error: the check built on it is "unverified".
 */
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { ControllerConfig } from '../config/schema.js';
import { attempt, type Read } from './account-checks.js';
import type { Clients } from './clients.js';

export interface JobFacts {
  job: string;
  taskDefinition: string;
  passRoles: string[];
  hasNetwork: boolean;
  /** undefined: ECS has no such task definition. */
  definition: Read<{ networkMode: string | undefined; roles: string[] } | undefined>;
}

export interface WorkloadFacts {
  cluster: string;
  jobs: JobFacts[];
  /** The scaled services: their status as ECS describes them, undefined when it does not know them. */
  services: Read<Map<string, string | undefined>>;
  scaledServices: string[];
  /** The alarms scaling rules name, and which of them CloudWatch has. */
  alarms: Read<Set<string>>;
  alarmNames: string[];
}

/** ECS answers DescribeTaskDefinition for an unknown one with ClientException "Unable to describe task definition". */
const isMissingDefinition = (e: unknown): boolean => e instanceof Error && e.name === 'ClientException' && /unable to describe task definition/i.test(e.message);

async function readDefinition(clients: Clients, taskDefinition: string): Promise<JobFacts['definition']> {
  try {
    const out = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
    const d = out.taskDefinition;
    return { ok: true, value: d ? { networkMode: d.networkMode, roles: [d.taskRoleArn, d.executionRoleArn].filter((r): r is string => typeof r === 'string' && r !== '') } : undefined };
  } catch (e) {
    if (isMissingDefinition(e)) return { ok: true, value: undefined };
    return attempt(() => Promise.reject(e));
  }
}

export async function readWorkloadFacts(clients: Clients, config: Pick<ControllerConfig, 'jobs' | 'serviceScaling'>, cluster: string): Promise<WorkloadFacts> {
  const jobs: JobFacts[] = [];
  for (const j of config.jobs.filter((x) => x.cluster === cluster)) {
    jobs.push({ job: j.name, taskDefinition: j.taskDefinition, passRoles: j.passRoles, hasNetwork: j.network !== undefined, definition: await readDefinition(clients, j.taskDefinition) });
  }
  const rules = config.serviceScaling.filter((r) => r.cluster === cluster);
  const scaledServices = [...new Set(rules.map((r) => r.service))];
  const services = await attempt(async () => {
    const found = new Map<string, string | undefined>();
    for (let i = 0; i < scaledServices.length; i += 10) {
      const out = await clients.ecs.send(new DescribeServicesCommand({ cluster, services: scaledServices.slice(i, i + 10) }));
      for (const s of out.services ?? []) if (s.serviceName) found.set(s.serviceName, s.status);
    }
    return found;
  });
  const alarmNames = [...new Set(rules.flatMap((r) => r.alarms.map((a) => a.alarm)))];
  const alarms = await attempt(async () => {
    const found = new Set<string>();
    for (let i = 0; i < alarmNames.length; i += 100) {
      const out = await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: alarmNames.slice(i, i + 100), AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
      for (const a of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])]) if (a.AlarmName) found.add(a.AlarmName);
    }
    return found;
  });
  return { cluster, jobs, services, scaledServices, alarms, alarmNames };
}
