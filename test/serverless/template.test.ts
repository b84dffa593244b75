/** The packaged CloudFormation template (osls package) for the repository's ecs-pilot.yml. */
import { readFileSync, statSync } from 'node:fs';
import { parseEvent } from '../../src/events/index.js';
import { packagedTemplate } from './packaged.js';

const MUTATING = /^(ecs:(UpdateContainerInstancesState|PutAttributes|DeleteAttributes|RunTask|StopTask|UpdateService|StartTask|TagResource)|autoscaling:(SetDesiredCapacity|SetInstanceProtection|CompleteLifecycleAction|RecordLifecycleActionHeartbeat|TerminateInstanceInAutoScalingGroup|UpdateAutoScalingGroup|DetachInstances)|iam:PassRole)$/;
const DLQ = { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] };
const sub = (s: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:${s}` });

describe('Packaged service (osls package)', () => {
  const t = packagedTemplate();
  const resources: Record<string, any> = t.Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const rules = ofType('AWS::Events::Rule').map(([id, r]) => ({ id, ...r.Properties }));
  const targeting = (fn: string) => rules.filter((r) => r.Targets.some((x: any) => x.Arn['Fn::GetAtt']?.[0] === fn));
  const statements: any[] = [
    ...resources.IamRoleLambdaExecution.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement),
    ...resources.IamRoleLambdaExecution.Properties.ManagedPolicyArns.flatMap((ref: any) => resources[ref.Ref].Properties.PolicyDocument.Statement),
  ];
  const granting = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));

  it('has the eight functions on nodejs22.x', () => {
    const fns = ofType('AWS::Lambda::Function').map(([, r]) => r.Properties);
    expect(fns.map((f) => f.Handler).sort()).toEqual([
      'src/handlers/batch.handler',
      'src/handlers/capacity.handler',
      'src/handlers/lifecycle.handler',
      'src/handlers/rebalance.handler',
      'src/handlers/reconcile.handler',
      'src/handlers/scaling.handler',
      'src/handlers/spot.handler',
      'src/handlers/state.handler',
    ]);
    for (const f of fns) expect(f.Runtime).toBe('nodejs22.x');
  });

  it('ticks the reconcile once a minute per cluster, the cluster named in the event it sends (issue 14)', () => {
    // EventBridge puts each path's value into the template as JSON where the placeholder is outside quotes.
    const scheduled = JSON.parse(readFileSync('events/samples/scheduled-event.eventbridge-docs.json', 'utf8'));
    const reconcile = targeting('ReconcileLambdaFunction');
    expect(reconcile.map((r) => r.ScheduleExpression)).toEqual(['rate(1 minute)']);
    const sent = reconcile.map((r) => {
      const { InputPathsMap, InputTemplate } = r.Targets[0].InputTransformer;
      const values = Object.fromEntries(Object.entries(InputPathsMap as Record<string, string>).map(([k, path]) => [k, scheduled[path.slice(2)]]));
      return parseEvent(JSON.parse(InputTemplate.replace(/<([\w.-]+)>/g, (_: string, k: string) => JSON.stringify(values[k]))));
    });
    expect(sent).toEqual([{ outcome: 'parsed', event: expect.objectContaining({ kind: 'scheduled', id: scheduled.id, cluster: 'demo', rule: scheduled.resources[0] }) }]);
  });

  it('gives every function its event rules, filtered to the configured clusters and groups', () => {
    for (const fn of ['SpotLambdaFunction', 'RebalanceLambdaFunction', 'LifecycleLambdaFunction', 'ReconcileLambdaFunction', 'BatchLambdaFunction', 'ScalingLambdaFunction']) {
      expect(targeting(fn).length).toBeGreaterThan(0);
    }
    expect(targeting('SpotLambdaFunction').map((r) => r.EventPattern)).toEqual([
      { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
      { source: ['aws.health'], 'detail-type': ['AWS Health Event'], detail: { service: ['EC2'], eventTypeCategory: ['scheduledChange'] } },
    ]);
    expect(targeting('ReconcileLambdaFunction')[0].ScheduleExpression).toBe('rate(1 minute)');
    const lifecycle = targeting('LifecycleLambdaFunction').map((r) => r.EventPattern);
    expect(lifecycle).toEqual([
      { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance-terminate Lifecycle Action'], detail: { AutoScalingGroupName: ['ecs-pilot-demo-spot-general', 'ecs-pilot-demo-ondemand-general', 'ecs-pilot-demo-gpu'] } },
      // Only the status the lifecycle duty acts on: not every task start / stop and agent reconnect.
      { source: ['aws.ecs'], 'detail-type': ['ECS Container Instance State Change'], detail: { clusterArn: [{ suffix: ':cluster/demo' }], status: ['DRAINING'] } },
      { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['stopping', 'stopped', 'shutting-down', 'terminated'] } },
    ]);
    expect(targeting('ScalingLambdaFunction').map((r) => r.EventPattern)).toEqual([
      { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], detail: { alarmName: ['demo-worker-backlog-high', 'demo-worker-backlog-low'], state: { value: ['ALARM'] } } },
    ]);
    expect(targeting('BatchLambdaFunction').map((r) => r.EventPattern)).toEqual([
      { source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'], detail: { clusterArn: [{ suffix: ':cluster/demo' }], lastStatus: ['STOPPED'], startedBy: [{ prefix: 'ecs-pilot/' }, { prefix: 'ecs-pilot:' }] } },
    ]);
  });

  it('lets EventBridge invoke each function only from its own rules', () => {
    const permissions = ofType('AWS::Lambda::Permission').map(([, r]) => r.Properties);
    for (const rule of rules.filter((r) => r.Targets[0].Arn['Fn::GetAtt'][0].endsWith('LambdaFunction'))) {
      expect(permissions).toContainEqual({ Action: 'lambda:InvokeFunction', FunctionName: rule.Targets[0].Arn, Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': [rule.id, 'Arn'] } });
    }
    expect(permissions).toHaveLength(rules.filter((r) => r.Targets[0].Arn['Fn::GetAtt'][0].endsWith('LambdaFunction')).length);
  });

  it('sends capacity events to the queue: PROVISIONING tasks, placement failures, RunTask failures (CloudTrail)', () => {
    const toQueue = targeting('CapacityQueue');
    expect(toQueue.map((r) => r.EventPattern)).toEqual([
      { source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'], detail: { clusterArn: [{ suffix: ':cluster/demo' }], lastStatus: ['PROVISIONING'] } },
      { source: ['aws.ecs'], 'detail-type': ['ECS Service Action'], detail: { clusterArn: [{ suffix: ':cluster/demo' }], eventName: ['SERVICE_TASK_PLACEMENT_FAILURE'] } },
      {
        source: ['aws.ecs'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['ecs.amazonaws.com'],
          eventName: ['RunTask'],
          requestParameters: { cluster: ['demo', { suffix: ':cluster/demo' }] },
          responseElements: { failures: { reason: [{ prefix: 'RESOURCE' }] } },
        },
      },
      // Failed launches of the configured groups (issue 20).
      { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance Launch Unsuccessful'], detail: { AutoScalingGroupName: ['ecs-pilot-demo-spot-general', 'ecs-pilot-demo-ondemand-general', 'ecs-pilot-demo-gpu'] } },
    ]);
    // The queue takes messages from these four rules only.
    const policy = resources.CapacityQueuePolicy.Properties.PolicyDocument.Statement;
    expect(policy).toHaveLength(1);
    expect(policy[0].Condition).toEqual({ ArnEquals: { 'aws:SourceArn': toQueue.map((r) => ({ 'Fn::GetAtt': [r.id, 'Arn'] })) } });
  });

  it('delivers capacity events in a burst: no reserved concurrency, maximumConcurrency on the SQS source, 10 receives before the DLQ', () => {
    expect(resources.CapacityLambdaFunction.Properties.ReservedConcurrentExecutions).toBeUndefined();
    const mapping = ofType('AWS::Lambda::EventSourceMapping').map(([, r]) => r.Properties).find((p) => p.FunctionName['Fn::GetAtt'][0] === 'CapacityLambdaFunction');
    expect(mapping).toEqual(expect.objectContaining({ EventSourceArn: { 'Fn::GetAtt': ['CapacityQueue', 'Arn'] }, BatchSize: 100, MaximumBatchingWindowInSeconds: 10, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 2 } }));
    expect(resources.CapacityQueue.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: DLQ, maxReceiveCount: 10 });
    // The visibility timeout covers a whole invocation (AWS recommends 6 × the function timeout).
    const queue = resources.CapacityQueue.Properties;
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * resources.CapacityLambdaFunction.Properties.Timeout);
    // A failing message reaches the DLQ before it expires, and the DLQ keeps it longer (standard queues
    // keep the original enqueue time when a message moves to the DLQ).
    expect(queue.MessageRetentionPeriod).toBeGreaterThan(queue.RedrivePolicy.maxReceiveCount * queue.VisibilityTimeout);
    expect(resources.DeadLetterQueue.Properties.MessageRetentionPeriod).toBeGreaterThan(queue.MessageRetentionPeriod);
  });

  it('reserves no concurrency by default (deployment parameter reservedConcurrency)', () => {
    for (const [, fn] of ofType('AWS::Lambda::Function')) expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('expires interruption signals after 300 s, in the rules and in the async retries', () => {
    for (const id of ['SpotInterruptionRule', 'RebalanceRecommendationRule']) expect(resources[id].Properties.Targets[0].RetryPolicy.MaximumEventAgeInSeconds).toBe(300);
    for (const fn of ['Spot', 'Rebalance']) expect(resources[`${fn}LambdaEvConf`].Properties.MaximumEventAgeInSeconds).toBe(300);
  });

  it('wires the dead-letter queue: failed async invocations, undeliverable events and schedules land there', () => {
    const configs = ofType('AWS::Lambda::EventInvokeConfig').map(([, r]) => r.Properties);
    expect(configs).toHaveLength(6); // every function but capacity, which SQS invokes synchronously
    for (const c of configs) {
      expect(c.DestinationConfig.OnFailure.Destination).toEqual(DLQ);
      expect(c.MaximumRetryAttempts).toBe(2);
    }
    for (const r of rules) {
      expect(r.Targets[0].DeadLetterConfig.Arn).toEqual(DLQ);
      expect(r.Targets[0].RetryPolicy).toEqual({ MaximumEventAgeInSeconds: expect.any(Number), MaximumRetryAttempts: expect.any(Number) });
    }
  });

  it('lets only this stack\'s rules send to the dead-letter queue', () => {
    const [statement, ...rest] = resources.DeadLetterQueuePolicy.Properties.PolicyDocument.Statement;
    expect(rest).toEqual([]);
    expect(statement).toEqual(expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: DLQ }));
    expect(statement.Condition.ArnEquals['aws:SourceArn']).toEqual(rules.map((r) => ({ 'Fn::GetAtt': [r.id, 'Arn'] })));
  });

  it('runs one EventBridge Scheduler schedule per job and scaling schedule, with its own role, a retry policy and the DLQ', () => {
    const schedules = ofType('AWS::Scheduler::Schedule').map(([, r]) => r.Properties);
    const detail = (p: any) => JSON.parse(p.Target.Input).detail;
    expect(schedules.filter((p) => detail(p).job).map((p) => [p.ScheduleExpression, p.ScheduleExpressionTimezone, detail(p).job, p.State])).toEqual([
      ['cron(0 2 * * ? *)', 'Europe/Paris', 'nightly-report', 'ENABLED'],
      ['rate(1 hour)', 'UTC', 'hourly-sync', 'ENABLED'],
    ]);
    expect(schedules.filter((p) => detail(p).service).map((p) => [p.ScheduleExpression, p.ScheduleExpressionTimezone, detail(p)])).toEqual([
      ['cron(0 8 ? * MON-FRI *)', 'Europe/Paris', { cluster: 'demo', service: 'worker', schedule: 0 }],
      ['cron(0 20 ? * * *)', 'Europe/Paris', { cluster: 'demo', service: 'worker', schedule: 1 }],
    ]);
    expect(JSON.parse(schedules.find((p) => detail(p).job === 'nightly-report').Target.Input)).toEqual(expect.objectContaining({ source: 'ecs-pilot.scheduler', 'detail-type': 'Batch Job Schedule', id: '<aws.scheduler.execution-id>', time: '<aws.scheduler.scheduled-time>' }));
    // nightly-report: startingDeadlineSeconds 900 bounds how long Scheduler keeps retrying.
    expect(schedules.find((p) => detail(p).job === 'nightly-report').Target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 900, MaximumRetryAttempts: 10 });
    for (const p of schedules) {
      expect(p.Target.RoleArn).toEqual({ 'Fn::GetAtt': ['SchedulerRole', 'Arn'] });
      expect(p.Target.DeadLetterConfig).toEqual({ Arn: DLQ });
      expect(p.Target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
    }
    const role = resources.SchedulerRole.Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } },
    ]);
    expect(role.Policies[0].PolicyDocument.Statement).toEqual([
      { Sid: 'InvokeScheduledFunctions', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [{ 'Fn::GetAtt': ['BatchLambdaFunction', 'Arn'] }, { 'Fn::GetAtt': ['ScalingLambdaFunction', 'Arn'] }] },
      { Sid: 'UndeliveredToDeadLetterQueue', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: DLQ },
    ]);
  });

  it('grants no mutating action on Resource "*", and scopes each to the configured resources', () => {
    const mutating = statements.filter((s: any) => [s.Action].flat().some((a: string) => MUTATING.test(a)));
    expect(mutating.length).toBeGreaterThan(0);
    for (const s of mutating) {
      const resourcesOf = [s.Resource].flat();
      expect(resourcesOf).not.toContain('*');
      for (const r of resourcesOf) expect(JSON.stringify(r)).toMatch(/container-instance\/demo\/\*|autoScalingGroupName\/ecs-pilot-demo-|task-definition\/(nightly-report|sync):\*|task\/demo\/\*|service\/demo\/worker|arn:aws:iam::123456789012:role\//);
    }
    expect(granting('ecs:RunTask')[0].Condition).toEqual({ ArnEquals: { 'ecs:cluster': [sub('cluster/demo')] } });
  });

  it('lets the lifecycle and reconcile functions terminate instances only in the configured groups (issue 9: replaced spot instances)', () => {
    const asgArn = (g: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:autoscaling:\${AWS::Region}:\${AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/${g}` });
    // One role for every function: the terminate (desired −1) is scoped to the groups' ARNs, no "*".
    expect(granting('autoscaling:TerminateInstanceInAutoScalingGroup').flatMap((s) => [s.Resource].flat())).toEqual(['ecs-pilot-demo-spot-general', 'ecs-pilot-demo-ondemand-general', 'ecs-pilot-demo-gpu'].map(asgArn));
    // Its re-check reads the group (no resource-level permission exists for it) and the container instance.
    expect(granting('autoscaling:DescribeAutoScalingGroups').map((s) => s.Resource)).toEqual(['*']);
    expect(granting('ecs:DescribeContainerInstances').flatMap((s) => [s.Resource].flat())).toEqual([sub('container-instance/demo/*')]);
  });

  it('passes only the roles the jobs name, and only to ECS tasks', () => {
    expect(granting('iam:PassRole')).toEqual([
      {
        Sid: 'PassJobTaskRoles',
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: ['arn:aws:iam::123456789012:role/nightly-report-task', 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole'],
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
    ]);
  });

  it('stops only tasks ecs-pilot started (job tag), and tags tasks only as RunTask creates them', () => {
    expect(granting('ecs:StopTask')).toEqual([expect.objectContaining({ Resource: [sub('task/demo/*')], Condition: { Null: { 'aws:ResourceTag/ecs-pilot:job': 'false' } } })]);
    const tagTasks = granting('ecs:TagResource').filter((s) => JSON.stringify(s.Resource).includes(':task/'));
    expect(tagTasks).toEqual([expect.objectContaining({ Condition: { StringEquals: { 'ecs:CreateAction': 'RunTask' }, 'ForAllValues:StringLike': { 'aws:TagKeys': ['ecs-pilot:*'] } } })]);
  });

  it('keeps the cluster state in an on-demand table with TTL, fed by every task and instance change through its queue (issue 14)', () => {
    const table = resources.StateTable.Properties;
    expect(table).toEqual(expect.objectContaining({ BillingMode: 'PAY_PER_REQUEST', TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }));
    expect(table.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }]);
    const rule = rules.find((r) => r.id === 'StateChangesRule');
    expect(rule.EventPattern).toEqual({ source: ['aws.ecs'], 'detail-type': ['ECS Task State Change', 'ECS Container Instance State Change'], detail: { clusterArn: [{ suffix: ':cluster/demo' }] } });
    expect(rule.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': ['StateQueue', 'Arn'] }, DeadLetterConfig: { Arn: DLQ } })]);
    const source = Object.values(resources).find((r: any) => r.Type === 'AWS::Lambda::EventSourceMapping' && r.Properties.EventSourceArn?.['Fn::GetAtt']?.[0] === 'StateQueue') as any;
    expect(source.Properties).toEqual(expect.objectContaining({ BatchSize: 100, FunctionResponseTypes: ['ReportBatchItemFailures'] }));
    expect(resources.StateQueue.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: DLQ, maxReceiveCount: 10 });
    // Every function finds the table; the role may touch this table's items only, and only as the store does.
    for (const [, fn] of ofType('AWS::Lambda::Function')) expect(fn.Properties.Environment.Variables.ECS_PILOT_STATE_TABLE).toEqual({ Ref: 'StateTable' });
    const dynamo = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('dynamodb:')));
    expect(dynamo).toEqual([expect.objectContaining({ Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'], Resource: { 'Fn::GetAtt': ['StateTable', 'Arn'] } })]);
    // A full read at 5 000 instances waits about 110 s for API-budget tokens.
    expect(resources.ReconcileLambdaFunction.Properties.Timeout).toBe(300);
  });

  it('scopes ECS reads to the configured clusters where ECS supports it; no unused grant', () => {
    const onStar = statements.filter((s) => [s.Resource].flat().includes('*'));
    const ecsOnStar = onStar.flatMap((s) => [s.Action].flat().filter((a: string) => a.startsWith('ecs:')).map((a: string) => [a, s.Condition]));
    expect(ecsOnStar).toEqual([
      ['ecs:DescribeTaskDefinition', undefined], // no resource-level permissions
      ['ecs:ListTasks', { ArnEquals: { 'ecs:cluster': [sub('cluster/demo')] } }],
      ['ecs:ListServices', { ArnEquals: { 'ecs:cluster': [sub('cluster/demo')] } }],
    ]);
    const scoped: Record<string, unknown> = {
      'ecs:DescribeClusters': [sub('cluster/demo')],
      'ecs:ListContainerInstances': [sub('cluster/demo')],
      'ecs:ListAttributes': [sub('cluster/demo')],
      'ecs:DescribeContainerInstances': [sub('container-instance/demo/*')],
      'ecs:DescribeTasks': [sub('task/demo/*')],
      'ecs:GetTaskProtection': [sub('task/demo/*')],
      'ecs:DescribeServices': [sub('service/demo/*')],
      'ecs:DescribeCapacityProviders': [sub('capacity-provider/spot-general'), sub('capacity-provider/ondemand-general'), sub('capacity-provider/gpu-ondemand')],
    };
    for (const [action, resource] of Object.entries(scoped)) expect(granting(action).map((s) => s.Resource)).toEqual([resource]);
    const all = statements.flatMap((s) => [s.Action].flat());
    // Reads the code calls (or is about to): launch templates, mixed-instance requirements, policies, alarms.
    for (const read of ['ec2:DescribeLaunchTemplateVersions', 'autoscaling:DescribeLaunchConfigurations', 'ec2:GetInstanceTypesFromInstanceRequirements', 'cloudwatch:DescribeAlarms', 'autoscaling:DescribePolicies', 'ecs:DescribeCapacityProviders', 'ecs:DescribeClusters', 'ecs:ListServices', 'ecs:DescribeServices']) {
      expect(all).toContain(read);
    }
    expect(all).not.toContain('autoscaling:DescribeAutoScalingInstances');
    expect(granting('cloudwatch:DescribeAlarms')[0].Resource).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*' });
  });

  it('alarms to an SNS topic: DLQ not empty, capacity queue age, errors and throttles of every function', () => {
    expect(resources.AlarmTopic.Type).toBe('AWS::SNS::Topic');
    expect(ofType('AWS::SNS::Subscription')).toEqual([]); // no alarmEmail parameter given
    const alarms = Object.fromEntries(ofType('AWS::CloudWatch::Alarm').map(([id, r]) => [id, r.Properties]));
    for (const a of Object.values(alarms) as any[]) expect(a.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
    expect(alarms.DeadLetterQueueNotEmptyAlarm).toEqual(expect.objectContaining({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] } }], Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' }));
    expect(alarms.CapacityQueueAgeAlarm).toEqual(expect.objectContaining({ Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['CapacityQueue', 'QueueName'] } }], Threshold: 120 }));
    expect(alarms.StateQueueAgeAlarm).toEqual(expect.objectContaining({ MetricName: 'ApproximateAgeOfOldestMessage', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['StateQueue', 'QueueName'] } }] }));
    for (const fn of ['Spot', 'Rebalance', 'Lifecycle', 'Capacity', 'Batch', 'Scaling', 'Reconcile', 'State']) {
      for (const metric of ['Errors', 'Throttles']) {
        expect(alarms[`${fn}${metric}Alarm`]).toEqual(expect.objectContaining({ Namespace: 'AWS/Lambda', MetricName: metric, Dimensions: [{ Name: 'FunctionName', Value: { Ref: `${fn}LambdaFunction` } }], Threshold: 0 }));
      }
    }
  });

  it('has a dashboard of the EMF metrics: decisions and actions per duty, failures, waiting tasks, planner time', () => {
    const body = JSON.parse(resources.Dashboard.Properties.DashboardBody['Fn::Sub']);
    const titles = body.widgets.map((w: any) => w.properties.title);
    for (const t of ['Decisions per duty', 'Decision outcomes', 'Actions by kind', 'Failures', 'Waiting tasks', 'Planner time']) expect(titles.some((x: string) => x.startsWith(t))).toBe(true);
    const expressions = body.widgets.flatMap((w: any) => w.properties.metrics.map((m: any) => m.expression ?? m[0]?.expression).filter(Boolean));
    expect(expressions).toEqual(expect.arrayContaining(["SEARCH('{ecs-pilot,service} outcome', 'Sum', 60)", "SEARCH('{ecs-pilot,service} action', 'Sum', 60)", "SEARCH('{ecs-pilot,service} errors', 'Sum', 60)"]));
  });

  it('bundles each function under 1 MB, with the validated config it reads', () => {
    for (const fn of ['spot', 'rebalance', 'lifecycle', 'capacity', 'reconcile', 'batch', 'scaling', 'state']) {
      expect(statSync(`.serverless/${fn}.zip`).size).toBeLessThan(1024 * 1024);
      // Zip entry names are stored uncompressed in the archive's headers.
      expect(readFileSync(`.serverless/${fn}.zip`).includes('.ecs-pilot/ecs-pilot.yml')).toBe(true);
      expect(resources[`${fn[0]!.toUpperCase()}${fn.slice(1)}LambdaFunction`].Properties.Environment.Variables.ECS_PILOT_CONFIG).toBe('.ecs-pilot/ecs-pilot.yml');
    }
  });
});
