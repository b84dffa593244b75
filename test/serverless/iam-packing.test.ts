/** Packing IAM statements into managed policies under IAM's size limit (serverless/iam.cjs). */
const { managedPolicies, resolvedLength, MANAGED_POLICY_MAX_CHARS } = require('../../serverless/iam.cjs');

const asg = (n: number) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:autoscaling:\${AWS::Region}:\${AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/group-${n}-with-a-rather-long-name` });
const statement = (sid: string, count: number) => ({ Sid: sid, Effect: 'Allow', Action: ['autoscaling:SetDesiredCapacity'], Resource: Array.from({ length: count }, (_, i) => asg(i)) });

describe('Function: managedPolicies', () => {
  it('splits a statement too large for one policy and keeps every resource, each policy under the limit', () => {
    const policies = Object.values(managedPolicies([statement('Scale', 200)])) as any[];
    expect(policies.length).toBeGreaterThan(1);
    for (const p of policies) expect(resolvedLength(p.Properties.PolicyDocument)).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    const resources = policies.flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s: any) => s.Resource));
    expect(resources).toEqual(statement('Scale', 200).Resource);
    const sids = policies.flatMap((p) => p.Properties.PolicyDocument.Statement.map((s: any) => s.Sid));
    expect(new Set(sids).size).toBe(sids.length);
  });

  it('counts the resolved ARNs with the longest partition and region, not the template text', () => {
    const doc = { Version: '2012-10-17', Statement: [statement('Scale', 1)] };
    const real = JSON.stringify(doc).replace(/\$\{AWS::Partition\}/g, 'aws').replace(/\$\{AWS::Region\}/g, 'us-east-1').replace(/\$\{AWS::AccountId\}/g, '123456789012').replace(/\{"Fn::Sub":("[^"]*")\}/g, '$1');
    expect(resolvedLength(doc)).toBeGreaterThan(real.length);
  });

  it('fails packaging with a message when the statements need more policies than a role may have', () => {
    expect(() => managedPolicies([statement('Scale', 1000)])).toThrow(/more than the 10 a role may have/);
  });
});
