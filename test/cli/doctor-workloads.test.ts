/** doctor checks jobs, scaled services and alarms, not only groups (issue 24). */
import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
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

describe('CLI: doctor --aws, the config\'s jobs, services and alarms (SDK mocked)', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws(demoSnapshot());
  });
  afterEach(() => aws.restore());

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
