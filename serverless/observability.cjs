// Alarms to an SNS topic (optional e-mail subscription) and a dashboard of the functions and of the
// EMF metrics the controller writes (namespace ecs-pilot, dimension service). See docs/deploy.md.
const FUNCTIONS = ['Spot', 'Rebalance', 'Lifecycle', 'Capacity', 'Batch', 'Scaling', 'Reconcile', 'State'];
/** A capacity event older than this waits for a planner that is not keeping up. */
const CAPACITY_QUEUE_MAX_AGE_SECONDS = 120;

const topic = [{ Ref: 'AlarmTopic' }];

function alarm(description, namespace, metric, dimensions, statistic, threshold, periods = 1) {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmDescription: description,
      Namespace: namespace,
      MetricName: metric,
      Dimensions: dimensions,
      Statistic: statistic,
      Period: 60,
      EvaluationPeriods: periods,
      DatapointsToAlarm: periods,
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: topic,
      OKActions: topic,
    },
  };
}

function alarms() {
  const queue = (name) => [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [name, 'QueueName'] } }];
  const out = {
    DeadLetterQueueNotEmptyAlarm: alarm('ecs-pilot: events or invocations failed and wait in the dead-letter queue', 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', queue('DeadLetterQueue'), 'Maximum', 0),
    CapacityQueueAgeAlarm: alarm(
      `ecs-pilot: the oldest capacity event waits more than ${CAPACITY_QUEUE_MAX_AGE_SECONDS} s`,
      'AWS/SQS',
      'ApproximateAgeOfOldestMessage',
      queue('CapacityQueue'),
      'Maximum',
      CAPACITY_QUEUE_MAX_AGE_SECONDS,
      2,
    ),
    // A state queue falling behind means decisions on an old picture of the cluster.
    StateQueueAgeAlarm: alarm(
      `ecs-pilot: the oldest state event waits more than ${CAPACITY_QUEUE_MAX_AGE_SECONDS} s (the store falls behind)`,
      'AWS/SQS',
      'ApproximateAgeOfOldestMessage',
      queue('StateQueue'),
      'Maximum',
      CAPACITY_QUEUE_MAX_AGE_SECONDS,
      2,
    ),
  };
  // A group's launches failed (spot shortage, quota, broken template): ecs-pilot marked it and moved its
  // demand where it can run (docs/capacity-shortage.md); `ecs-pilot status` shows why and until when.
  out.GroupUnavailableAlarm = alarm(
    'ecs-pilot: a group failed to launch and is marked unavailable (see ecs-pilot status; docs/capacity-shortage.md)',
    'ecs-pilot',
    'action.markGroupUnavailable',
    [{ Name: 'service', Value: 'ecs-pilot' }],
    'Sum',
    0,
  );
  for (const fn of FUNCTIONS) {
    const dims = [{ Name: 'FunctionName', Value: { Ref: `${fn}LambdaFunction` } }];
    out[`${fn}ErrorsAlarm`] = alarm(`ecs-pilot ${fn.toLowerCase()}: invocations failed`, 'AWS/Lambda', 'Errors', dims, 'Sum', 0);
    out[`${fn}ThrottlesAlarm`] = alarm(`ecs-pilot ${fn.toLowerCase()}: invocations throttled`, 'AWS/Lambda', 'Throttles', dims, 'Sum', 0);
  }
  return out;
}

/** Dashboard body (a JSON string; `${AWS::Region}` and the function names resolved by Fn::Sub). */
function dashboardBody() {
  const fnMetric = (metric, stat) => FUNCTIONS.map((fn) => ['AWS/Lambda', metric, 'FunctionName', `\${${fn}LambdaFunction}`, { stat, label: fn.toLowerCase() }]);
  // EMF metric names carry the duty's outcome or action kind (src/controller.ts): found by search.
  const search = (id, term, stat, label) => [{ expression: `SEARCH('{ecs-pilot,service} ${term}', '${stat}', 60)`, id, label }];
  const widget = (title, metrics, y, x = 0) => ({ type: 'metric', x, y, width: 12, height: 6, properties: { title, region: '${AWS::Region}', view: 'timeSeries', stacked: false, metrics } });
  const body = {
    widgets: [
      widget('Decisions per duty (invocations)', fnMetric('Invocations', 'Sum'), 0, 0),
      widget('Decision outcomes (acted, nothing-to-do, ignored, rejected, failed)', search('outcomes', 'outcome', 'Sum', ''), 0, 12),
      widget('Actions by kind', search('actions', 'action', 'Sum', ''), 6, 0),
      widget('Failures: action errors, function errors, dead-letter queue', [
        ...search('actionErrors', 'errors', 'Sum', 'action errors'),
        ...fnMetric('Errors', 'Sum'),
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', '${DeadLetterQueue.QueueName}', { stat: 'Maximum', label: 'dead-letter queue' }],
      ], 6, 12),
      widget('Waiting tasks (capacity queue, EMF waiting*)', [
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', '${CapacityQueue.QueueName}', { stat: 'Maximum', label: 'capacity events queued' }],
        ['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', '${CapacityQueue.QueueName}', { stat: 'Maximum', label: 'oldest capacity event (s)' }],
        ...search('waiting', 'waiting', 'Maximum', ''),
      ], 12, 0),
      widget('Planner time (capacity function duration, EMF plan*)', [
        ['AWS/Lambda', 'Duration', 'FunctionName', '${CapacityLambdaFunction}', { stat: 'p99', label: 'capacity p99 (ms)' }],
        ['AWS/Lambda', 'Duration', 'FunctionName', '${ReconcileLambdaFunction}', { stat: 'p99', label: 'reconcile p99 (ms)' }],
        ...search('plan', 'plan', 'Maximum', ''),
      ], 12, 12),
      widget('Throttles', fnMetric('Throttles', 'Sum'), 18, 0),
      widget('Capacity shortages (groups marked unavailable, on-demand base changes)', [
        ['ecs-pilot', 'action.markGroupUnavailable', 'service', 'ecs-pilot', { stat: 'Sum', label: 'groups marked unavailable' }],
        ['ecs-pilot', 'action.setOnDemandBase', 'service', 'ecs-pilot', { stat: 'Sum', label: 'on-demand base changes' }],
      ], 18, 12),
    ],
  };
  return { 'Fn::Sub': JSON.stringify(body) };
}

function observability(alarmEmail) {
  return {
    AlarmTopic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 'ecs-pilot alarms' } },
    ...(alarmEmail ? { AlarmEmailSubscription: { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'email', Endpoint: alarmEmail } } } : {}),
    ...alarms(),
    Dashboard: { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardBody: dashboardBody() } },
  };
}

module.exports = { observability, FUNCTIONS, CAPACITY_QUEUE_MAX_AGE_SECONDS };
