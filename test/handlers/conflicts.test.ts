import { DescribePoliciesCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeCapacityProvidersCommand } from '@aws-sdk/client-ecs';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DUTIES } from '../../src/duties/index.js';
import { SimulatedServiceError } from '../../src/sim/simulated-aws.js';
import { demoSnapshot, mockAws, type MockedAws } from '../support/aws-mocks.js';
import { runCli } from '../support/cli.js';
import { demoConfig, event, invoke } from '../support/handlers.js';

function withSettings(settings: Record<string, object>) {
  const s = demoSnapshot();
  for (const g of s.groups) if (settings[g.name]) g.awsSettings = settings[g.name];
  return s;
}

describe('Conflicting AWS settings in decision records and snapshots', () => {
  let aws: MockedAws | undefined;
  afterEach(() => aws?.restore());

  it('a lifecycle hook on a provider with managed draining ENABLED says so, after acting', async () => {
    aws = mockAws(withSettings({ 'spot-general': { managedDraining: 'ENABLED' } }));
    const record = await invoke(DUTIES.lifecycle, event('events/demo/04-terminate-lifecycle-action.json'));
    expect(record.conflicts).toEqual([expect.stringContaining('capacity provider spot-general has managed draining ENABLED')]);
    expect(aws.ecs).toHaveReceivedCommandWith(DescribeCapacityProvidersCommand, { capacityProviders: ['spot-general', 'ondemand-general', 'gpu-ondemand'] });
    // Only what the lifecycle duty depends on is read.
    expect(aws.autoscaling).not.toHaveReceivedCommand(DescribePoliciesCommand);
    // The decision itself is unchanged.
    expect(record.outcome).not.toBe('failed');
  });

  it('the reconcile loop names the ASG\'s own scaling policies', async () => {
    aws = mockAws(withSettings({ 'ondemand-general': { scalingPolicies: ['cpu-target-50'] } }));
    const record = await invoke(DUTIES.reconcile, event('events/demo/07-reconcile-tick.json'));
    expect(record.conflicts).toEqual([expect.stringContaining('ASG ecs-pilot-demo-ondemand-general has its own scaling policies (cpu-target-50)')]);
    expect(aws.autoscaling).toHaveReceivedCommandWith(DescribePoliciesCommand, { AutoScalingGroupName: 'ecs-pilot-demo-ondemand-general', MaxRecords: 100 });
  });

  it('a rebalance recommendation on a prescale group with Capacity Rebalancing on says so', async () => {
    aws = mockAws(withSettings({ 'spot-general': { capacityRebalance: true } }));
    const config = demoConfig();
    config.clusters[0]!.groups.find((g) => g.name === 'spot-general')!.rebalance = 'prescale';
    const record = await invoke(DUTIES.rebalance, event('events/demo/06-rebalance-recommendation.json'), { config });
    expect(record.conflicts).toEqual([expect.stringContaining('has Capacity Rebalancing on and rebalance: prescale')]);
  });

  it('no conflicting setting: no conflicts field', async () => {
    aws = mockAws();
    const record = await invoke(DUTIES.reconcile, event('events/demo/07-reconcile-tick.json'));
    expect(record.conflicts).toBeUndefined();
  });

  it('a settings read AWS refuses is said in the record, and the decision stands', async () => {
    aws = mockAws(withSettings({ 'spot-general': { managedDraining: 'ENABLED' } }));
    aws.sim.failNext('DescribeCapacityProviders', new SimulatedServiceError('AccessDenied', 'not authorized to perform ecs:DescribeCapacityProviders'));
    const record = await invoke(DUTIES.lifecycle, event('events/demo/04-terminate-lifecycle-action.json'));
    expect(record.conflicts).toEqual(['could not check managedDraining: AccessDenied: not authorized to perform ecs:DescribeCapacityProviders']);
    expect(record.outcome).not.toBe('failed');
  });

  it('ecs-pilot snapshot writes them into the snapshot and warns', async () => {
    aws = mockAws(withSettings({ 'gpu-ondemand': { managedDraining: 'ENABLED' } }));
    const dir = mkdtempSync(join(tmpdir(), 'snap-'));
    const r = await runCli('snapshot', '--cluster', 'demo', '--out', join(dir, 'demo.json'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('warning: capacity provider gpu-ondemand has managed draining ENABLED');
    const written = JSON.parse(readFileSync(join(dir, 'demo.json'), 'utf8'));
    expect(written.conflicts).toEqual([{ group: 'gpu-ondemand', setting: 'managedDraining', message: expect.stringContaining('set it DISABLED') }]);
  });
});
