// Values serverless.yml derives from the controller config (ecs-pilot.yml): event patterns filtered to
// the configured clusters and groups, and least-privilege IAM scoped to their ARNs.
// Usage in serverless.yml: ${file(./serverless/params.cjs):<name>}
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { parse } = require('yaml');

function load() {
  const file = process.env.ECS_PILOT_CONFIG_SOURCE || join(__dirname, '..', 'ecs-pilot.yml');
  const config = parse(readFileSync(file, 'utf8'));
  const clusters = (config && config.clusters) || [];
  if (clusters.length === 0) throw new Error(`${file}: no clusters configured`);
  return { clusters, jobs: (config && config.jobs) || [], scaling: (config && config.serviceScaling) || [] };
}

/** Scaling rules' schedules and alarm events for the scaling function. */
function scalingEvents(scaling, clusterNames) {
  const alarms = scaling.flatMap((r) => (r.alarms || []).map((a) => a.alarm));
  const schedules = scaling.flatMap((r) =>
    (r.schedules || []).map((sch, i) => ({
      schedule: {
        method: 'scheduler',
        rate: [sch.schedule],
        timezone: sch.timezone || 'UTC',
        description: `ecs-pilot scaling ${r.cluster}/${r.service} #${i}`,
        input: {
          version: '0',
          id: '<aws.scheduler.execution-id>',
          source: 'ecs-pilot.scheduler',
          'detail-type': 'Service Scaling Schedule',
          time: '<aws.scheduler.scheduled-time>',
          resources: ['<aws.scheduler.schedule-arn>'],
          detail: { cluster: r.cluster, service: r.service, schedule: i },
        },
      },
    })),
  );
  const alarmRule = alarms.length === 0 ? [] : [{
    eventBridge: {
      retryPolicy: { maximumEventAge: 3600, maximumRetryAttempts: 10 },
      deadLetterQueueArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
      pattern: { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], detail: { alarmName: alarms, state: { value: ['ALARM'] } } },
    },
  }];
  void clusterNames;
  return [...alarmRule, ...schedules];
}

const familyOf = (taskDefinition) => (taskDefinition.split('/').pop() || taskDefinition).split(':')[0];

/** One EventBridge Scheduler schedule per job; its input is shaped as an EventBridge event. */
function jobSchedule(job) {
  return {
    schedule: {
      method: 'scheduler',
      rate: [job.schedule],
      timezone: job.timezone || 'UTC',
      enabled: job.suspend !== true,
      description: `ecs-pilot batch job ${job.name}`,
      input: {
        version: '0',
        id: '<aws.scheduler.execution-id>',
        source: 'ecs-pilot.scheduler',
        'detail-type': 'Batch Job Schedule',
        time: '<aws.scheduler.scheduled-time>',
        resources: ['<aws.scheduler.schedule-arn>'],
        detail: { job: job.name },
      },
    },
  };
}

const sub = (s) => ({ 'Fn::Sub': s });
const clusterArn = (name) => sub(`arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:cluster/${name}`);
const containerInstanceArn = (name) => sub(`arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:container-instance/${name}/*`);
const asgArn = (name) => sub(`arn:\${AWS::Partition}:autoscaling:\${AWS::Region}:\${AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/${name}`);

module.exports = async () => {
  const { clusters, jobs, scaling } = load();
  const clusterNames = clusters.map((c) => c.name);
  const asgs = clusters.flatMap((c) => (c.groups || []).map((g) => g.asg));
  const jobStatements = jobs.length === 0 ? [] : [
    {
      Sid: 'RunJobTasks',
      Effect: 'Allow',
      Action: ['ecs:RunTask'],
      Resource: [...new Set(jobs.map((j) => familyOf(j.taskDefinition)))].map((f) => sub(`arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:task-definition/${f}:*`)),
      Condition: { ArnEquals: { 'ecs:cluster': [...new Set(jobs.map((j) => j.cluster))].map(clusterArn) } },
    },
    {
      Sid: 'StopAndTagJobTasks',
      Effect: 'Allow',
      Action: ['ecs:StopTask', 'ecs:TagResource'],
      Resource: [...new Set(jobs.map((j) => j.cluster))].map((c) => sub(`arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:task/${c}/*`)),
    },
    {
      Sid: 'PassJobTaskRoles',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      // The task and execution roles of the jobs' task definitions; only to ECS tasks.
      Resource: [...new Set(jobs.flatMap((j) => j.passRoles || []))].length > 0 ? [...new Set(jobs.flatMap((j) => j.passRoles || []))] : '*',
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    },
  ];
  return {
    /** EventBridge matches `detail.clusterArn` by suffix: `…:cluster/<name>`. */
    clusterArnPatterns: clusterNames.map((n) => ({ suffix: `:cluster/${n}` })),
    asgNames: asgs,
    /** The scaling function's events: alarm state changes of the configured alarms, and schedules. */
    scalingEvents: scalingEvents(scaling, clusterNames),
    /** The batch function's events: a schedule per job, and stopped job attempts. */
    batchEvents: [
      ...jobs.map(jobSchedule),
      {
        eventBridge: {
          retryPolicy: { maximumEventAge: 3600, maximumRetryAttempts: 10 },
          deadLetterQueueArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
          pattern: {
            source: ['aws.ecs'],
            'detail-type': ['ECS Task State Change'],
            detail: { clusterArn: clusterNames.map((n) => ({ suffix: `:cluster/${n}` })), lastStatus: ['STOPPED'], startedBy: [{ prefix: 'ecs-pilot/' }, { prefix: 'ecs-pilot:' }] },
          },
        },
      },
    ],
    statements: [
      {
        Sid: 'ReadClusterState',
        Effect: 'Allow',
        // Describe/List calls of these services have no resource-level permissions.
        Action: [
          'ecs:ListContainerInstances',
          'ecs:DescribeContainerInstances',
          'ecs:ListTasks',
          'ecs:DescribeTasks',
          'ecs:DescribeServices',
          'ecs:DescribeTaskDefinition',
          'ecs:GetTaskProtection',
          'autoscaling:DescribeAutoScalingGroups',
          'autoscaling:DescribeAutoScalingInstances',
          'ec2:DescribeInstanceTypes',
        ],
        Resource: '*',
      },
      {
        Sid: 'DrainAndMarkContainerInstances',
        Effect: 'Allow',
        Action: ['ecs:UpdateContainerInstancesState', 'ecs:PutAttributes', 'ecs:DeleteAttributes'],
        Resource: [...clusterNames.map(clusterArn), ...clusterNames.map(containerInstanceArn)],
      },
      {
        Sid: 'ScaleConfiguredGroups',
        Effect: 'Allow',
        Action: [
          'autoscaling:SetDesiredCapacity',
          'autoscaling:SetInstanceProtection',
          'autoscaling:CompleteLifecycleAction',
          'autoscaling:RecordLifecycleActionHeartbeat',
          'autoscaling:TerminateInstanceInAutoScalingGroup',
        ],
        Resource: asgs.map(asgArn),
      },
      ...jobStatements,
      ...(scaling.length === 0 ? [] : [{
        Sid: 'ScaleConfiguredServices',
        Effect: 'Allow',
        Action: ['ecs:UpdateService', 'ecs:TagResource'],
        Resource: [...new Set(scaling.map((r) => `${r.cluster}/${r.service}`))].map((s) => sub(`arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:service/${s}`)),
      }]),
      {
        Sid: 'FailedEventsToDeadLetterQueue',
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
      },
    ],
  };
};
