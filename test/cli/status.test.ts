import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeCapacityProvidersCommand, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import type { Snapshot } from '../../src/core/model.js';
import { demoSnapshot, mockAws, type MockedAws } from '../support/aws-mocks.js';
import { main } from '../../src/cli/main.js';
import { runCli } from '../support/cli.js';

interface JsonProvider {
  name: string;
  mode: string;
  units: string;
  desired: number;
  inService: number;
  launching: number;
  waitingTasks: number;
  instances: { total: number; protected: number; idle: number; draining: number };
}
interface JsonStatus {
  simulated: boolean;
  clusters: Array<{ cluster: string; providers: JsonProvider[]; waitingElsewhere: number; conflicts: Array<{ group: string; setting: string }> }>;
  dlq: { queue?: string; messages?: number; error?: string; note?: string };
}

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/ecs-pilot-prod-dlq';

describe('CLI: ecs-pilot status', () => {
  it('on the simulated demo cluster: each provider with its mode, capacity in its units, waiting tasks and instances', async () => {
    const r = await runCli('status');
    expect(r.code).toBe(0);
    expect(r.out).toContain('spot-general (ASG ecs-pilot-demo-spot-general), mode own');
    // spot-general launches weighted types (1, 2, 4): its figures are units, not instances.
    expect(r.out).toContain('capacity (weighted units): desired 4, in service 4, launching 0');
    expect(r.out).toContain('gpu-ondemand (ASG ecs-pilot-demo-gpu), mode own\n    capacity (instances): desired 1, in service 1, launching 0');
    expect(r.out).toContain('instances: 1 (0 protected, 0 idle, 1 draining)');
    expect(r.out).toContain('conflicts: none');
    expect(r.out).toContain('DLQ: not read: the simulated cluster has no queue');
    const json = JSON.parse((await runCli('status', '--json')).out) as JsonStatus;
    expect(json.simulated).toBe(true);
    const [demo] = json.clusters;
    expect(demo?.providers.map((p) => [p.name, p.units])).toEqual([
      ['spot-general', 'weighted units'],
      ['ondemand-general', 'weighted units'],
      ['gpu-ondemand', 'instances'],
    ]);
    // Waiting tasks: the snapshot's pending tasks and the services' missing tasks, each counted once, by the provider they name.
    const pending = demoSnapshot().pending;
    for (const p of demo?.providers ?? []) expect(p.waitingTasks).toBeGreaterThanOrEqual(pending.filter((t) => t.capacityProvider === p.name).length);
    expect(demo?.providers.map((p) => p.waitingTasks)).toEqual([18, 4, 3]);
    expect(demo?.waitingElsewhere).toBe(4);
    expect(json.dlq.note).toMatch(/not read/);
  });

  it('--config naming another cluster: the demo cluster with its snapshot\'s groups, said in a note; --wide keeps long lines whole', async () => {
    const r = await runCli('--config', 'test/fixtures/other-cluster.yml', 'status', '--wide');
    expect(r.code).toBe(0);
    expect(r.out).toContain('note: test/fixtures/other-cluster.yml has no cluster "demo": using the demo snapshot\'s groups with default settings');
    expect(r.out).toContain('spot-general (ASG ecs-pilot-demo-spot-general), mode own');
    const lines: string[] = [];
    expect(await main(['--config', 'test/fixtures/other-cluster.yml', 'status'], { out: (t) => lines.push(t), err: () => {}, columns: 60 })).toBe(0);
    expect(lines.join('\n').split('\n').filter((l) => l.length > 60 && l.trim().includes(' '))).toEqual([]);
    expect(r.out.split('\n').some((l) => l.length > 60)).toBe(true);
  });

  it('flags only with --aws: --dlq, --region, --stage without it are usage errors (exit 2)', async () => {
    for (const args of [['--dlq', 'q'], ['--region', 'eu-west-1'], ['--stage', 'prod']]) {
      const r = await runCli('status', ...args);
      expect(r.code).toBe(2);
      expect(r.err).toContain('only makes sense with --aws');
    }
  });

  describe('--aws (SDK mocked, answered by the simulator)', () => {
    let aws: MockedAws | undefined;
    let sqs: AwsClientStub<SQSClient>;
    beforeEach(() => {
      sqs = mockClient(SQSClient);
    });
    afterEach(() => {
      aws?.restore();
      sqs.restore();
    });

    function account(change: (s: Snapshot) => void = () => {}): MockedAws {
      const snapshot = demoSnapshot();
      change(snapshot);
      aws = mockAws(snapshot);
      return aws;
    }

    it('reads the DLQ named as the stack names it (--stage), read-only; its depth in text and JSON', async () => {
      const a = account();
      sqs.on(GetQueueUrlCommand, { QueueName: 'ecs-pilot-prod-dlq' }).resolves({ QueueUrl: QUEUE_URL });
      sqs.on(GetQueueAttributesCommand, { QueueUrl: QUEUE_URL, AttributeNames: ['ApproximateNumberOfMessages'] }).resolves({ Attributes: { ApproximateNumberOfMessages: '3' } });
      const r = await runCli('status', '--aws', '--stage', 'prod');
      expect(r.code).toBe(0);
      expect(a.writes()).toEqual([]);
      expect(r.out).toContain(`DLQ ${QUEUE_URL}: 3 message(s) — replay them after the fix`);
      expect(sqs).toHaveReceivedCommandWith(GetQueueUrlCommand, { QueueName: 'ecs-pilot-prod-dlq' });
      const json = JSON.parse((await runCli('status', '--aws', '--stage', 'prod', '--json')).out) as JsonStatus;
      expect(json.simulated).toBe(false);
      expect(json.dlq).toEqual({ queue: QUEUE_URL, messages: 3 });
    });

    it('after a default deploy (no --stage on either side): finds the stack\'s DLQ, and says what it uses and whence', async () => {
      account();
      sqs.on(GetQueueUrlCommand).rejects(Object.assign(new Error('The specified queue does not exist.'), { name: 'QueueDoesNotExist', $metadata: {} }));
      sqs.on(GetQueueUrlCommand, { QueueName: 'ecs-pilot-prod-dlq' }).resolves({ QueueUrl: QUEUE_URL });
      sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
      const r = await runCli('status', '--aws');
      expect(r.code).toBe(0);
      expect(r.out).toContain(`DLQ ${QUEUE_URL}: 0 message(s)`);
      expect(r.out).toContain('note: using cluster demo (./ecs-pilot.yml, the default --config), region us-east-1 (AWS_REGION), account 123456789012 (the clusters\' ARNs), stage prod (default, as `osls deploy` without --stage)');
      expect(r.out).toContain("note: that config names the demo cluster (the repository's example): pass --config <your config>");
    });

    it('--region is taken with --aws (the clients are made for it)', async () => {
      account();
      sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '1' } });
      const r = await runCli('status', '--aws', '--region', 'eu-west-1', '--dlq', QUEUE_URL, '--json');
      expect(r.code).toBe(0);
      expect((JSON.parse(r.out) as JsonStatus).dlq.messages).toBe(1);
    });

    it('--dlq takes a URL as is (no GetQueueUrl); an empty DLQ says 0', async () => {
      account();
      sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
      const r = await runCli('status', '--aws', '--dlq', QUEUE_URL);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`DLQ ${QUEUE_URL}: 0 message(s)`);
      expect(sqs).not.toHaveReceivedCommand(GetQueueUrlCommand);
    });

    it('a DLQ that cannot be read (not found; an answer without the attribute) is said, exit 1; the clusters are still shown', async () => {
      account();
      sqs.on(GetQueueUrlCommand).rejects(Object.assign(new Error('The specified queue does not exist.'), { name: 'QueueDoesNotExist', $metadata: {} }));
      const r = await runCli('status', '--aws');
      expect(r.code).toBe(1);
      expect(r.out).toContain('spot-general (ASG ecs-pilot-demo-spot-general), mode own');
      expect(r.out).toContain('DLQ ecs-pilot-prod-dlq: could not read (QueueDoesNotExist: The specified queue does not exist. (stage prod, default, as `osls deploy` without --stage; region us-east-1, AWS_REGION)); pass --dlq <url|name> or --stage');
      sqs.reset();
      sqs.on(GetQueueAttributesCommand).resolves({});
      const json = JSON.parse((await runCli('status', '--aws', '--dlq', QUEUE_URL, '--json')).out) as JsonStatus;
      expect(json.dlq.error).toContain('no ApproximateNumberOfMessages');
    });

    it('launching capacity in the group\'s units: an instance the ASG is launching (Pending) counts its weight', async () => {
      const a = account();
      sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
      a.autoscaling.on(DescribeAutoScalingGroupsCommand).callsFake(async (input) => {
        const out = a.sim.handle('autoscaling', 'DescribeAutoScalingGroups', input) as { AutoScalingGroups: Array<{ AutoScalingGroupName: string; DesiredCapacity: number; Instances: unknown[] }> };
        for (const g of out.AutoScalingGroups) {
          if (g.AutoScalingGroupName !== 'ecs-pilot-demo-spot-general') continue;
          // m5.2xlarge weighs 4 in the demo's spot group; a launching instance has no container instance yet.
          g.Instances.push({ InstanceId: 'i-0launching000000001', InstanceType: 'm5.2xlarge', AvailabilityZone: 'us-east-1a', LifecycleState: 'Pending', HealthStatus: 'Healthy', ProtectedFromScaleIn: false, WeightedCapacity: '4' });
          g.DesiredCapacity += 4;
        }
        return out;
      });
      const json = JSON.parse((await runCli('status', '--aws', '--dlq', QUEUE_URL, '--json')).out) as JsonStatus;
      const spot = json.clusters[0]?.providers.find((p) => p.name === 'spot-general');
      expect(spot).toMatchObject({ units: 'weighted units', desired: 8, inService: 4, launching: 4 });
      const text = (await runCli('status', '--aws', '--dlq', QUEUE_URL)).out;
      expect(text).toContain('capacity (weighted units): desired 8, in service 4, launching 4');
    });

    it('a cluster the account does not have: one line naming it, no stack trace, exit 1', async () => {
      const a = account();
      // As the SDK throws it (with \$metadata; the simulator's own errors carry none).
      a.ecs.on(ListContainerInstancesCommand).rejects(Object.assign(new Error('Cluster not found.'), { name: 'ClusterNotFoundException', $metadata: { httpStatusCode: 400 } }));
      const dir = mkdtempSync(join(tmpdir(), 'ecs-pilot-status-'));
      const config = join(dir, 'ecs-pilot.yml');
      writeFileSync(config, 'clusters:\n  - name: nope\n    groups:\n      - { name: spot-general, asg: ecs-pilot-demo-spot-general }\n');
      const r = await runCli('--config', config, 'status', '--aws', '--dlq', QUEUE_URL);
      expect(r.code).toBe(1);
      expect(r.err).toContain('ClusterNotFoundException');
      expect(r.err).toContain('the ECS cluster does not exist in this account and region');
      // The error names what it looked for, where, and whence each came (issue 24).
      expect(r.err).toContain(`(while using cluster nope (--config ${config}), region us-east-1 (AWS_REGION), account unknown (no configured cluster found)`);
      expect(r.err).toContain('ECS has no cluster nope there: check clusters[].name in the config, and the region');
      expect(r.err).not.toContain('    at ');
    });

    it('the detected mode per provider (managed scaling on: accelerate; the field absent: own) and the conflicts found', async () => {
      const a = account((s) => {
        const spot = s.groups[0];
        if (spot) spot.awsSettings = { managedDraining: 'ENABLED', capacityRebalance: true };
      });
      sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
      a.ecs.on(DescribeCapacityProvidersCommand).resolves({
        capacityProviders: [
          { name: 'spot-general', autoScalingGroupProvider: { autoScalingGroupArn: 'arn', managedScaling: { status: 'ENABLED' }, managedDraining: 'ENABLED' } },
          { name: 'ondemand-general', autoScalingGroupProvider: { autoScalingGroupArn: 'arn' } },
        ],
      });
      const json = JSON.parse((await runCli('status', '--aws', '--dlq', QUEUE_URL, '--json')).out) as JsonStatus;
      expect(json.clusters[0]?.providers.map((p) => [p.name, p.mode])).toEqual([
        ['spot-general', 'accelerate'],
        ['ondemand-general', 'own'],
        ['gpu-ondemand', 'own'],
      ]);
      expect(json.clusters[0]?.conflicts.map((c) => [c.group, c.setting])).toEqual([
        ['spot-general', 'managedDraining'],
        ['spot-general', 'capacityRebalance'],
      ]);
      const text = (await runCli('status', '--aws', '--dlq', QUEUE_URL)).out;
      expect(text).toContain('    - capacity provider spot-general has managed draining ENABLED');
    });
  });
});
