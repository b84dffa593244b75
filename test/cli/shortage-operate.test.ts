import { shortageChecks } from '../../src/cli/doctor-command.js';
import { clusterStatus, renderStatus } from '../../src/cli/status-command.js';
import { launchSetup, type ShortageFacts } from '../../src/aws/shortage-facts.js';
import { aGroup, aSnapshot } from '../support/builders.js';

const MARK = { until: '2026-11-24T12:03:00.000Z', at: '2026-11-24T12:00:00.000Z', class: 'spot-capacity' as const, activityId: 'act-7', attempts: 2, reason: 'Could not launch Spot Instances. InsufficientInstanceCapacity' };

describe('Function: clusterStatus / renderStatus — unavailable groups', () => {
  it('shows why and until when a group is unavailable, and the on-demand base ecs-pilot raised', () => {
    const s = aSnapshot({ takenAt: '2026-11-24T12:01:00Z', groups: [aGroup({ name: 'spot', asg: 'asg-spot', lifecycle: 'spot', desired: 4, unavailable: MARK, onDemandFallback: { base: 3, raisedFrom: 0 } })] });
    const c = clusterStatus(s, []);
    expect(c.providers[0]!.unavailable).toEqual({ until: MARK.until, class: 'spot-capacity', activityId: 'act-7', reason: MARK.reason, attempts: 2, state: 'unavailable' });
    const text = renderStatus({ simulated: true, clusters: [c], dlq: { note: 'n' }, notes: [] });
    expect(text).toContain('    launches: UNAVAILABLE until 2026-11-24T12:03:00.000Z (spot-capacity, activity act-7, failure 2 in a row): Could not launch Spot Instances. InsufficientInstanceCapacity');
    expect(text).toContain('    on-demand base: 3 (raised by ecs-pilot from 0)');
  });

  it('says an expired mark probes, a recovered one returns capacity, and nothing for a healthy group', () => {
    const at = (takenAt: string, mark: typeof MARK & { recovered?: string }) => clusterStatus(aSnapshot({ takenAt, groups: [aGroup({ name: 'spot', lifecycle: 'spot', unavailable: mark })] }), []).providers[0]!.unavailable?.state;
    expect(at('2026-11-24T12:05:00Z', MARK)).toBe('probing');
    expect(at('2026-11-24T12:05:00Z', { ...MARK, recovered: '2026-11-24T12:04:00.000Z' })).toBe('recovering');
    expect(clusterStatus(aSnapshot({ groups: [aGroup()] }), []).providers[0]!.unavailable).toBeUndefined();
  });
});

describe('Function: shortageChecks (doctor)', () => {
  const facts = (group: Partial<ShortageFacts['groups'][number]>, services: ShortageFacts['services'] = { ok: true, value: [] }): ShortageFacts => ({
    cluster: 'prod',
    groups: [{ group: 'spot', asg: 'asg-spot', lifecycle: 'spot', fallbackGroup: undefined, onDemandFallback: false, instanceRole: undefined, launch: { ok: true, value: { mixed: true, types: 4, azs: 3, spotAllocationStrategy: 'price-capacity-optimized', spotMaxPrice: undefined } }, ...group }],
    services,
  });

  it('passes a diversified spot group silently', () => {
    expect(shortageChecks(facts({}))).toEqual([]);
  });

  it('warns about few types, one AZ, lowest-price and a max price', () => {
    const out = shortageChecks(facts({ launch: { ok: true, value: { mixed: true, types: 2, azs: 1, spotAllocationStrategy: 'lowest-price', spotMaxPrice: '0.05' } } }));
    expect(out.map((c) => [c.status, c.detail.split(':')[0]])).toEqual([
      ['warn', 'asg-spot launches 2 instance type(s)'],
      ['warn', 'asg-spot uses one Availability Zone'],
      ['warn', 'asg-spot uses the lowest-price spot allocation strategy'],
      ['warn', 'asg-spot sets a spot max price (0.05)'],
    ]);
  });

  it('fails onDemandFallback on a group without a mixed instances policy', () => {
    const out = shortageChecks(facts({ lifecycle: 'spot', onDemandFallback: true, launch: { ok: true, value: { mixed: false, types: 1, azs: 3, spotAllocationStrategy: undefined, spotMaxPrice: undefined } } }));
    expect(out[0]).toMatchObject({ status: 'fail', detail: 'onDemandFallback is on but asg-spot has no mixed instances policy: its on-demand base cannot be raised' });
  });

  it('checks that the template’s instance profile is the role the deployment may pass', () => {
    const mixed = { ok: true as const, value: { mixed: true, types: 4, azs: 3, spotAllocationStrategy: undefined, spotMaxPrice: undefined } };
    const check = (profile: string | undefined) =>
      shortageChecks(facts({ onDemandFallback: true, instanceRole: 'arn:aws:iam::123456789012:role/ecs-instance', launch: mixed, instanceProfile: { ok: true, value: profile } })).find((c) => c.check === 'on-demand-permissions');
    expect(check('arn:aws:iam::123456789012:instance-profile/ecs-instance')?.status).toBe('pass');
    expect(check(undefined)?.status).toBe('pass');
    expect(check('arn:aws:iam::123456789012:instance-profile/other')).toMatchObject({ status: 'warn', fix: expect.stringContaining('aws iam get-instance-profile --instance-profile-name other') });
    const noRole = shortageChecks(facts({ onDemandFallback: true, launch: mixed, instanceProfile: { ok: true, value: 'ecs-instance' } })).find((c) => c.check === 'on-demand-permissions');
    expect(noRole).toMatchObject({ status: 'fail', detail: expect.stringContaining('has no instanceRole') });
  });

  it('warns about a fallbackGroup the services pinned to the spot provider cannot use', () => {
    const out = shortageChecks(facts({ fallbackGroup: 'od' }, { ok: true, value: [{ service: 'web', providers: ['spot'] }, { service: 'api', providers: ['spot', 'od'] }, { service: 'legacy', providers: [] }] }));
    expect(out).toEqual([expect.objectContaining({ check: 'fallback-pinned', status: 'warn', detail: expect.stringContaining('cannot host service(s) web:'), fix: expect.stringContaining('set onDemandFallback: true on group spot') })]);
  });

  it('reads the launch set-up from the group DescribeAutoScalingGroups returns', () => {
    expect(launchSetup({ AutoScalingGroupName: 'a', AvailabilityZones: ['a', 'b'], MixedInstancesPolicy: { LaunchTemplate: { Overrides: [{ InstanceType: 'm5.large' }, { InstanceType: 'm6i.large' }] }, InstancesDistribution: { SpotAllocationStrategy: 'lowest-price', SpotMaxPrice: '' } } } as never)).toEqual({
      mixed: true, types: 2, azs: 2, spotAllocationStrategy: 'lowest-price', spotMaxPrice: undefined,
    });
    expect(launchSetup({ AvailabilityZones: ['a'], LaunchTemplate: { LaunchTemplateName: 'lt' } } as never)).toMatchObject({ mixed: false, types: 1, azs: 1 });
  });
});
