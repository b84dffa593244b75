import { runCli } from '../support/cli.js';
import { parseSnapshot } from '../../src/core/model.js';
import { mockAws } from '../support/aws-mocks.js';

describe('CLI: ecs-pilot replay', () => {
  it('replays the bundled events through the real handlers against the demo cluster', async () => {
    const r = await runCli('replay', 'events/demo', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.events.map((e: any) => [e.handler, e.outcome])).toEqual([
      ['spot', 'acted'],
      ['capacity', 'acted'],
      ['capacity', 'nothing-to-do'],
      ['lifecycle', 'acted'],
      ['lifecycle', 'ignored'],
      ['rebalance', 'acted'],
      ['reconcile', 'nothing-to-do'],
      ['batch', 'acted'],
      ['batch', 'acted'],
      ['scaling', 'acted'],
    ]);
    // The schedule starts attempt 1; its STOPPED event (exit 1) starts attempt 2.
    expect(out.events[7].calls.filter((c: any) => c.command === 'RunTask').map((c: any) => c.input.startedBy)).toEqual(['ecs-pilot/hourly-sync/1']);
    expect(out.events[8].calls.filter((c: any) => c.command === 'RunTask').map((c: any) => c.input.startedBy)).toEqual(['ecs-pilot/hourly-sync/2']);
    const spot = out.events[0];
    expect(spot.calls).toContainEqual({ service: 'ecs', command: 'UpdateContainerInstancesState', input: { cluster: 'demo', containerInstances: ['arn:aws:ecs:us-east-1:123456789012:container-instance/demo/00000000000000000000000000000003'], status: 'DRAINING' }, sent: true });
    expect(spot.calls).toContainEqual({ service: 'autoscaling', command: 'SetDesiredCapacity', input: { AutoScalingGroupName: 'ecs-pilot-demo-spot-general', DesiredCapacity: 6, HonorCooldown: false }, sent: true });
    // The drain first, from the event alone (issue 21), then the replacement.
    expect(spot.actions[0]).toEqual(expect.objectContaining({ kind: 'drainInstance' }));
    expect(spot.actions[1]).toEqual(expect.objectContaining({ kind: 'setDesiredCapacity', reason: expect.stringContaining('spot-interrupted i-0a1b2c3d4e5f60003') }));
    // `after` is a valid snapshot v1 showing the effects.
    const after = parseSnapshot(out.after);
    // The worker burst: 2 × m5.xlarge (4 units), cheaper than 1 × m5.large + 1 × m5.2xlarge (5).
    expect(after.groups.find((g) => g.name === 'spot-general')?.desired).toBe(19);
    expect(after.instances.find((i) => i.ec2InstanceId === 'i-0a1b2c3d4e5f60003')?.status).toBe('DRAINING');
    expect(after.instances.find((i) => i.ec2InstanceId === 'i-0a1b2c3d4e5f60002')?.lifecycleState).toBe('Terminated');
  });

  it('a duplicate event replayed right after changes nothing', async () => {
    const spot = 'events/demo/01-spot-interruption-warning.json';
    const out = JSON.parse((await runCli('replay', spot, spot, '--json')).out);
    expect(out.events[0].calls.filter((c: any) => c.command === 'SetDesiredCapacity')).toHaveLength(1);
    expect(out.events[1].outcome).toBe('nothing-to-do');
    expect(out.events[1].calls.filter((c: any) => !/^(Describe|List)/.test(c.command))).toEqual([]);
  });

  it('prints a short human summary per event', async () => {
    const r = await runCli('replay', 'events/demo/01-spot-interruption-warning.json');
    expect(r.code).toBe(0);
    expect(r.out).toContain('[1/1] EC2 Spot Instance Interruption Warning');
    expect(r.out).toContain('handler: spot   outcome: acted');
    expect(r.out).toContain('spot-general (ecs-pilot-demo-spot-general): desired 4 → 6');
    expect(r.out).toContain('i-0a1b2c3d4e5f60003 (spot-general, m5.xlarge): ACTIVE → DRAINING');
    expect(r.out.split('\n').length).toBeLessThan(25);
  });

  it('exits 1 when an event is rejected, and names the field', async () => {
    const r = await runCli('replay', 'events/samples/ec2-spot-instance-interruption-warning.docs-template.json');
    expect(r.code).toBe(1);
    expect(r.out).toContain('outcome: rejected');
    expect(r.out).toContain('$.time');
  });

  it('replays against another snapshot with --cluster (its groups, default settings)', async () => {
    const r = await runCli('--config', 'ecs-pilot.yml', 'replay', 'events/demo/07-reconcile-tick.json', '--cluster', 'test/fixtures/small-cluster.json', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.notes[0]).toContain('has no cluster "small"');
    expect(out.events[0].outcome).toBe('acted');
  });

  it.each([[['replay']], [['replay', 'x.json', '--apply']], [['replay', 'x.json', '--aws', '--cluster', 'c.json']]])('exits 2 on usage errors: %j', async (argv) => {
    expect((await runCli(...argv)).code).toBe(2);
  });

  it('exits 1 for a missing file or config', async () => {
    expect((await runCli('replay', 'no/such.json')).code).toBe(1);
    expect((await runCli('--config', 'no/such.yml', 'replay', 'events/demo')).code).toBe(1);
  });

  describe('--aws (read-only against a real account, SDK mocked)', () => {
    it('reads, decides, and sends no write without --apply', async () => {
      const aws = mockAws();
      try {
        const r = await runCli('replay', 'events/demo/01-spot-interruption-warning.json', '--aws', '--json');
        expect(r.code).toBe(0);
        const out = JSON.parse(r.out);
        expect(aws.writes()).toEqual([]);
        const writes = out.events[0].calls.filter((c: any) => !c.sent);
        // Read-only: the drain's own lookup is not sent either (nothing drained, the decision on the read instance drains it).
        expect(writes.map((c: any) => c.command)).toEqual(['ListContainerInstances', 'SetDesiredCapacity', 'UpdateContainerInstancesState', 'PutAttributes']);
        expect(out.notes).toContain('read-only: writes are shown, not sent (--apply sends them)');
        expect(out.after).toBeUndefined();
      } finally {
        aws.restore();
      }
    });

    it('sends the writes with --apply', async () => {
      const aws = mockAws();
      try {
        await runCli('replay', 'events/demo/01-spot-interruption-warning.json', '--aws', '--apply');
        expect(aws.writes()).toEqual(['UpdateContainerInstancesState', 'SetDesiredCapacity', 'PutAttributes']);
      } finally {
        aws.restore();
      }
    });
  });
});
