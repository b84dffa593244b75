/**
 * The packaged IAM, proven by simulation (@cloud-copilot/iam-simulate, which evaluates policies and
 * validates actions, resource types and condition keys against the Service Authorization Reference):
 * every request the demo replay sends is allowed to the functions' role, and the same request against
 * another cluster, group, role, service or a service's task is denied.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { loadConfigFile } from '../../src/config/load.js';
import { replay } from '../../src/cli/replay-command.js';
import { DUTIES } from '../../src/duties/index.js';
import { mockAws } from '../support/aws-mocks.js';
import { event, invoke } from '../support/handlers.js';
import { packagedTemplate } from './packaged.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/ecs-pilot-prod-${REGION}-lambdaRole`;
const ecsArn = (resource: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:${resource}`;
const asgArn = (name: string) => `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:4e1c2a6b-0f2d-4b8a-9c1e-7d3f5a2b9c10:autoScalingGroupName/${name}`;
const queueArn = (id: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${id === 'DeadLetterQueue' ? 'ecs-pilot-prod-dlq' : 'ecs-pilot-prod-capacity'}`;

/** Resolves the template's intrinsic functions as CloudFormation would in the demo account. */
function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if (typeof o['Fn::Sub'] === 'string') return o['Fn::Sub'].replaceAll('${AWS::Partition}', 'aws').replaceAll('${AWS::Region}', REGION).replaceAll('${AWS::AccountId}', ACCOUNT);
  if (Array.isArray(o['Fn::GetAtt'])) {
    const [id] = o['Fn::GetAtt'] as string[];
    if (id === 'DeadLetterQueue' || id === 'CapacityQueue') return queueArn(id);
    if (id!.endsWith('LambdaFunction')) return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:ecs-pilot-prod-${id!.replace(/LambdaFunction$/, '').toLowerCase()}`;
    return `arn:aws:events:${REGION}:${ACCOUNT}:rule/ecs-pilot-prod-${id}`;
  }
  if (o.Ref === 'AWS::AccountId') return ACCOUNT;
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(v)]));
}

interface IamRequest {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
  /** What the request is, for a failure message. */
  why: string;
}

type Call = { service: string; command: string; input: Record<string, any> };

const clusterArn = (cluster: string) => (cluster.startsWith('arn:') ? cluster : ecsArn(`cluster/${cluster}`));
const clusterName = (cluster: string) => cluster.split('/').pop()!;
const inCluster = (cluster: string) => ({ 'ecs:cluster': clusterArn(cluster) });
const serviceArn = (cluster: string, service: string) => (service.startsWith('arn:') ? service : ecsArn(`service/${clusterName(cluster)}/${service}`));
const taskDefinitionArn = (td: string) => (td.startsWith('arn:') ? td : ecsArn(`task-definition/${td.includes(':') ? td : `${td}:1`}`));
const tagContext = (tags: Array<{ key: string; value: string }>) => ({
  'aws:TagKeys': tags.map((t) => t.key),
  ...Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.key}`, t.value])),
});

/** The IAM requests one SDK call makes (action, resource ARN, condition keys), as AWS authorises it. */
function iamRequests(call: Call, passRolesOf: (job: string) => string[]): IamRequest[] {
  const i = call.input;
  const why = `${call.service}:${call.command} ${JSON.stringify(i).slice(0, 160)}`;
  const one = (action: string, resource: string, context?: Record<string, string | string[]>): IamRequest => ({ action, resource, why, ...(context ? { context } : {}) });
  const action = `${call.service}:${call.command}`;
  switch (action) {
    case 'ecs:ListContainerInstances':
    case 'ecs:ListAttributes':
    case 'ecs:DescribeClusters':
      return (i.clusters ?? [i.cluster]).map((c: string) => one(action, clusterArn(c)));
    case 'ecs:DescribeContainerInstances':
    case 'ecs:UpdateContainerInstancesState':
      return i.containerInstances.map((ci: string) => one(action, ci, inCluster(i.cluster)));
    case 'ecs:PutAttributes':
    case 'ecs:DeleteAttributes':
      return i.attributes.map((a: { targetId: string }) => one(action, a.targetId, inCluster(i.cluster)));
    case 'ecs:ListTasks':
      return [one(action, i.containerInstance ?? ecsArn(`container-instance/${clusterName(i.cluster)}/*`), inCluster(i.cluster))];
    case 'ecs:ListServices':
      return [one(action, '*', inCluster(i.cluster))];
    case 'ecs:DescribeTasks':
    case 'ecs:GetTaskProtection':
      return i.tasks.map((t: string) => one(action, t, inCluster(i.cluster)));
    case 'ecs:StopTask':
      return [one(action, i.task, { ...inCluster(i.cluster), ...(i.resourceTags ?? {}) })];
    case 'ecs:DescribeServices':
      return i.services.map((s: string) => one(action, serviceArn(i.cluster, s), inCluster(i.cluster)));
    case 'ecs:UpdateService':
      return [one(action, serviceArn(i.cluster, i.service), inCluster(i.cluster))];
    case 'ecs:TagResource':
      return [one(action, i.resourceArn, tagContext(i.tags))];
    case 'ecs:DescribeTaskDefinition':
      return [one(action, '*')];
    case 'ecs:DescribeCapacityProviders':
      return i.capacityProviders.map((p: string) => one(action, ecsArn(`capacity-provider/${p}`)));
    case 'ecs:RunTask': {
      // RunTask with tags is also ecs:TagResource on the new task (ecs:CreateAction), and passes the
      // task definition's roles (iam:PassRole) to ECS tasks.
      const job = (i.tags as Array<{ key: string; value: string }>).find((t) => t.key === 'ecs-pilot:job')?.value ?? '';
      return [
        one(action, taskDefinitionArn(i.taskDefinition), { ...inCluster(i.cluster), ...tagContext(i.tags), 'ecs:capacity-provider': i.capacityProviderStrategy.map((s: { capacityProvider: string }) => s.capacityProvider) }),
        one('ecs:TagResource', ecsArn(`task/${clusterName(i.cluster)}/0f1e2d3c4b5a69788796a5b4c3d2e1f0`), { 'ecs:CreateAction': 'RunTask', ...tagContext(i.tags) }),
        ...passRolesOf(job).map((role) => one('iam:PassRole', role, { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' })),
      ];
    }
    case 'autoscaling:DescribeAutoScalingGroups':
    case 'autoscaling:DescribePolicies':
    case 'autoscaling:DescribeLaunchConfigurations':
    case 'autoscaling:DescribeScalingActivities':
    case 'ec2:DescribeInstanceTypes':
    case 'ec2:DescribeLaunchTemplateVersions':
    case 'ec2:GetInstanceTypesFromInstanceRequirements':
      return [one(action, '*')];
    case 'cloudwatch:DescribeAlarms':
      return i.AlarmNames.map((n: string) => one(action, `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${n}`));
    case 'autoscaling:SetDesiredCapacity':
    case 'autoscaling:SetInstanceProtection':
    case 'autoscaling:CompleteLifecycleAction':
    case 'autoscaling:RecordLifecycleActionHeartbeat':
      return [one(action, asgArn(i.AutoScalingGroupName))];
    case 'autoscaling:TerminateInstanceInAutoScalingGroup':
      return [one(action, asgArn(i.AutoScalingGroupName))];
    case 'autoscaling:UpdateAutoScalingGroup':
      return [one(action, asgArn(i.AutoScalingGroupName))];
    case 'autoscaling:CreateOrUpdateTags':
    case 'autoscaling:DeleteTags':
      return i.Tags.map((t: { ResourceId: string; Key: string }) => one(action, asgArn(t.ResourceId), { 'aws:TagKeys': [t.Key] }));
    default:
      throw new Error(`no IAM mapping for ${action}: add it here`);
  }
}

describe('IAM of the packaged functions, by simulation', () => {
  const t = packagedTemplate();
  const role = t.Resources.IamRoleLambdaExecution.Properties;
  const identityPolicies = [
    ...role.Policies.map((p: any, n: number) => ({ name: `inline-${n}`, policy: resolve(p.PolicyDocument) })),
    ...role.ManagedPolicyArns.map((ref: { Ref: string }) => ({ name: ref.Ref, policy: resolve(t.Resources[ref.Ref].Properties.PolicyDocument) })),
  ];
  const config = loadConfigFile('ecs-pilot.yml');
  const passRolesOf = (job: string) => config.jobs.find((j) => j.name === job)?.passRoles ?? [];

  async function decision(r: IamRequest): Promise<string> {
    const simulation: Simulation = {
      request: { principal: ROLE, action: r.action, resource: { resource: r.resource, accountId: ACCOUNT }, contextVariables: r.context ?? {} },
      identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    };
    const result = await runSimulation(simulation, {});
    if (result.resultType === 'error') throw new Error(`${r.why}: the simulator rejected the request: ${JSON.stringify(result.errors)}`);
    return result.overallResult;
  }

  let demoRequests: IamRequest[] = [];
  beforeAll(async () => {
    const result = await replay(['events/demo'], { config: 'ecs-pilot.yml', configGiven: true });
    const calls = result.events.flatMap((e) => e.calls.filter((c) => c.sent));
    demoRequests = calls.flatMap((c) => iamRequests(c, passRolesOf));
  }, 60_000);

  it('allows every request the demo replay sends', async () => {
    expect(demoRequests.length).toBeGreaterThan(50);
    const actions = new Set(demoRequests.map((r) => r.action));
    // The demo exercises reads and the writes of every duty (spot, capacity, lifecycle, batch, scaling).
    for (const a of ['autoscaling:SetDesiredCapacity', 'autoscaling:CompleteLifecycleAction', 'ecs:UpdateContainerInstancesState', 'ecs:PutAttributes', 'ecs:RunTask', 'ecs:TagResource', 'iam:PassRole', 'ecs:UpdateService']) expect(actions).toContain(a);
    const denied: string[] = [];
    for (const r of demoRequests) if ((await decision(r)) !== 'Allowed') denied.push(`${r.action} on ${r.resource}: ${r.why}`);
    expect(denied).toEqual([]);
  }, 60_000);

  // Requests of the code paths the demo does not reach, allowed, each with its denied twin below.
  const OTHER = {
    cluster: 'other',
    asg: 'other-asg',
    role: `arn:aws:iam::${ACCOUNT}:role/admin`,
  };
  const jobTask = ecsArn('task/demo/rpt0000000000000000000000000001');
  const serviceTask = ecsArn('task/demo/web0000000000000000000000000001');
  const reached: Array<[string, IamRequest]> = [
    ['stop a job attempt (timeout, Replace)', { action: 'ecs:StopTask', resource: jobTask, context: { ...inCluster('demo'), 'aws:ResourceTag/ecs-pilot:job': 'nightly-report' }, why: 'StopTask job task' }],
    ['protect instances', { action: 'autoscaling:SetInstanceProtection', resource: asgArn('ecs-pilot-demo-spot-general'), why: 'SetInstanceProtection' }],
    ['heartbeat a lifecycle hook', { action: 'autoscaling:RecordLifecycleActionHeartbeat', resource: asgArn('ecs-pilot-demo-gpu'), why: 'RecordLifecycleActionHeartbeat' }],
    ['terminate an empty instance', { action: 'autoscaling:TerminateInstanceInAutoScalingGroup', resource: asgArn('ecs-pilot-demo-ondemand-general'), why: 'TerminateInstanceInAutoScalingGroup' }],
    ['clear an instance mark', { action: 'ecs:DeleteAttributes', resource: ecsArn('container-instance/demo/00000000000000000000000000000001'), context: inCluster('demo'), why: 'DeleteAttributes' }],
    ['read the capacity providers', { action: 'ecs:DescribeCapacityProviders', resource: ecsArn('capacity-provider/spot-general'), why: 'DescribeCapacityProviders' }],
    ['read the cluster', { action: 'ecs:DescribeClusters', resource: ecsArn('cluster/demo'), why: 'DescribeClusters' }],
    ["read ecs-pilot's marks (reads from the state store)", { action: 'ecs:ListAttributes', resource: ecsArn('cluster/demo'), why: 'ListAttributes' }],
    ['list the services (deficits)', { action: 'ecs:ListServices', resource: '*', context: inCluster('demo'), why: 'ListServices' }],
    ['read alarms', { action: 'cloudwatch:DescribeAlarms', resource: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:demo-worker-backlog-high`, why: 'DescribeAlarms' }],
    ['read launch templates', { action: 'ec2:DescribeLaunchTemplateVersions', resource: '*', why: 'DescribeLaunchTemplateVersions' }],
    ['resolve instance requirements', { action: 'ec2:GetInstanceTypesFromInstanceRequirements', resource: '*', why: 'GetInstanceTypesFromInstanceRequirements' }],
    ['read launch configurations', { action: 'autoscaling:DescribeLaunchConfigurations', resource: '*', why: 'DescribeLaunchConfigurations' }],
    ['read scaling policies', { action: 'autoscaling:DescribePolicies', resource: '*', why: 'DescribePolicies' }],
    ['remember a launch failure (the group tag)', { action: 'autoscaling:CreateOrUpdateTags', resource: asgArn('ecs-pilot-demo-spot-general'), context: { 'aws:TagKeys': ['ecs-pilot:unavailable'] }, why: 'CreateOrUpdateTags' }],
    ['forget a launch failure', { action: 'autoscaling:DeleteTags', resource: asgArn('ecs-pilot-demo-spot-general'), context: { 'aws:TagKeys': ['ecs-pilot:unavailable'] }, why: 'DeleteTags' }],
  ];
  it('allows every request of retiring a replaced spot instance (issue 9), and denies its terminate in another group', async () => {
    // Prepare: the warning replaced and drained i-…0003; its service tasks left it.
    const aws = mockAws();
    try {
      await invoke(DUTIES.spot, event('events/demo/01-spot-interruption-warning.json'));
      for (const id of ['api0000000000000000000000000001', 'api0000000000000000000000000002', 'wrk0000000000000000000000000002']) aws.sim.setTaskStatus(ecsArn(`task/demo/${id}`), 'STOPPED', 'STOPPED');
      const drained = event('events/demo/05-container-instance-draining.json');
      Object.assign(drained.detail, { ec2InstanceId: 'i-0a1b2c3d4e5f60003', containerInstanceArn: ecsArn('container-instance/demo/00000000000000000000000000000003') });
      drained.detail.attributes.push({ name: 'ecs-pilot.replacement-requested', value: '2026-11-24T12:00:10.000Z' });
      // Act
      const record = await invoke(DUTIES.lifecycle, drained);
      // Assess: TerminateInstanceInAutoScalingGroup names no group; IAM authorises it on the instance's group.
      const requests = record.calls.flatMap((c) =>
        c.command === 'TerminateInstanceInAutoScalingGroup' ? [{ action: 'autoscaling:TerminateInstanceInAutoScalingGroup', resource: asgArn('ecs-pilot-demo-spot-general'), why: JSON.stringify(c.input) }] : iamRequests(c, passRolesOf),
      );
      expect(requests.map((r) => r.action)).toEqual(['autoscaling:DescribeAutoScalingGroups', 'ecs:DescribeContainerInstances', 'autoscaling:TerminateInstanceInAutoScalingGroup']);
      for (const r of requests) expect([r.why, await decision(r)]).toEqual([r.why, 'Allowed']);
      const terminate = requests[2]!;
      expect(await decision({ ...terminate, resource: asgArn(OTHER.asg) })).not.toBe('Allowed');
    } finally {
      aws.restore();
    }
  }, 60_000);

  it.each(reached)('allows the code path the demo does not reach: %s', async (_what, r) => {
    expect(await decision(r)).toBe('Allowed');
  });

  /** The same request against something ecs-pilot is not configured for: one or more per write action. */
  function denials(requests: IamRequest[]): Array<[string, IamRequest]> {
    const out: Array<[string, IamRequest]> = [];
    const seen = new Set<string>();
    for (const r of requests) {
      const swap = (what: string, changed: Partial<IamRequest>) => {
        const key = `${r.action}|${what}`;
        if (seen.has(key)) return;
        seen.add(key);
        out.push([`${r.action} ${what}`, { ...r, ...changed, why: `${r.why} (${what})` }]);
      };
      const otherClusterContext = r.context?.['ecs:cluster'] ? { ...r.context, 'ecs:cluster': ecsArn(`cluster/${OTHER.cluster}`) } : r.context;
      if (r.action.startsWith('autoscaling:') && r.resource !== '*') swap('on another Auto Scaling group', { resource: asgArn(OTHER.asg) });
      if (r.action === 'iam:PassRole') {
        swap('of another role', { resource: OTHER.role });
        swap('to another service', { context: { 'iam:PassedToService': 'ec2.amazonaws.com' } });
      }
      if (r.action === 'ecs:RunTask') {
        swap('in another cluster', { context: otherClusterContext });
        swap('of another task definition family', { resource: ecsArn('task-definition/admin-tools:1') });
      }
      if (r.action === 'ecs:TagResource' && r.resource.includes(':task/')) {
        swap('on an existing task (not at RunTask)', { context: { ...r.context, 'ecs:CreateAction': 'UpdateService' } });
        swap('with a tag key that is not ecs-pilot\'s', { context: { ...r.context, 'aws:TagKeys': ['owner'] } });
      }
      if (r.action === 'ecs:TagResource' && r.resource.includes(':service/')) swap('on another service', { resource: ecsArn('service/demo/payments') });
      if (r.action === 'ecs:UpdateService') {
        swap('on another service', { resource: ecsArn('service/demo/payments') });
        swap('in another cluster', { resource: ecsArn(`service/${OTHER.cluster}/worker`), context: otherClusterContext });
      }
      if (r.action === 'ecs:StopTask') {
        swap('on a service task', { resource: serviceTask, context: inCluster('demo') });
        swap('in another cluster', { resource: ecsArn(`task/${OTHER.cluster}/rpt0000000000000000000000000001`), context: { ...otherClusterContext, 'aws:ResourceTag/ecs-pilot:job': 'nightly-report' } });
      }
      if (/^ecs:(UpdateContainerInstancesState|PutAttributes|DeleteAttributes|DescribeContainerInstances)$/.test(r.action)) {
        swap('in another cluster', { resource: r.resource.replace('container-instance/demo/', `container-instance/${OTHER.cluster}/`), context: otherClusterContext });
      }
      if (/^ecs:(DescribeTasks|GetTaskProtection)$/.test(r.action)) swap('in another cluster', { resource: r.resource.replace(':task/demo/', `:task/${OTHER.cluster}/`), context: otherClusterContext });
      if (/^ecs:(ListTasks|ListServices)$/.test(r.action)) swap('in another cluster', { resource: r.resource.replace('/demo/', `/${OTHER.cluster}/`), context: otherClusterContext });
      if (/^ecs:(ListContainerInstances|ListAttributes|DescribeClusters)$/.test(r.action)) swap('of another cluster', { resource: ecsArn(`cluster/${OTHER.cluster}`) });
      if (r.action === 'ecs:DescribeServices') swap('in another cluster', { resource: ecsArn(`service/${OTHER.cluster}/worker`), context: otherClusterContext });
      if (r.action === 'ecs:DescribeCapacityProviders') swap('of another capacity provider', { resource: ecsArn('capacity-provider/other-provider') });
      if (/^autoscaling:(CreateOrUpdateTags|DeleteTags)$/.test(r.action)) swap("with a tag key that is not ecs-pilot's", { context: { 'aws:TagKeys': ['owner'] } });
    }
    return out;
  }

  it('denies the same requests against another cluster, group, role, service or a service task', async () => {
    const cases = denials([...demoRequests, ...reached.map(([, r]) => r)]);
    const allowed: string[] = [];
    for (const [what, r] of cases) if ((await decision(r)) === 'Allowed') allowed.push(what);
    expect(allowed).toEqual([]);
    // At least one denied case for every write action the role grants.
    const writes = identityPolicies
      .flatMap((p: any) => p.policy.Statement)
      .flatMap((s: any) => [s.Action].flat())
      .filter((a: string) => /^(ecs|autoscaling|iam):/.test(a) && !/^(ecs|autoscaling):(Describe|List|Get)/.test(a));
    const deniedActions = new Set(cases.map(([, r]) => r.action));
    expect(writes.length).toBeGreaterThan(10);
    for (const w of writes) expect([w, deniedActions.has(w)]).toEqual([w, true]);
  }, 60_000);

  it('lets only this stack\'s rules send to the dead-letter queue, and only this account\'s schedules assume the Scheduler role', async () => {
    const dlqPolicy = resolve(t.Resources.DeadLetterQueuePolicy.Properties.PolicyDocument);
    const send = (sourceArn: string) =>
      runSimulation(
        {
          request: { principal: 'events.amazonaws.com', action: 'sqs:SendMessage', resource: { resource: queueArn('DeadLetterQueue'), accountId: ACCOUNT }, contextVariables: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': ACCOUNT } },
          identityPolicies: [],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: dlqPolicy,
        },
        {},
      );
    const ours = await send(`arn:aws:events:${REGION}:${ACCOUNT}:rule/ecs-pilot-prod-SpotInterruptionRule`);
    const foreign = await send(`arn:aws:events:${REGION}:999999999999:rule/anything`);
    expect([ours.resultType, ours.resultType !== 'error' && ours.overallResult]).toEqual(['single', 'Allowed']);
    expect(foreign.resultType !== 'error' && foreign.overallResult).not.toBe('Allowed');

    const trust = resolve(t.Resources.SchedulerRole.Properties.AssumeRolePolicyDocument);
    const assume = (account: string) =>
      runSimulation(
        {
          request: { principal: 'scheduler.amazonaws.com', action: 'sts:AssumeRole', resource: { resource: `arn:aws:iam::${ACCOUNT}:role/ecs-pilot-scheduler`, accountId: ACCOUNT }, contextVariables: { 'aws:SourceAccount': account } },
          identityPolicies: [],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: trust,
        },
        {},
      );
    const same = await assume(ACCOUNT);
    const other = await assume('999999999999');
    expect(same.resultType !== 'error' && same.overallResult).toBe('Allowed');
    expect(other.resultType !== 'error' && other.overallResult).not.toBe('Allowed');
  });
});
