// Event delivery: every EventBridge rule and EventBridge Scheduler schedule of the stack, written out
// here (not as function `events:`) so the queues' policies can name each rule by ARN and every target
// gets its own retry policy and the dead-letter queue. See docs/deploy.md.
const getAtt = (resource, attribute = 'Arn') => ({ 'Fn::GetAtt': [resource, attribute] });
const DLQ = getAtt('DeadLetterQueue');

/** Interruption signals are worth nothing after the 2-minute warning: 300 s, as Karpenter and NTH keep them. */
const SIGNAL_MAX_AGE = 300;
const EVENT_MAX_AGE = 3600;

const delivery = (maxAge, attempts = 10) => ({ RetryPolicy: { MaximumEventAgeInSeconds: maxAge, MaximumRetryAttempts: attempts }, DeadLetterConfig: { Arn: DLQ } });

/** EventBridge matches `detail.clusterArn` by suffix: `…:cluster/<name>`. */
const clusterArnPatterns = (clusters) => clusters.map((c) => ({ suffix: `:cluster/${c.name}` }));

/** The rules: logical id → pattern (or schedule), target (a function or the capacity queue), maximum event age. */
function ruleSpecs(config) {
  const clusters = config.clusters;
  const asgs = clusters.flatMap((c) => c.groups.map((g) => g.asg));
  const alarms = config.serviceScaling.flatMap((r) => r.alarms.map((a) => a.alarm));
  // An alarm with okSteps also scales in on its OK transition.
  const okSteps = config.serviceScaling.some((r) => r.alarms.some((a) => a.okSteps));
  const specs = {
    SpotInterruptionRule: {
      description: 'Spot interruption warnings → ecs-pilot spot',
      pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
      fn: 'Spot',
      maxAge: SIGNAL_MAX_AGE,
    },
    HealthScheduledChangeRule: {
      description: 'EC2 scheduled changes (retirement, maintenance) from AWS Health → ecs-pilot spot',
      pattern: { source: ['aws.health'], 'detail-type': ['AWS Health Event'], detail: { service: ['EC2'], eventTypeCategory: ['scheduledChange'] } },
      fn: 'Spot',
      maxAge: EVENT_MAX_AGE,
    },
    RebalanceRecommendationRule: {
      description: 'Rebalance recommendations → ecs-pilot rebalance',
      pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] },
      fn: 'Rebalance',
      maxAge: SIGNAL_MAX_AGE,
    },
    TerminateLifecycleActionRule: {
      description: 'Terminate lifecycle hooks of the configured groups → ecs-pilot lifecycle',
      pattern: { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance-terminate Lifecycle Action'], detail: { AutoScalingGroupName: asgs } },
      fn: 'Lifecycle',
      maxAge: EVENT_MAX_AGE,
    },
    // Only DRAINING instances (their tasks stopping) move a hook on; ACTIVE changes (every task start
    // and stop, agent reconnects) would each cost a DescribeAutoScalingGroups for nothing.
    // Best-effort delivery (EventBridge reference, "Amazon EC2 Auto Scaling events"): the reconcile's
    // backstop reads the scaling activities too (issue 20).
    LaunchUnsuccessfulRule: {
      description: 'Failed launches of the configured groups → ecs-pilot capacity queue',
      pattern: { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance Launch Unsuccessful'], detail: { AutoScalingGroupName: asgs } },
      queue: 'CapacityQueue',
      maxAge: EVENT_MAX_AGE,
    },
    ContainerInstanceDrainingRule: {
      description: 'Draining container instances of the configured clusters → ecs-pilot lifecycle',
      pattern: { source: ['aws.ecs'], 'detail-type': ['ECS Container Instance State Change'], detail: { clusterArn: clusterArnPatterns(clusters), status: ['DRAINING'] } },
      fn: 'Lifecycle',
      maxAge: EVENT_MAX_AGE,
    },
    InstanceStateChangeRule: {
      description: 'EC2 instances stopping or terminating → ecs-pilot lifecycle',
      pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['stopping', 'stopped', 'shutting-down', 'terminated'] } },
      fn: 'Lifecycle',
      maxAge: EVENT_MAX_AGE,
    },
    CapacityProvisioningRule: {
      description: 'ECS tasks waiting for capacity → ecs-pilot capacity queue',
      pattern: { source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'], detail: { clusterArn: clusterArnPatterns(clusters), lastStatus: ['PROVISIONING'] } },
      queue: 'CapacityQueue',
      maxAge: EVENT_MAX_AGE,
    },
    CapacityPlacementFailureRule: {
      description: 'ECS service placement failures → ecs-pilot capacity queue',
      pattern: { source: ['aws.ecs'], 'detail-type': ['ECS Service Action'], detail: { clusterArn: clusterArnPatterns(clusters), eventName: ['SERVICE_TASK_PLACEMENT_FAILURE'] } },
      queue: 'CapacityQueue',
      maxAge: EVENT_MAX_AGE,
    },
    // RunTask calls that found no capacity (managed scaling off), as CloudTrail records them; needs a
    // trail logging management events (docs/deploy.md). `cluster` is a name or an ARN.
    CapacityRunTaskFailureRule: {
      description: 'RunTask failures for lack of capacity (CloudTrail) → ecs-pilot capacity queue',
      pattern: {
        source: ['aws.ecs'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['ecs.amazonaws.com'],
          eventName: ['RunTask'],
          requestParameters: { cluster: [...clusters.map((c) => c.name), ...clusterArnPatterns(clusters)] },
          responseElements: { failures: { reason: [{ prefix: 'RESOURCE' }] } },
        },
      },
      queue: 'CapacityQueue',
      maxAge: EVENT_MAX_AGE,
    },
    // Every task and container-instance change of the configured clusters, for the state store
    // (docs/state.md): the other rules above see only the few changes their duty acts on.
    StateChangesRule: {
      description: 'ECS task and container-instance state changes → ecs-pilot state queue (the state store)',
      pattern: { source: ['aws.ecs'], 'detail-type': ['ECS Task State Change', 'ECS Container Instance State Change'], detail: { clusterArn: clusterArnPatterns(clusters) } },
      queue: 'StateQueue',
      maxAge: EVENT_MAX_AGE,
    },
    JobAttemptStoppedRule: {
      description: 'Stopped ecs-pilot job attempts → ecs-pilot batch',
      pattern: {
        source: ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        detail: { clusterArn: clusterArnPatterns(clusters), lastStatus: ['STOPPED'], startedBy: [{ prefix: 'ecs-pilot/' }, { prefix: 'ecs-pilot:' }] },
      },
      fn: 'Batch',
      maxAge: EVENT_MAX_AGE,
    },
  };
  // One reconcile tick per cluster, each its own invocation (a missed tick is replaced a minute later).
  clusters.forEach((c, i) => {
    specs[`ReconcileScheduleRule${i + 1}`] = { description: `ecs-pilot reconcile of cluster ${c.name}, every minute`, schedule: 'rate(1 minute)', fn: 'Reconcile', maxAge: 60, attempts: 2, cluster: c.name };
  });
  if (alarms.length > 0) {
    specs.ScalingAlarmRule = {
      description: 'Configured alarms entering ALARM → ecs-pilot scaling',
      pattern: { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], detail: { alarmName: alarms, state: { value: okSteps ? ['ALARM', 'OK'] : ['ALARM'] } } },
      fn: 'Scaling',
      maxAge: EVENT_MAX_AGE,
    };
  }
  return specs;
}

/** The scheduled event as EventBridge sends it, with the cluster its tick is for in `detail`. */
const clusterTick = (cluster) => ({
  InputPathsMap: { id: '$.id', account: '$.account', time: '$.time', region: '$.region', resources: '$.resources' },
  InputTemplate: `{"version":"0","id":<id>,"detail-type":"Scheduled Event","source":"aws.events","account":<account>,"time":<time>,"region":<region>,"resources":<resources>,"detail":{"cluster":${JSON.stringify(cluster)}}}`,
});

function rules(config) {
  const resources = {};
  const specs = ruleSpecs(config);
  for (const [id, spec] of Object.entries(specs)) {
    const target = spec.fn ? getAtt(`${spec.fn}LambdaFunction`) : getAtt(spec.queue);
    resources[id] = {
      Type: 'AWS::Events::Rule',
      Properties: {
        Description: spec.description,
        State: 'ENABLED',
        ...(spec.pattern ? { EventPattern: spec.pattern } : { ScheduleExpression: spec.schedule }),
        Targets: [{ Id: spec.fn ? spec.fn.toLowerCase() : spec.queue === 'StateQueue' ? 'state-queue' : 'capacity-queue', Arn: target, ...delivery(spec.maxAge, spec.attempts), ...(spec.cluster ? { InputTransformer: clusterTick(spec.cluster) } : {}) }],
      },
    };
    if (spec.fn) {
      resources[`${id}Permission`] = {
        Type: 'AWS::Lambda::Permission',
        Properties: { Action: 'lambda:InvokeFunction', FunctionName: getAtt(`${spec.fn}LambdaFunction`), Principal: 'events.amazonaws.com', SourceArn: getAtt(id) },
      };
    }
  }
  const ids = Object.keys(specs);
  const toQueue = (queue) => ids.filter((id) => specs[id].queue === queue);
  const queuePolicy = (queue, sid, sources) => ({
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [{ Ref: queue }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: sid,
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: getAtt(queue),
            Condition: { ArnEquals: { 'aws:SourceArn': sources.map((id) => getAtt(id)) } },
          },
        ],
      },
    },
  });
  resources.CapacityQueuePolicy = queuePolicy('CapacityQueue', 'CapacityRules', toQueue('CapacityQueue'));
  resources.StateQueuePolicy = queuePolicy('StateQueue', 'StateRules', toQueue('StateQueue'));
  // Undeliverable events of this stack's rules only (Scheduler and Lambda send with their roles).
  resources.DeadLetterQueuePolicy = queuePolicy('DeadLetterQueue', 'UndeliverableEventsOfThisStack', ids);
  return resources;
}

const familyOf = (taskDefinition) => (taskDefinition.split('/').pop() || taskDefinition).split(':')[0];

/** An EventBridge Scheduler input shaped as an EventBridge event, as the handlers parse it. */
const schedulerInput = (detailType, detail) =>
  JSON.stringify({
    version: '0',
    id: '<aws.scheduler.execution-id>',
    source: 'ecs-pilot.scheduler',
    'detail-type': detailType,
    time: '<aws.scheduler.scheduled-time>',
    resources: ['<aws.scheduler.schedule-arn>'],
    detail,
  });

function schedule(description, expression, timezone, enabled, fn, input, maxAge) {
  return {
    Type: 'AWS::Scheduler::Schedule',
    Properties: {
      Description: description,
      ScheduleExpression: expression,
      ScheduleExpressionTimezone: timezone,
      State: enabled ? 'ENABLED' : 'DISABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: getAtt(`${fn}LambdaFunction`),
        RoleArn: getAtt('SchedulerRole'),
        Input: input,
        RetryPolicy: { MaximumEventAgeInSeconds: maxAge, MaximumRetryAttempts: 10 },
        DeadLetterConfig: { Arn: DLQ },
      },
    },
  };
}

/** One schedule per job and per service-scaling schedule, and the role Scheduler invokes them with. */
function schedules(config) {
  const resources = {};
  config.jobs.forEach((job, i) => {
    // A run that cannot start within its starting deadline is skipped anyway.
    const maxAge = Math.min(Math.max(job.startingDeadlineSeconds ?? EVENT_MAX_AGE, 60), 86400);
    resources[`BatchJobSchedule${i + 1}`] = schedule(`ecs-pilot batch job ${job.name}`, job.schedule, job.timezone, !job.suspend, 'Batch', schedulerInput('Batch Job Schedule', { job: job.name }), maxAge);
  });
  let n = 0;
  for (const rule of config.serviceScaling) {
    rule.schedules.forEach((sch, i) => {
      n += 1;
      resources[`ServiceScalingSchedule${n}`] = schedule(
        `ecs-pilot scaling ${rule.cluster}/${rule.service} #${i}`,
        sch.schedule,
        sch.timezone,
        true,
        'Scaling',
        schedulerInput('Service Scaling Schedule', { cluster: rule.cluster, service: rule.service, schedule: i }),
        EVENT_MAX_AGE,
      );
    });
  }
  const fns = [...new Set(Object.values(resources).map((r) => r.Properties.Target.Arn['Fn::GetAtt'][0]))];
  if (fns.length === 0) return resources;
  resources.SchedulerRole = {
    Type: 'AWS::IAM::Role',
    Properties: {
      Description: 'EventBridge Scheduler → ecs-pilot batch and scaling functions',
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Action: 'sts:AssumeRole',
            // Only schedules of this account may use the role (confused-deputy guard).
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      },
      Policies: [
        {
          PolicyName: 'invoke-and-dead-letter',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Sid: 'InvokeScheduledFunctions', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: fns.map((f) => getAtt(f)) },
              { Sid: 'UndeliveredToDeadLetterQueue', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: DLQ },
            ],
          },
        },
      ],
    },
  };
  return resources;
}

module.exports = { rules, schedules, ruleSpecs, familyOf, SIGNAL_MAX_AGE };
