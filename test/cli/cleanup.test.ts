import { SetInstanceProtectionCommand } from '@aws-sdk/client-auto-scaling';
import { DeleteAttributesCommand, DescribeCapacityProvidersCommand, ListServicesCommand, UntagResourceCommand } from '@aws-sdk/client-ecs';
import { runCli } from '../support/cli.js';
import { mockAws, type MockedAws } from '../support/aws-mocks.js';

const ARN = (n: number) => `arn:aws:ecs:us-east-1:123456789012:container-instance/demo/0000000000000000000000000000000${n}`;
const SERVICE = (name: string) => `arn:aws:ecs:us-east-1:123456789012:service/demo/${name}`;

describe('CLI: ecs-pilot cleanup (SDK mocked)', () => {
  let aws: MockedAws;
  beforeEach(() => {
    aws = mockAws();
    // What ecs-pilot left: two of its attributes (and one of someone else), its tags on a service (and someone else's).
    aws.sim.handle('ecs', 'PutAttributes', {
      cluster: 'demo',
      attributes: [
        { name: 'ecs-pilot.idle-since', value: '2026-11-24T11:00:00.000Z', targetType: 'container-instance', targetId: ARN(2) },
        { name: 'ecs-pilot.drain-reason', value: 'prescale', targetType: 'container-instance', targetId: ARN(1) },
        { name: 'team', value: 'payments', targetType: 'container-instance', targetId: ARN(1) },
      ],
    });
    aws.sim.handle('ecs', 'TagResource', { resourceArn: SERVICE('worker'), tags: [{ key: 'ecs-pilot:scaled-at', value: '2026-11-24T12:09:00.000Z' }, { key: 'ecs-pilot:scaled-by', value: 'alarm' }, { key: 'owner', value: 'team-a' }] });
    aws.sim.log.splice(0); // the set-up's writes are not the command's
    aws.ecs.on(ListServicesCommand).resolves({ serviceArns: ['web', 'worker', 'api'].map(SERVICE) });
    aws.ecs.on(UntagResourceCommand).resolves({});
  });
  afterEach(() => aws.restore());

  it('lists what ecs-pilot left, read-only by default', async () => {
    const r = await runCli('cleanup');
    expect(r.code).toBe(0);
    expect(aws.writes()).toEqual([]);
    expect(aws.ecs).not.toHaveReceivedCommand(UntagResourceCommand);
    expect(r.out).toContain('Cluster demo:');
    expect(r.out).toContain('2 ecs-pilot.* attributes on 2 container instances');
    expect(r.out).toContain('i-0a1b2c3d4e5f60002: ecs-pilot.idle-since=2026-11-24T11:00:00.000Z');
    expect(r.out).not.toContain('team=payments');
    expect(r.out).toContain('scale-in protection on 3 instances');
    expect(r.out).toContain('worker: ecs-pilot:scaled-at, ecs-pilot:scaled-by');
    expect(r.out).toContain('Dry run: nothing changed. Run again with --apply');
    const json = JSON.parse((await runCli('cleanup', '--json')).out);
    expect(json.dryRun).toBe(true);
    expect(json.clusters[0].protection.map((p: { instanceId: string }) => p.instanceId)).toEqual(['i-0a1b2c3d4e5f60001', 'i-0a1b2c3d4e5f60003', 'i-0a1b2c3d4e5f60004']);
    expect(json.clusters[0].serviceTags).toEqual([{ service: 'worker', serviceArn: SERVICE('worker'), keys: ['ecs-pilot:scaled-at', 'ecs-pilot:scaled-by'] }]);
  });

  it('--apply removes exactly those: its attributes, the protection, its tags; a second run finds nothing left', async () => {
    const r = await runCli('cleanup', '--apply');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Removed with \d+ calls\./);
    expect(aws.ecs).toHaveReceivedCommandWith(DeleteAttributesCommand, {
      cluster: 'demo',
      attributes: [
        { name: 'ecs-pilot.drain-reason', targetType: 'container-instance', targetId: ARN(1) },
        { name: 'ecs-pilot.idle-since', targetType: 'container-instance', targetId: ARN(2) },
      ],
    });
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetInstanceProtectionCommand, { AutoScalingGroupName: 'ecs-pilot-demo-spot-general', InstanceIds: ['i-0a1b2c3d4e5f60001', 'i-0a1b2c3d4e5f60003'], ProtectedFromScaleIn: false });
    expect(aws.autoscaling).toHaveReceivedCommandWith(SetInstanceProtectionCommand, { AutoScalingGroupName: 'ecs-pilot-demo-ondemand-general', InstanceIds: ['i-0a1b2c3d4e5f60004'], ProtectedFromScaleIn: false });
    expect(aws.ecs).toHaveReceivedCommandWith(UntagResourceCommand, { resourceArn: SERVICE('worker'), tagKeys: ['ecs-pilot:scaled-at', 'ecs-pilot:scaled-by'] });
    expect(aws.sim.toSnapshot().instances.find((i) => i.id === ARN(1))?.attributes).toEqual({ team: 'payments' });
    const again = JSON.parse((await runCli('cleanup', '--json')).out).clusters[0];
    expect(again.attributes).toEqual([]);
    expect(again.protection).toEqual([]);
  });

  it('leaves protection alone where ECS managed termination protection owns it', async () => {
    aws.ecs.on(DescribeCapacityProvidersCommand).resolves({
      capacityProviders: [
        { name: 'spot-general', autoScalingGroupProvider: { autoScalingGroupArn: 'arn', managedTerminationProtection: 'DISABLED' } },
        { name: 'ondemand-general', autoScalingGroupProvider: { autoScalingGroupArn: 'arn', managedTerminationProtection: 'ENABLED' } },
      ],
    });
    const r = await runCli('cleanup', '--apply');
    expect(r.code).toBe(0);
    expect(r.out).toContain('left protected: i-0a1b2c3d4e5f60004 (capacity provider ondemand-general has managed termination protection on: ECS manages it)');
    expect(aws.autoscaling).not.toHaveReceivedCommandWith(SetInstanceProtectionCommand, { AutoScalingGroupName: 'ecs-pilot-demo-ondemand-general', InstanceIds: ['i-0a1b2c3d4e5f60004'], ProtectedFromScaleIn: false });
  });

  it('reports a removal AWS refused and exits 1, after trying the rest', async () => {
    aws.ecs.on(UntagResourceCommand).rejects(Object.assign(new Error('User is not authorized to perform: ecs:UntagResource'), { name: 'AccessDeniedException' }));
    const r = await runCli('cleanup', '--apply', '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.out);
    expect(out.applied.failures).toEqual([{ what: 'UntagResource on service worker', error: 'AccessDeniedException: User is not authorized to perform: ecs:UntagResource' }]);
    expect(aws.writes()).toEqual(expect.arrayContaining(['DeleteAttributes', 'SetInstanceProtection']));
  });

  it('--cluster limits it to one cluster of the config', async () => {
    const r = await runCli('cleanup', '--cluster', 'demo', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).clusters.map((c: { cluster: string }) => c.cluster)).toEqual(['demo']);
  });

  it('exits 1 without a config or for a cluster it does not name', async () => {
    expect((await runCli('--config', 'no/such.yml', 'cleanup')).code).toBe(1);
    const r = await runCli('cleanup', '--cluster', 'elsewhere');
    expect(r.code).toBe(1);
    expect(r.err).toContain('cluster "elsewhere" is not in ./ecs-pilot.yml (configured: demo)');
  });
});
