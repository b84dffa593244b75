// Least-privilege IAM for the functions' role, scoped to the configured clusters, groups, jobs and
// services (resource types and condition keys as the Service Authorization Reference lists them;
// docs/deploy.md), packed into customer-managed policies that each stay under IAM's size limit.
const sub = (s) => ({ 'Fn::Sub': s });
const arn = (service, resource) => sub(`arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`);
const ecs = (resource) => arn('ecs', resource);
const uniq = (xs) => [...new Set(xs)];

/** The tag every job task carries from its RunTask (src/core/batch/jobs.ts TAGS.job). */
const JOB_TAG = 'ecs-pilot:job';

/** IAM quotas (docs: IAM and AWS STS quotas): a managed policy's document, managed policies per role. */
const MANAGED_POLICY_MAX_CHARS = 6144;
const MANAGED_POLICIES_PER_ROLE = 10;

function statements(config, familyOf) {
  const clusters = config.clusters.map((c) => c.name);
  const clusterArns = clusters.map((c) => ecs(`cluster/${c}`));
  const asgs = config.clusters.flatMap((c) => c.groups.map((g) => g.asg));
  const providers = uniq(config.clusters.flatMap((c) => c.groups.map((g) => g.name)));
  const alarms = config.serviceScaling.flatMap((r) => r.alarms);
  const jobClusters = uniq(config.jobs.map((j) => j.cluster));
  const passRoles = uniq(config.jobs.flatMap((j) => j.passRoles));
  const services = uniq(config.serviceScaling.map((r) => `${r.cluster}/${r.service}`));
  const out = [
    {
      Sid: 'ReadWithoutResourceLevelPermissions',
      Effect: 'Allow',
      // The Service Authorization Reference lists no resource type for these: only "*" works.
      Action: [
        'ecs:DescribeTaskDefinition',
        'autoscaling:DescribeAutoScalingGroups',
        'autoscaling:DescribePolicies',
        'autoscaling:DescribeLaunchConfigurations',
        // The reconcile's launch backstop (issue 20); Auto Scaling's Describe* take no resource-level permissions.
        'autoscaling:DescribeScalingActivities',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeLaunchTemplateVersions',
        'ec2:GetInstanceTypesFromInstanceRequirements',
      ],
      Resource: '*',
    },
    {
      Sid: 'ListInConfiguredClusters',
      Effect: 'Allow',
      Action: ['ecs:ListTasks', 'ecs:ListServices'],
      Resource: '*',
      Condition: { ArnEquals: { 'ecs:cluster': clusterArns } },
    },
    { Sid: 'ReadConfiguredClusters', Effect: 'Allow', Action: ['ecs:DescribeClusters', 'ecs:ListContainerInstances', 'ecs:ListAttributes'], Resource: clusterArns },
    {
      Sid: 'ReadDrainAndMarkContainerInstances',
      Effect: 'Allow',
      Action: ['ecs:DescribeContainerInstances', 'ecs:UpdateContainerInstancesState', 'ecs:PutAttributes', 'ecs:DeleteAttributes'],
      Resource: clusters.map((c) => ecs(`container-instance/${c}/*`)),
    },
    { Sid: 'ReadTasks', Effect: 'Allow', Action: ['ecs:DescribeTasks', 'ecs:GetTaskProtection'], Resource: clusters.map((c) => ecs(`task/${c}/*`)) },
    { Sid: 'ReadServices', Effect: 'Allow', Action: ['ecs:DescribeServices'], Resource: clusters.map((c) => ecs(`service/${c}/*`)) },
    { Sid: 'ReadCapacityProviders', Effect: 'Allow', Action: ['ecs:DescribeCapacityProviders'], Resource: providers.map((p) => ecs(`capacity-provider/${p}`)) },
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
      Resource: asgs.map((g) => arn('autoscaling', `autoScalingGroup:*:autoScalingGroupName/${g}`)),
    },
  ];
  // Launch failures are remembered as tags on the groups (docs/capacity-shortage.md): ecs-pilot's own keys only.
  out.push({
    Sid: 'TagConfiguredGroups',
    Effect: 'Allow',
    Action: ['autoscaling:CreateOrUpdateTags', 'autoscaling:DeleteTags'],
    Resource: asgs.map((g) => arn('autoscaling', `autoScalingGroup:*:autoScalingGroupName/${g}`)),
    Condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': ['ecs-pilot:*'] } },
  });
  // onDemandFallback groups only: their on-demand base is raised with UpdateAutoScalingGroup, which on a
  // launch-template group AWS authorises as launching its instances (ec2:RunInstances, and passing the
  // instance profile's role). The template's resources (AMI, subnets, security groups) are not known when
  // the stack is packaged, so RunInstances is not scoped by resource; the role it may pass is.
  const fallbackGroups = config.clusters.flatMap((c) => c.groups.filter((g) => g.onDemandFallback));
  if (fallbackGroups.length > 0) {
    out.push(
      { Sid: 'RaiseOnDemandBase', Effect: 'Allow', Action: ['autoscaling:UpdateAutoScalingGroup'], Resource: fallbackGroups.map((g) => arn('autoscaling', `autoScalingGroup:*:autoScalingGroupName/${g.asg}`)) },
      { Sid: 'LaunchWithTheGroupsTemplate', Effect: 'Allow', Action: ['ec2:RunInstances'], Resource: '*' },
    );
    const roles = uniq(fallbackGroups.flatMap((g) => (g.instanceRole ? [g.instanceRole] : [])));
    if (roles.length > 0) {
      out.push({ Sid: 'PassInstanceRoles', Effect: 'Allow', Action: ['iam:PassRole'], Resource: roles, Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } });
    }
  }
  // The cluster-state store (docs/state.md): items of this stack's table only.
  out.push({
    Sid: 'ClusterStateStore',
    Effect: 'Allow',
    Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
    Resource: { 'Fn::GetAtt': ['StateTable', 'Arn'] },
  });
  if (alarms.length > 0) {
    // Alarms of this account and region rather than each by name: a read of alarm settings, and 100
    // alarm ARNs would take a tenth of the size budget of the role.
    out.push({ Sid: 'ReadScalingAlarms', Effect: 'Allow', Action: ['cloudwatch:DescribeAlarms'], Resource: arn('cloudwatch', 'alarm:*') });
  }
  if (config.jobs.length > 0) {
    const jobClusterArns = jobClusters.map((c) => ecs(`cluster/${c}`));
    const jobTasks = jobClusters.map((c) => ecs(`task/${c}/*`));
    out.push(
      {
        Sid: 'RunJobTasks',
        Effect: 'Allow',
        Action: ['ecs:RunTask'],
        Resource: uniq(config.jobs.map((j) => familyOf(j.taskDefinition))).map((f) => ecs(`task-definition/${f}:*`)),
        Condition: { ArnEquals: { 'ecs:cluster': jobClusterArns } },
      },
      {
        // RunTask with tags is authorised as ecs:TagResource on the new task (tag-on-create).
        Sid: 'TagJobTasksAtLaunch',
        Effect: 'Allow',
        Action: ['ecs:TagResource'],
        Resource: jobTasks,
        Condition: { StringEquals: { 'ecs:CreateAction': 'RunTask' }, 'ForAllValues:StringLike': { 'aws:TagKeys': ['ecs-pilot:*'] } },
      },
      {
        // Timeouts and Replace stop job attempts only: tasks ecs-pilot started carry the job tag.
        Sid: 'StopJobTasks',
        Effect: 'Allow',
        Action: ['ecs:StopTask'],
        Resource: jobTasks,
        Condition: { Null: { [`aws:ResourceTag/${JOB_TAG}`]: 'false' } },
      },
    );
    if (passRoles.length > 0) {
      out.push({
        Sid: 'PassJobTaskRoles',
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        // Only the roles the jobs name (passRoles), and only to ECS tasks.
        Resource: passRoles,
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      });
    }
  }
  if (services.length > 0) {
    out.push({
      Sid: 'ScaleConfiguredServices',
      Effect: 'Allow',
      Action: ['ecs:UpdateService', 'ecs:TagResource'],
      Resource: services.map((s) => ecs(`service/${s}`)),
    });
  }
  // sqs:SendMessage to the dead-letter queue (failed async invocations) is in the role's inline policy,
  // which serverless writes for the functions' `destinations.onFailure`.
  return out;
}

/**
 * The length IAM counts (no whitespace) once CloudFormation has resolved the template, with the
 * longest partition (aws-us-gov), a region longer than any (15 characters) and an upper bound for
 * attributes of this stack.
 */
function resolvedLength(document) {
  return JSON.stringify(document, (_key, value) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      if (typeof value['Fn::Sub'] === 'string') {
        return value['Fn::Sub'].replaceAll('${AWS::Partition}', 'aws-us-gov').replaceAll('${AWS::Region}', 'ap-southeast-77').replaceAll('${AWS::AccountId}', '123456789012');
      }
      if (value['Fn::GetAtt'] || value.Ref) return 'x'.repeat(160);
    }
    return value;
  }).length;
}

const documentOf = (statement) => ({ Version: '2012-10-17', Statement: statement });

/** Splits a statement whose resource list alone would exceed a policy into parts that fit. */
function splitToFit(statement, max) {
  if (resolvedLength(documentOf([statement])) <= max || !Array.isArray(statement.Resource)) return [statement];
  const parts = [];
  let current = [];
  for (const resource of statement.Resource) {
    const next = [...current, resource];
    if (current.length > 0 && resolvedLength(documentOf([{ ...statement, Sid: `${statement.Sid}99`, Resource: next }])) > max) {
      parts.push(current);
      current = [resource];
    } else current = next;
  }
  parts.push(current);
  return parts.map((Resource, i) => ({ ...statement, Sid: `${statement.Sid}${i + 1}`, Resource }));
}

/**
 * The statements as managed policies (logical id → resource), first fit, each under the size limit.
 * @throws Error when they would need more policies than a role may have attached
 */
function managedPolicies(all, max = MANAGED_POLICY_MAX_CHARS) {
  const policies = [];
  for (const statement of all.flatMap((s) => splitToFit(s, max))) {
    const fit = policies.find((p) => resolvedLength(documentOf([...p, statement])) <= max);
    if (fit) fit.push(statement);
    else policies.push([statement]);
  }
  if (policies.length > MANAGED_POLICIES_PER_ROLE) {
    throw new Error(`the configuration needs ${policies.length} IAM policies of ${max} characters, more than the ${MANAGED_POLICIES_PER_ROLE} a role may have: split it into several stacks`);
  }
  return Object.fromEntries(
    policies.map((statement, i) => [
      `EcsPilotPolicy${i + 1}`,
      { Type: 'AWS::IAM::ManagedPolicy', Properties: { Description: `ecs-pilot functions, part ${i + 1} of ${policies.length}`, PolicyDocument: documentOf(statement) } },
    ]),
  );
}

module.exports = { statements, managedPolicies, resolvedLength, MANAGED_POLICY_MAX_CHARS, MANAGED_POLICIES_PER_ROLE, JOB_TAG };
