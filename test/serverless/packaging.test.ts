/**
 * Packaging other configs and parameters, in a scratch copy of the service with the config outside it:
 * a config the CLI rejects does not package; a large config packages under IAM's size limits.
 */
import { rmSync } from 'node:fs';
import { stringify } from 'yaml';
import { packageWith, type ScratchPackage } from './packaged.js';

const { resolvedLength, MANAGED_POLICY_MAX_CHARS, MANAGED_POLICIES_PER_ROLE } = require('../../serverless/iam.cjs');

/** IAM quotas: inline policies of a role together, a customer-managed policy (characters, no whitespace). */
const ROLE_INLINE_MAX_CHARS = 10240;

/** 10 clusters × 10 groups, 50 jobs, 50 scaled services (two alarms and two schedules each). */
function largeConfig() {
  const clusters = Array.from({ length: 10 }, (_, c) => ({
    name: `cluster-${c}-production-workloads`,
    groups: Array.from({ length: 10 }, (_, g) => ({ name: `group-${g}-spot-general-purpose`, asg: `asg-cluster-${c}-group-${g}-spot-general-purpose`, lifecycle: g % 2 === 0 ? 'spot' : 'on-demand' })),
  }));
  const jobs = Array.from({ length: 50 }, (_, j) => ({
    name: `job-${j}-nightly-export`,
    schedule: 'cron(0 2 * * ? *)',
    cluster: clusters[j % 10]!.name,
    taskDefinition: `job-${j}-nightly-export-task`,
    capacityProviders: [clusters[j % 10]!.groups[0]!.name],
    passRoles: [`arn:aws:iam::123456789012:role/job-${j}-nightly-export-task-role`, 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole'],
  }));
  const serviceScaling = Array.from({ length: 50 }, (_, s) => ({
    cluster: clusters[s % 10]!.name,
    service: `service-${s}-web-frontend`,
    minTasks: 2,
    maxTasks: 50,
    alarms: [
      { alarm: `service-${s}-web-frontend-backlog-high`, steps: [{ lower: 0, add: 2 }] },
      { alarm: `service-${s}-web-frontend-backlog-low`, steps: [{ upper: 0, add: -1 }] },
    ],
    schedules: [
      { schedule: 'cron(0 8 ? * MON-FRI *)', minTasks: 4 },
      { schedule: 'cron(0 20 ? * * *)', minTasks: 2 },
    ],
  }));
  return { region: 'eu-west-1', clusters, jobs, serviceScaling };
}

const demo = () => ({
  clusters: [{ name: 'demo', groups: [{ name: 'spot-general', asg: 'asg-spot' }] }],
  jobs: [{ name: 'nightly', schedule: 'rate(1 day)', cluster: 'demo', taskDefinition: 'nightly', capacityProviders: ['spot-general'], passRoles: [] as string[] }],
});

describe('Packaging with a config outside the repository (--param="config=<path>")', () => {
  const runs: ScratchPackage[] = [];
  const pack = (config: unknown, params: Record<string, string> = {}, args: string[] = []) => {
    const run = packageWith(stringify(config), params, args);
    runs.push(run);
    return run;
  };
  afterAll(() => {
    for (const r of runs) rmSync(r.dir, { recursive: true, force: true });
  });

  it('fails on a misspelled key, naming it as the CLI does', () => {
    const config = demo();
    (config.clusters[0]!.groups[0] as Record<string, unknown>).lifecylce = 'spot';
    const run = pack(config);
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('$.clusters[0].groups[0]: Unrecognized key: "lifecylce"');
    expect(run.output).not.toContain('Service packaged');
  }, 120_000);

  it('rejects a job that does not name the roles it passes, with the field', () => {
    const config = demo() as { jobs: Array<Record<string, unknown>> };
    delete config.jobs[0]!.passRoles;
    const run = pack(config);
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('$.jobs[0].passRoles: required to deploy');
    // Said once, not once per value serverless.yml reads of the config (issue 24).
    expect(run.output.split('$.jobs[0].passRoles').length - 1).toBe(1);
  }, 120_000);

  it('refuses a deploy region other than the config\'s region, naming both, once (issue 24)', () => {
    const run = pack({ ...demo(), region: 'eu-west-1' }, {}, ['--region', 'us-east-1']);
    expect(run.status).not.toBe(0);
    expect(run.output).toContain("$.region: the deploy region us-east-1 (--region) differs from the config's region eu-west-1");
    expect(run.output.split('differs from the config').length - 1).toBe(1);
    expect(run.output).not.toContain('Service packaged');
  }, 120_000);

  it('packages 10 clusters × 10 groups, 50 jobs and 50 services with every IAM policy under its size limit', () => {
    const run = pack(largeConfig(), { reservedConcurrency: '1', alarmEmail: 'ops@example.com' });
    expect(run.output).toContain('Service packaged');
    // No --region: the config's region is the deploy region (issue 24).
    expect(run.output).toContain('Packaging ecs-pilot for stage prod (eu-west-1)');
    const resources: Record<string, any> = run.template.Resources;
    const managed = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy');
    expect(managed.length).toBeGreaterThan(1);
    expect(managed.length).toBeLessThanOrEqual(MANAGED_POLICIES_PER_ROLE);
    for (const p of managed) expect(resolvedLength(p.Properties.PolicyDocument)).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    expect(resources.IamRoleLambdaExecution.Properties.ManagedPolicyArns).toHaveLength(managed.length);
    for (const role of Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Role')) {
      const inline = (role.Properties.Policies ?? []).reduce((n: number, p: any) => n + resolvedLength(p.PolicyDocument), 0);
      expect(inline).toBeLessThanOrEqual(ROLE_INLINE_MAX_CHARS);
    }
    for (const q of Object.values(resources).filter((r) => r.Type === 'AWS::SQS::QueuePolicy')) expect(resolvedLength(q.Properties.PolicyDocument)).toBeLessThanOrEqual(8192);
    // Every group is still named: nothing was widened to fit.
    const asgArns = managed.flatMap((p) => p.Properties.PolicyDocument.Statement).filter((s: any) => [s.Action].flat().includes('autoscaling:SetDesiredCapacity')).flatMap((s: any) => s.Resource);
    expect(asgArns).toHaveLength(100);
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::Scheduler::Schedule')).toHaveLength(150);
    // CloudFormation quotas: 500 resources per stack, a 1 MB template (uploaded to S3).
    expect(Object.keys(resources).length).toBeLessThanOrEqual(500);
    expect(JSON.stringify(run.template).length).toBeLessThan(1024 * 1024);
    // Parameters: reserved concurrency on reconcile and scaling only; the alarm e-mail subscribed.
    expect(resources.ReconcileLambdaFunction.Properties.ReservedConcurrentExecutions).toBe(1);
    expect(resources.ScalingLambdaFunction.Properties.ReservedConcurrentExecutions).toBe(1);
    expect(resources.CapacityLambdaFunction.Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(resources.AlarmEmailSubscription.Properties).toEqual({ TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'email', Endpoint: 'ops@example.com' });
  }, 240_000);
});
