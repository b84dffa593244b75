import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { DescribeLifecycleHooksCommand, DescribePoliciesCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import { DescribeCapacityProvidersCommand, DescribeClustersCommand } from '@aws-sdk/client-ecs';
import type { Snapshot } from '../../src/core/model.js';
import { demoSnapshot, mockAws, type MockedAws } from '../support/aws-mocks.js';
import { main } from '../../src/cli/main.js';
import { runCli } from '../support/cli.js';

interface JsonCheck {
  cluster: string;
  group?: string;
  check: string;
  status: string;
  detail: string;
  fix?: string;
}

const find = (checks: JsonCheck[], group: string | undefined, check: string): JsonCheck | undefined => checks.find((c) => c.group === group && c.check === check);

/** The simulator answers DescribeLifecycleHooks too (aws-mocks forwards only the commands the controller sends). */
function withHooks(aws: MockedAws): void {
  aws.autoscaling.on(DescribeLifecycleHooksCommand).callsFake(async (input) => aws.sim.handle('autoscaling', 'DescribeLifecycleHooks', input));
}

describe('CLI: ecs-pilot doctor', () => {
  it('on the simulated demo cluster: every group checked, nothing fails, exit 0; unknowns are said, not passed', async () => {
    const r = await runCli('doctor');
    expect(r.code).toBe(0);
    expect(r.out).toContain('note: simulated demo cluster');
    expect(r.out).toContain('ok   spot-general lifecycle-hook: hook ecs-pilot-drain: autoscaling:EC2_INSTANCE_TERMINATING, heartbeat 600 s, default result CONTINUE');
    expect(r.out).toContain('info ondemand-general managed-scaling: managed scaling absent → mode own');
    // The simulator's launch template carries no user data: unknown, and the fix is printed.
    expect(r.out).toMatch(/\?\? {3}spot-general agent-spot-draining: no user data readable/);
    expect(r.out).toContain('fix: add `echo ECS_ENABLE_SPOT_INSTANCE_DRAINING=true >> /etc/ecs/ecs.config`');
    expect(r.out).toContain('ok   cluster: cluster demo has every configured capacity provider');
    expect(r.out).toMatch(/\d+ checks: 0 failed, 2 unverified/);
    const json = JSON.parse((await runCli('doctor', '--json')).out) as { simulated: boolean; ok: boolean; checks: JsonCheck[] };
    expect(json.simulated).toBe(true);
    expect(json.ok).toBe(true);
    for (const g of ['spot-general', 'ondemand-general', 'gpu-ondemand']) for (const c of ['lifecycle-hook', 'managed-scaling', 'managed-draining', 'termination-protection', 'capacity-rebalance', 'scaling-policies']) expect(find(json.checks, g, c)).toBeDefined();
    // Agent spot draining concerns spot groups only.
    expect(find(json.checks, 'ondemand-general', 'agent-spot-draining')).toBeUndefined();
    expect(find(json.checks, undefined, 'cloudtrail-runtask')?.status).toBe('unverified');
  });

  it('text wraps to the terminal width at spaces, nothing cut; --wide keeps one line per check', async () => {
    const lines: string[] = [];
    expect(await main(['doctor'], { out: (t) => lines.push(t), err: () => {}, columns: 80 })).toBe(0);
    const text = lines.join('\n');
    const long = text.split('\n').filter((l) => l.length > 80 && l.trim().includes(' '));
    expect(long).toEqual([]);
    // Every word of the unwrapped output is there.
    const wide = (await runCli('doctor', '--wide')).out;
    expect(text.split(/\s+/).join(' ')).toBe(wide.split(/\s+/).join(' '));
    expect(wide.split('\n').some((l) => l.length > 80)).toBe(true);
  });

  it('--region without --aws is a usage error (exit 2); an unreadable --config is exit 1', async () => {
    expect((await runCli('doctor', '--region', 'eu-west-1')).code).toBe(2);
    const r = await runCli('--config', 'no-such.yml', 'doctor');
    expect(r.code).toBe(1);
    expect(r.err).toContain('cannot read config no-such.yml');
  });

  describe('--aws (SDK mocked, answered by the simulator)', () => {
    let aws: MockedAws | undefined;
    let sqs: AwsClientStub<SQSClient>;
    beforeEach(() => {
      // The stack is deployed: its DLQ (default stage prod) exists, empty.
      sqs = mockClient(SQSClient);
      sqs.on(GetQueueUrlCommand, { QueueName: 'ecs-pilot-prod-dlq' }).resolves({ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/ecs-pilot-prod-dlq' });
      sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
    });
    afterEach(() => {
      aws?.restore();
      sqs.restore();
    });

    function account(change: (s: Snapshot) => void = () => {}): MockedAws {
      const snapshot = demoSnapshot();
      change(snapshot);
      aws = mockAws(snapshot);
      withHooks(aws);
      // The account has the alarms the config's scaling rules name.
      for (const name of ['demo-worker-backlog-high', 'demo-worker-backlog-low']) aws.sim.alarms.set({ name, state: 'OK', updatedAt: new Date(snapshot.takenAt) });
      return aws;
    }

    it('a clean account: exit 0, every read is read-only and exact', async () => {
      const a = account();
      const r = await runCli('doctor', '--aws', '--json');
      expect(r.code).toBe(0);
      expect(a.writes()).toEqual([]);
      expect(a.autoscaling).toHaveReceivedCommandWith(DescribeLifecycleHooksCommand, { AutoScalingGroupName: 'ecs-pilot-demo-gpu' });
      expect(a.ecs).toHaveReceivedCommandWith(DescribeCapacityProvidersCommand, { capacityProviders: ['spot-general', 'ondemand-general', 'gpu-ondemand'] });
      expect(a.autoscaling).toHaveReceivedCommandWith(DescribePoliciesCommand, { AutoScalingGroupName: 'ecs-pilot-demo-spot-general', MaxRecords: 100 });
    });

    it('a missing hook fails with the put-lifecycle-hook command; exit 1 in text and JSON', async () => {
      const a = account();
      a.autoscaling.on(DescribeLifecycleHooksCommand, { AutoScalingGroupName: 'ecs-pilot-demo-gpu' }).resolves({ LifecycleHooks: [{ LifecycleHookName: 'someone-elses', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING' }] });
      const r = await runCli('doctor', '--aws');
      expect(r.code).toBe(1);
      expect(r.out).toContain('FAIL gpu-ondemand lifecycle-hook: no lifecycle hook ecs-pilot-drain on ecs-pilot-demo-gpu (it has: someone-elses)');
      expect(r.out).toContain('fix: aws autoscaling put-lifecycle-hook --auto-scaling-group-name ecs-pilot-demo-gpu --lifecycle-hook-name ecs-pilot-drain --lifecycle-transition autoscaling:EC2_INSTANCE_TERMINATING --heartbeat-timeout 300 --default-result CONTINUE');
      expect(r.out).toMatch(/checks: 1 failed/);
      const json = JSON.parse((await runCli('doctor', '--aws', '--json')).out) as { ok: boolean; checks: JsonCheck[] };
      expect(json.ok).toBe(false);
      expect(find(json.checks, 'gpu-ondemand', 'lifecycle-hook')?.status).toBe('fail');
      expect(find(json.checks, 'spot-general', 'lifecycle-hook')?.status).toBe('pass');
    });

    it("a hook answered without its optional fields: AWS's defaults are named (heartbeat 3600 s, ABANDON)", async () => {
      const a = account();
      a.autoscaling.on(DescribeLifecycleHooksCommand, { AutoScalingGroupName: 'ecs-pilot-demo-gpu' }).resolves({ LifecycleHooks: [{ LifecycleHookName: 'ecs-pilot-drain', LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING' }] });
      const json = JSON.parse((await runCli('doctor', '--aws', '--json')).out) as { checks: JsonCheck[] };
      expect(find(json.checks, 'gpu-ondemand', 'lifecycle-hook')).toMatchObject({ status: 'pass', detail: expect.stringContaining('heartbeat 3600 s (AWS default), default result ABANDON (AWS default)') });
    });

    it('the conflicts fail with their fix: managed draining, Capacity Rebalancing with prescale, an own scaling policy', async () => {
      account((s) => {
        const [spot, ondemand] = s.groups;
        if (!spot || !ondemand) throw new Error('demo groups');
        spot.awsSettings = { managedDraining: 'ENABLED', capacityRebalance: true };
        ondemand.awsSettings = { scalingPolicies: ['cpu-target'], capacityRebalance: true };
      });
      const r = await runCli('doctor', '--aws');
      expect(r.code).toBe(1);
      expect(r.out).toContain('FAIL spot-general managed-draining');
      expect(r.out).toContain('fix: aws ecs update-capacity-provider --name spot-general --auto-scaling-group-provider managedDraining=DISABLED');
      expect(r.out).toContain('FAIL spot-general capacity-rebalance');
      expect(r.out).toContain('fix: aws autoscaling update-auto-scaling-group --auto-scaling-group-name ecs-pilot-demo-spot-general --no-capacity-rebalance');
      // Capacity Rebalancing with rebalance: ignore is no conflict.
      expect(r.out).toContain('ok   ondemand-general capacity-rebalance: Capacity Rebalancing on, rebalance: ignore');
      expect(r.out).toContain('FAIL ondemand-general scaling-policies: ecs-pilot-demo-ondemand-general has its own scaling policies (cpu-target)');
      expect(r.out).toContain('fix: aws autoscaling delete-policy --auto-scaling-group-name ecs-pilot-demo-ondemand-general --policy-name cpu-target');
      expect(r.out).toMatch(/checks: 3 failed/);
    });

    it('accelerate: managed scaling on, ECS managed termination protection needs the ASG to protect new instances; ECS’s own policy is no conflict', async () => {
      const a = account();
      a.ecs.on(DescribeCapacityProvidersCommand).resolves({
        capacityProviders: [
          { name: 'spot-general', autoScalingGroupProvider: { autoScalingGroupArn: 'arn', managedScaling: { status: 'ENABLED', targetCapacity: 90 }, managedTerminationProtection: 'ENABLED' } },
          // managed termination protection without managed scaling does not work (ECS API reference)
          { name: 'ondemand-general', autoScalingGroupProvider: { autoScalingGroupArn: 'arn', managedScaling: { status: 'DISABLED' }, managedTerminationProtection: 'ENABLED' } },
          // no managedScaling, managedDraining nor managedTerminationProtection field at all
          { name: 'gpu-ondemand', autoScalingGroupProvider: { autoScalingGroupArn: 'arn' } },
        ],
      });
      a.autoscaling.on(DescribePoliciesCommand, { AutoScalingGroupName: 'ecs-pilot-demo-spot-general' }).resolves({
        ScalingPolicies: [{ PolicyName: 'ECSManagedAutoScalingPolicy-1', Enabled: true, TargetTrackingConfiguration: { TargetValue: 90, CustomizedMetricSpecification: { MetricName: 'CapacityProviderReservation', Namespace: 'AWS/ECS/ManagedScaling', Statistic: 'Average' } } }],
      });
      const json = JSON.parse((await runCli('doctor', '--aws', '--json')).out) as { checks: JsonCheck[] };
      expect(find(json.checks, 'spot-general', 'managed-scaling')?.detail).toContain('managed scaling ENABLED → mode accelerate: ECS scales the group (target 90%, step 1–10000, warm-up 300 s)');
      // The demo ASGs do not protect new instances from scale-in.
      expect(find(json.checks, 'spot-general', 'termination-protection')).toMatchObject({ status: 'fail', fix: 'aws autoscaling update-auto-scaling-group --auto-scaling-group-name ecs-pilot-demo-spot-general --new-instances-protected-from-scale-in' });
      expect(find(json.checks, 'ondemand-general', 'termination-protection')).toMatchObject({ status: 'fail', fix: 'aws ecs update-capacity-provider --name ondemand-general --auto-scaling-group-provider managedTerminationProtection=DISABLED' });
      expect(find(json.checks, 'gpu-ondemand', 'managed-draining')).toMatchObject({ status: 'pass', detail: 'managed draining absent (DISABLED)' });
      expect(find(json.checks, 'spot-general', 'scaling-policies')).toMatchObject({ status: 'pass', detail: expect.stringContaining('ECSManagedAutoScalingPolicy-1') });
      // CloudTrail matters for the own-mode groups only.
      expect(find(json.checks, undefined, 'cloudtrail-runtask')?.detail).toMatch(/^ondemand-general, gpu-ondemand in own mode/);
    });

    it('a provider ECS does not know fails; the agent spot draining is read from the launch template user data', async () => {
      const a = account();
      a.ecs.on(DescribeCapacityProvidersCommand).resolves({ capacityProviders: [] });
      const userData = Buffer.from('#!/bin/bash\necho ECS_CLUSTER=demo >> /etc/ecs/ecs.config\necho ECS_ENABLE_SPOT_INSTANCE_DRAINING=true >> /etc/ecs/ecs.config\n').toString('base64');
      a.ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [{ VersionNumber: 1, LaunchTemplateData: { UserData: userData } }] });
      const json = JSON.parse((await runCli('doctor', '--aws', '--json')).out) as { checks: JsonCheck[] };
      expect(find(json.checks, 'gpu-ondemand', 'managed-scaling')).toMatchObject({ status: 'fail', detail: expect.stringContaining('ECS has no capacity provider gpu-ondemand') });
      expect(find(json.checks, 'spot-general', 'agent-spot-draining')?.status).toBe('pass');
      expect(a.ec2).toHaveReceivedCommandWith(DescribeLaunchTemplateVersionsCommand, { Versions: ['$Default'] });

      a.ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [{ VersionNumber: 1, LaunchTemplateData: { UserData: Buffer.from('echo ECS_CLUSTER=demo >> /etc/ecs/ecs.config').toString('base64') } }] });
      const off = JSON.parse((await runCli('doctor', '--aws', '--json')).out) as { checks: JsonCheck[] };
      expect(find(off.checks, 'spot-general', 'agent-spot-draining')).toMatchObject({ status: 'fail', fix: expect.stringContaining('ECS_ENABLE_SPOT_INSTANCE_DRAINING=true') });
    });

    it('the cluster: missing in ECS, or a configured provider not associated with it, fails with the fix', async () => {
      const a = account();
      a.ecs.on(DescribeClustersCommand).resolves({ clusters: [{ clusterName: 'demo', status: 'ACTIVE', capacityProviders: ['spot-general', 'FARGATE'] }] });
      const r = await runCli('doctor', '--aws');
      expect(r.code).toBe(1);
      expect(r.out).toContain('FAIL cluster: capacity provider(s) ondemand-general, gpu-ondemand not associated with cluster demo (it has: spot-general, FARGATE)');
      expect(r.out).toContain('fix: aws ecs put-cluster-capacity-providers --cluster demo --capacity-providers spot-general FARGATE ondemand-general gpu-ondemand');
      // ECS answers a cluster it does not know with a failure MISSING, not an error.
      a.ecs.on(DescribeClustersCommand).resolves({ clusters: [], failures: [{ arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/demo', reason: 'MISSING' }] });
      const json = JSON.parse((await runCli('doctor', '--aws', '--json')).out) as { checks: JsonCheck[] };
      expect(find(json.checks, undefined, 'cluster')).toMatchObject({ status: 'fail', detail: 'ECS has no active cluster demo in this account and region' });
    });

    it('a read AWS refuses makes its check unverified (not failed, not passed), naming the grant', async () => {
      const a = account();
      a.autoscaling.on(DescribeLifecycleHooksCommand).rejects(Object.assign(new Error('User is not authorized to perform: autoscaling:DescribeLifecycleHooks'), { name: 'AccessDenied', $metadata: {} }));
      const r = await runCli('doctor', '--aws');
      expect(r.code).toBe(0);
      expect(r.out).toContain('??   spot-general lifecycle-hook: could not read the hooks of ecs-pilot-demo-spot-general: AccessDenied: User is not authorized');
      expect(r.out).toContain('fix: grant autoscaling:DescribeLifecycleHooks to the operator');
    });
  });
});
