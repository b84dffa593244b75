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
  return clusters;
}

const sub = (s) => ({ 'Fn::Sub': s });
const clusterArn = (name) => sub(`arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:cluster/${name}`);
const containerInstanceArn = (name) => sub(`arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:container-instance/${name}/*`);
const asgArn = (name) => sub(`arn:\${AWS::Partition}:autoscaling:\${AWS::Region}:\${AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/${name}`);

module.exports = async () => {
  const clusters = load();
  const clusterNames = clusters.map((c) => c.name);
  const asgs = clusters.flatMap((c) => (c.groups || []).map((g) => g.asg));
  return {
    /** EventBridge matches `detail.clusterArn` by suffix: `…:cluster/<name>`. */
    clusterArnPatterns: clusterNames.map((n) => ({ suffix: `:cluster/${n}` })),
    asgNames: asgs,
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
      {
        Sid: 'FailedEventsToDeadLetterQueue',
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
      },
    ],
  };
};
