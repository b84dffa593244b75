/**
 * Reads the CloudFormation template `osls package` generates (.ci/run packages before the tests; this
 * packages itself when the template is missing or older than its sources).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';

const TEMPLATE = '.serverless/cloudformation-template-update-stack.json';
const SOURCES = ['serverless.yml', 'serverless/params.cjs', 'ecs-pilot.yml', 'package.json'];

function template(): any {
  const stale = !existsSync(TEMPLATE) || SOURCES.some((s) => statSync(s).mtimeMs > statSync(TEMPLATE).mtimeMs);
  if (stale) execFileSync('npx', ['osls', 'package'], { stdio: 'pipe', timeout: 180_000 });
  return JSON.parse(readFileSync(TEMPLATE, 'utf8'));
}

const MUTATING = /^(ecs:(UpdateContainerInstancesState|PutAttributes|DeleteAttributes|RunTask|StopTask|UpdateService|StartTask|TagResource)|autoscaling:(SetDesiredCapacity|SetInstanceProtection|CompleteLifecycleAction|RecordLifecycleActionHeartbeat|TerminateInstanceInAutoScalingGroup|UpdateAutoScalingGroup|DetachInstances))$/;

describe('Packaged service (osls package)', () => {
  const t = template();
  const resources: Record<string, any> = t.Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

  it('has the seven functions on nodejs22.x', () => {
    const fns = ofType('AWS::Lambda::Function').map(([, r]) => r.Properties);
    expect(fns.map((f) => f.Handler).sort()).toEqual([
      'src/handlers/batch.handler',
      'src/handlers/capacity.handler',
      'src/handlers/lifecycle.handler',
      'src/handlers/rebalance.handler',
      'src/handlers/reconcile.handler',
      'src/handlers/scaling.handler',
      'src/handlers/spot.handler',
    ]);
    for (const f of fns) expect(f.Runtime).toBe('nodejs22.x');
  });

  it('gives every function its event rule, filtered to the configured clusters and groups', () => {
    const rules = [...ofType('AWS::Events::Rule')].map(([, r]) => r.Properties);
    const target = (fn: string) => rules.filter((r) => r.Targets.some((x: any) => x.Arn['Fn::GetAtt']?.[0] === fn));
    for (const fn of ['SpotLambdaFunction', 'RebalanceLambdaFunction', 'LifecycleLambdaFunction', 'ReconcileLambdaFunction', 'BatchLambdaFunction', 'ScalingLambdaFunction']) {
      expect(target(fn).length).toBeGreaterThan(0);
    }
    expect(target('SpotLambdaFunction')[0].EventPattern).toEqual({ source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] });
    expect(target('ReconcileLambdaFunction')[0].ScheduleExpression).toBe('rate(1 minute)');
    // The capacity function reads a queue the capacity rules fill, in batches.
    const toQueue = rules.filter((r) => r.Targets.some((x: any) => x.Arn['Fn::GetAtt']?.[0] === 'CapacityQueue')).map((r) => r.EventPattern);
    expect(toQueue).toContainEqual({ source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'], detail: { clusterArn: [{ suffix: ':cluster/demo' }], lastStatus: ['PROVISIONING'] } });
    expect(toQueue).toContainEqual({ source: ['aws.ecs'], 'detail-type': ['ECS Service Action'], detail: { clusterArn: [{ suffix: ':cluster/demo' }], eventName: ['SERVICE_TASK_PLACEMENT_FAILURE'] } });
    const mapping = ofType('AWS::Lambda::EventSourceMapping').map(([, r]) => r.Properties).find((p) => p.FunctionName['Fn::GetAtt'][0] === 'CapacityLambdaFunction');
    expect(mapping).toEqual(expect.objectContaining({ EventSourceArn: { 'Fn::GetAtt': ['CapacityQueue', 'Arn'] }, BatchSize: 100, MaximumBatchingWindowInSeconds: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] }));
    const lifecycle = target('LifecycleLambdaFunction').map((r) => r.EventPattern);
    expect(lifecycle[0].detail.AutoScalingGroupName).toEqual(['ecs-pilot-demo-spot-general', 'ecs-pilot-demo-ondemand-general', 'ecs-pilot-demo-gpu']);
    expect(target('ScalingLambdaFunction').map((r) => r.EventPattern)).toContainEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: { alarmName: ['demo-worker-backlog-high', 'demo-worker-backlog-low'], state: { value: ['ALARM'] } },
    });
    expect(target('BatchLambdaFunction').map((r) => r.EventPattern)).toContainEqual({
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: { clusterArn: [{ suffix: ':cluster/demo' }], lastStatus: ['STOPPED'], startedBy: [{ prefix: 'ecs-pilot/' }, { prefix: 'ecs-pilot:' }] },
    });
  });

  it('generates one EventBridge Scheduler schedule per job, in its time zone, with an event-shaped input', () => {
    const schedules = ofType('AWS::Scheduler::Schedule').map(([, r]) => r.Properties);
    const detail = (p: any) => JSON.parse(p.Target.Input).detail;
    expect(schedules.filter((p) => detail(p).job).map((p) => [p.ScheduleExpression, p.ScheduleExpressionTimezone, detail(p).job])).toEqual([
      ['cron(0 2 * * ? *)', 'Europe/Paris', 'nightly-report'],
      ['rate(1 hour)', 'UTC', 'hourly-sync'],
    ]);
    expect(schedules.filter((p) => detail(p).service).map((p) => [p.ScheduleExpression, p.ScheduleExpressionTimezone, detail(p)])).toEqual([
      ['cron(0 8 ? * MON-FRI *)', 'Europe/Paris', { cluster: 'demo', service: 'worker', schedule: 0 }],
      ['cron(0 20 ? * * *)', 'Europe/Paris', { cluster: 'demo', service: 'worker', schedule: 1 }],
    ]);
    expect(JSON.parse(schedules.find((p) => detail(p).job === 'nightly-report').Target.Input)).toEqual(expect.objectContaining({ source: 'ecs-pilot.scheduler', 'detail-type': 'Batch Job Schedule', id: '<aws.scheduler.execution-id>', time: '<aws.scheduler.scheduled-time>' }));
  });

  it('wires the dead-letter queue: failed async invocations and undeliverable events land there', () => {
    expect(resources.DeadLetterQueue.Type).toBe('AWS::SQS::Queue');
    const configs = ofType('AWS::Lambda::EventInvokeConfig').map(([, r]) => r.Properties);
    expect(configs).toHaveLength(6); // every function but capacity, which SQS invokes synchronously
    expect(resources.CapacityQueue.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] }, maxReceiveCount: 3 });
    for (const c of configs) {
      expect(c.DestinationConfig.OnFailure.Destination).toEqual({ 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] });
      expect(c.MaximumRetryAttempts).toBe(2);
    }
    for (const [, r] of ofType('AWS::Events::Rule')) {
      if (r.Properties.EventPattern) expect(r.Properties.Targets[0].DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] });
    }
  });

  it('keeps the functions that change desired capacity at reserved concurrency 1', () => {
    for (const name of ['SpotLambdaFunction', 'RebalanceLambdaFunction', 'CapacityLambdaFunction', 'ReconcileLambdaFunction', 'ScalingLambdaFunction']) {
      expect(resources[name].Properties.ReservedConcurrentExecutions).toBe(1);
    }
  });

  it('grants no mutating ECS or Auto Scaling action on Resource "*"', () => {
    const policies = resources.IamRoleLambdaExecution.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    const mutating = policies.filter((s: any) => [s.Action].flat().some((a: string) => MUTATING.test(a)));
    expect(mutating.length).toBeGreaterThan(0);
    for (const s of mutating) {
      const resourcesOf = [s.Resource].flat();
      expect(resourcesOf).not.toContain('*');
      for (const r of resourcesOf) expect(JSON.stringify(r)).toMatch(/cluster\/demo|container-instance\/demo\/\*|autoScalingGroupName\/ecs-pilot-demo-|task-definition\/(nightly-report|sync):\*|task\/demo\/\*|service\/demo\/worker/);
    }
    const runTask = policies.find((s: any) => [s.Action].flat().includes('ecs:RunTask'));
    expect(runTask.Condition).toEqual({ ArnEquals: { 'ecs:cluster': [{ 'Fn::Sub': 'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/demo' }] } });
    const passRole = policies.find((s: any) => [s.Action].flat().includes('iam:PassRole'));
    expect(passRole.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
  });

  it('bundles each function under 1 MB, with the config', () => {
    for (const fn of ['spot', 'rebalance', 'lifecycle', 'capacity', 'reconcile', 'batch', 'scaling']) {
      expect(statSync(`.serverless/${fn}.zip`).size).toBeLessThan(1024 * 1024);
      // Zip entry names are stored uncompressed in the archive's headers.
      expect(readFileSync(`.serverless/${fn}.zip`).includes('ecs-pilot.yml')).toBe(true);
    }
  });
});
