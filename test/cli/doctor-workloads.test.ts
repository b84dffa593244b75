/** doctor checks jobs, scaled services and alarms, not only groups (issue 24). */
import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { deploymentCheck } from '../../src/cli/doctor-command.js';
import type { WorkloadFacts } from '../../src/aws/workload-facts.js';
import { workloadChecks } from '../../src/cli/doctor-workloads.js';
import { demoSnapshot, mockAws, type MockedAws } from '../support/aws-mocks.js';
import { runCli } from '../support/cli.js';

const ROLE = 'arn:aws:iam::123456789012:role/export-task';

function facts(over: Partial<WorkloadFacts> = {}): WorkloadFacts {
  return {
    cluster: 'prod',
    jobs: [{ job: 'export', taskDefinition: 'export', passRoles: [ROLE], hasNetwork: false, definition: { ok: true, value: { networkMode: 'bridge', roles: [ROLE] } } }],
    services: { ok: true, value: new Map([['web', 'ACTIVE']]) },
    scaledServices: ['web'],
    alarms: { ok: true, value: new Set(['web-high']) },
    alarmNames: ['web-high'],
    ...over,
  };
}

const statuses = (f: WorkloadFacts) => workloadChecks(f).map((c) => [c.check, c.status]);

describe('Function: workloadChecks', () => {
  it('all present: each passes', () => {
    expect(statuses(facts())).toEqual([
      ['job-task-definition', 'pass'],
      ['scaled-services', 'pass'],
      ['scaling-alarms', 'pass'],
    ]);
  });

  it.each([
    ['a missing task definition', { jobs: [{ ...facts().jobs[0]!, definition: { ok: true as const, value: undefined } }] }, 'ECS has no task definition export'],
    ['a role the task definition passes but passRoles lacks', { jobs: [{ ...facts().jobs[0]!, passRoles: [] }] }, `names role(s) ${ROLE} that jobs[].passRoles does not`],
    ['awsvpc without network', { jobs: [{ ...facts().jobs[0]!, definition: { ok: true as const, value: { networkMode: 'awsvpc', roles: [ROLE] } } }] }, 'network mode awsvpc but job export has no network'],
    ['a scaled service that is gone', { services: { ok: true as const, value: new Map([['web', 'INACTIVE']]) } }, 'service(s) web (INACTIVE) scaled by serviceScaling are not ACTIVE'],
    ['an alarm that does not exist', { alarms: { ok: true as const, value: new Set<string>() } }, 'CloudWatch has no alarm web-high'],
  ])('%s: fails, saying why', (_name, over, detail) => {
    const failed = workloadChecks(facts(over)).filter((c) => c.status === 'fail');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.detail).toContain(detail);
    expect(failed[0]?.fix).toBeDefined();
  });

  it('a refused read is unverified, naming the grant', () => {
    const checks = workloadChecks(facts({ alarms: { ok: false, error: 'AccessDenied: no' } }));
    expect(checks.find((c) => c.check === 'scaling-alarms')).toMatchObject({ status: 'unverified', fix: 'grant cloudwatch:DescribeAlarms to the operator' });
  });
});

describe('Function: deploymentCheck', () => {
  const stage = { value: 'prod', from: 'default' };
  it('the stack\'s DLQ found: deployed (pass); not found: not deployed here, said as info (before the first deploy it is not)', () => {
    expect(deploymentCheck('prod', stage, 'eu-west-1', { ok: true, value: { url: 'u', messages: 2 } })).toMatchObject({ status: 'pass', detail: expect.stringContaining('stage prod is deployed in eu-west-1: its DLQ ecs-pilot-prod-dlq holds 2 message(s)') });
    expect(deploymentCheck('prod', stage, 'eu-west-1', { ok: false, error: 'QueueDoesNotExist: The specified queue does not exist.' })).toMatchObject({ status: 'info', detail: expect.stringContaining('no ecs-pilot-prod-dlq in eu-west-1: stage prod (default) is not deployed here') });
    expect(deploymentCheck('prod', stage, 'eu-west-1', { ok: false, error: 'AccessDenied: no' }).status).toBe('unverified');
  });
});

describe('CLI: doctor --aws, the config\'s jobs, services and alarms (SDK mocked)', () => {
  let aws: MockedAws;
  let sqs: AwsClientStub<SQSClient>;
  beforeEach(() => {
    aws = mockAws(demoSnapshot());
    sqs = mockClient(SQSClient);
    sqs.on(GetQueueUrlCommand).rejects(Object.assign(new Error('The specified queue does not exist.'), { name: 'QueueDoesNotExist', $metadata: {} }));
    sqs.on(GetQueueUrlCommand, { QueueName: 'ecs-pilot-staging-dlq' }).resolves({ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/ecs-pilot-staging-dlq' });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
  });
  afterEach(() => {
    aws.restore();
    sqs.restore();
  });

  it('says the stage it looks for and whether that stack is deployed', async () => {
    const r = await runCli('doctor', '--aws', '--wide');
    expect(r.out).toContain('stage prod (default, as `osls deploy` without --stage)');
    expect(r.out).toContain('info deployment: no ecs-pilot-prod-dlq in us-east-1: stage prod');
    const staging = await runCli('doctor', '--aws', '--stage', 'staging', '--wide');
    expect(staging.out).toContain('ok   deployment: stage staging is deployed in us-east-1');
    expect((await runCli('doctor', '--stage', 'staging')).code).toBe(2);
  });

  it('the demo config\'s alarms missing in the account: exit 1, each named', async () => {
    const r = await runCli('doctor', '--aws', '--wide');
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL scaling-alarms: CloudWatch has no alarm demo-worker-backlog-high, demo-worker-backlog-low in this account and region');
    expect(r.out).toContain('ok   job hourly-sync job-task-definition: task definition sync exists');
  });

  it('a task definition ECS does not know: the job fails the check', async () => {
    aws.ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: 'sync' }).rejects(Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException', $metadata: {} }));
    const r = await runCli('doctor', '--aws', '--wide');
    expect(r.out).toContain('FAIL job hourly-sync job-task-definition: ECS has no task definition sync in this account and region');
  });
});
