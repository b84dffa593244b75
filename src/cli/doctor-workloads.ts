/**
 * doctor's checks of what the config runs on a cluster (pure): each job's task definition exists,
 * names only roles its `passRoles` grants (RunTask passes them: iam:PassRole is granted on those
 * only) and has the network configuration awsvpc needs; each scaled service exists and is ACTIVE;
 * each alarm a scaling rule names exists (else the rule never fires).
 */
import type { WorkloadFacts } from '../aws/workload-facts.js';
import type { Check } from './doctor-check.js';

export function workloadChecks(facts: WorkloadFacts): Check[] {
  const cluster = facts.cluster;
  const out: Check[] = [];
  for (const j of facts.jobs) {
    const base = { cluster, group: `job ${j.job}`, check: 'job-task-definition' };
    const d = j.definition;
    if (!d.ok) {
      out.push({ ...base, status: 'unverified', detail: `could not read task definition ${j.taskDefinition}: ${d.error}`, fix: 'grant ecs:DescribeTaskDefinition to the operator' });
      continue;
    }
    if (!d.value) {
      out.push({ ...base, status: 'fail', detail: `ECS has no task definition ${j.taskDefinition} in this account and region: every run of the job fails`, fix: `register it (aws ecs register-task-definition), or correct jobs[].taskDefinition of ${j.job}` });
      continue;
    }
    const unpassed = d.value.roles.filter((r) => !j.passRoles.includes(r));
    if (unpassed.length > 0) {
      out.push({ ...base, status: 'fail', detail: `task definition ${j.taskDefinition} names role(s) ${unpassed.join(', ')} that jobs[].passRoles does not: RunTask would be refused (iam:PassRole is granted on passRoles only)`, fix: `add ${unpassed.join(', ')} to passRoles of job ${j.job}, then deploy` });
      continue;
    }
    if (d.value.networkMode === 'awsvpc' && !j.hasNetwork) {
      out.push({ ...base, status: 'fail', detail: `task definition ${j.taskDefinition} uses network mode awsvpc but job ${j.job} has no network: RunTask requires subnets for it`, fix: `set jobs[].network.subnets (and securityGroups) of ${j.job}` });
      continue;
    }
    out.push({ ...base, status: 'pass', detail: `task definition ${j.taskDefinition} exists (network mode ${d.value.networkMode ?? 'default'}); ${d.value.roles.length === 0 ? 'it names no role' : 'its roles are in passRoles'}` });
  }
  if (facts.scaledServices.length > 0) {
    const base = { cluster, check: 'scaled-services' };
    const s = facts.services;
    if (!s.ok) out.push({ ...base, status: 'unverified', detail: `could not read the scaled services: ${s.error}`, fix: 'grant ecs:DescribeServices to the operator' });
    else {
      const missing = facts.scaledServices.filter((n) => s.value.get(n) !== 'ACTIVE');
      out.push(
        missing.length > 0
          ? { ...base, status: 'fail', detail: `service(s) ${missing.map((n) => `${n} (${s.value.get(n) ?? 'not found'})`).join(', ')} scaled by serviceScaling are not ACTIVE in cluster ${cluster}: their rules change nothing`, fix: 'correct serviceScaling[].service (or .cluster), or create the service' }
          : { ...base, status: 'pass', detail: `every scaled service is ACTIVE: ${facts.scaledServices.join(', ')}` },
      );
    }
  }
  if (facts.alarmNames.length > 0) {
    const base = { cluster, check: 'scaling-alarms' };
    const a = facts.alarms;
    if (!a.ok) out.push({ ...base, status: 'unverified', detail: `could not read the alarms: ${a.error}`, fix: 'grant cloudwatch:DescribeAlarms to the operator' });
    else {
      const missing = facts.alarmNames.filter((n) => !a.value.has(n));
      out.push(
        missing.length > 0
          ? { ...base, status: 'fail', detail: `CloudWatch has no alarm ${missing.join(', ')} in this account and region: the scaling rules on it never fire`, fix: 'create the alarm (aws cloudwatch put-metric-alarm), or correct serviceScaling[].alarms[].alarm' }
          : { ...base, status: 'pass', detail: `every alarm of the scaling rules exists: ${facts.alarmNames.join(', ')}` },
      );
    }
  }
  return out;
}
