/**
 * The IAM of the onDemandFallback option (docs/capacity-shortage.md), proven by simulation
 * (@cloud-copilot/iam-simulate against the Service Authorization Reference): the on-demand base of a
 * group with the option may be raised, and passing its instance role to EC2 is allowed; the same for
 * a group without the option, another role or another service is denied — and without the option
 * anywhere, none of it is granted.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { ControllerConfigSchema } from '../../src/core/config-schema.js';

const { statements } = require('../../serverless/iam.cjs') as { statements: (config: unknown, familyOf: (td: string) => string) => Array<Record<string, unknown>> };

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/ecs-pilot-prod-${REGION}-lambdaRole`;
const INSTANCE_ROLE = `arn:aws:iam::${ACCOUNT}:role/ecs-instance`;
const asgArn = (name: string) => `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:4e1c2a6b-0f2d-4b8a-9c1e-7d3f5a2b9c10:autoScalingGroupName/${name}`;

function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if (typeof o['Fn::Sub'] === 'string') return o['Fn::Sub'].replaceAll('${AWS::Partition}', 'aws').replaceAll('${AWS::Region}', REGION).replaceAll('${AWS::AccountId}', ACCOUNT);
  if (o['Fn::GetAtt']) return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/ecs-pilot-state`;
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(v)]));
}

const configWith = (onDemandFallback: boolean) =>
  ControllerConfigSchema.parse({
    clusters: [{ name: 'prod', groups: [{ name: 'spot', asg: 'asg-spot', lifecycle: 'spot', ...(onDemandFallback ? { onDemandFallback: true, instanceRole: INSTANCE_ROLE } : {}) }, { name: 'od', asg: 'asg-od' }] }],
  });

async function decision(config: unknown, action: string, resource: string, context: Record<string, string | string[]> = {}): Promise<string> {
  const policy = { Version: '2012-10-17', Statement: resolve(statements(config, (td) => td)) };
  const result = await runSimulation({ request: { principal: ROLE, action, resource: { resource, accountId: ACCOUNT }, contextVariables: context }, identityPolicies: [{ name: 'p', policy }], serviceControlPolicies: [], resourceControlPolicies: [] }, {});
  if (result.resultType === 'error') throw new Error(`${action}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

describe('IAM of onDemandFallback and the shortage marks, by simulation', () => {
  const instance = `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/*`;

  it('allows raising the base of a group with the option, launching from its template and passing its instance role to EC2', async () => {
    const config = configWith(true);
    expect(await decision(config, 'autoscaling:UpdateAutoScalingGroup', asgArn('asg-spot'))).toBe('Allowed');
    expect(await decision(config, 'ec2:RunInstances', instance)).toBe('Allowed');
    expect(await decision(config, 'iam:PassRole', INSTANCE_ROLE, { 'iam:PassedToService': 'ec2.amazonaws.com' })).toBe('Allowed');
  });

  it('denies them for a group without the option, another role, another service', async () => {
    const config = configWith(true);
    expect(await decision(config, 'autoscaling:UpdateAutoScalingGroup', asgArn('asg-od'))).not.toBe('Allowed');
    expect(await decision(config, 'iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/admin`, { 'iam:PassedToService': 'ec2.amazonaws.com' })).not.toBe('Allowed');
    expect(await decision(config, 'iam:PassRole', INSTANCE_ROLE, { 'iam:PassedToService': 'lambda.amazonaws.com' })).not.toBe('Allowed');
  });

  it('grants none of them without the option', async () => {
    const config = configWith(false);
    expect(await decision(config, 'autoscaling:UpdateAutoScalingGroup', asgArn('asg-spot'))).not.toBe('Allowed');
    expect(await decision(config, 'ec2:RunInstances', instance)).not.toBe('Allowed');
    expect(await decision(config, 'iam:PassRole', INSTANCE_ROLE, { 'iam:PassedToService': 'ec2.amazonaws.com' })).not.toBe('Allowed');
  });

  it('allows ecs-pilot tag writes on the configured groups only', async () => {
    const config = configWith(false);
    for (const action of ['autoscaling:CreateOrUpdateTags', 'autoscaling:DeleteTags']) {
      expect(await decision(config, action, asgArn('asg-spot'), { 'aws:TagKeys': ['ecs-pilot:unavailable'] })).toBe('Allowed');
      expect(await decision(config, action, asgArn('other-asg'), { 'aws:TagKeys': ['ecs-pilot:unavailable'] })).not.toBe('Allowed');
      expect(await decision(config, action, asgArn('asg-spot'), { 'aws:TagKeys': ['owner'] })).not.toBe('Allowed');
    }
  });
});
