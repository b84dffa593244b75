import { GroupConfigSchema } from '../../src/config/schema.js';
import { findConflicts, type GroupSettings } from '../../src/core/conflicts.js';

const cluster = { groups: [GroupConfigSchema.parse({ name: 'spot', asg: 'asg-spot', rebalance: 'prescale' }), GroupConfigSchema.parse({ name: 'od', asg: 'asg-od' })] };
const settings = (over: Partial<GroupSettings> = {}): GroupSettings => ({ group: 'spot', asg: 'asg-spot', managedDraining: 'DISABLED', capacityRebalance: false, scalingPolicies: [], ...over });

describe('Function: findConflicts', () => {
  it.each([
    ['nothing set', settings(), []],
    ['managed draining ENABLED', settings({ managedDraining: 'ENABLED' }), ['managedDraining']],
    ['Capacity Rebalancing with prescale', settings({ capacityRebalance: true }), ['capacityRebalance']],
    ['Capacity Rebalancing with drain', settings({ group: 'od', asg: 'asg-od', capacityRebalance: true }), []],
    ['an enabled scaling policy', settings({ scalingPolicies: [{ name: 'cpu-target', enabled: true }] }), ['scalingPolicies']],
    ['a disabled scaling policy', settings({ scalingPolicies: [{ name: 'cpu-target', enabled: false }] }), []],
    ['ECS managed scaling\'s own target tracking policy', settings({ scalingPolicies: [{ name: 'ECSManagedAutoScalingPolicy-1', enabled: true, ecsManaged: true }] }), []],
    ['a provider not found', settings({ managedDraining: undefined }), []],
  ])('%s', (_name, s, expected) => {
    expect(findConflicts(cluster, [s]).map((c) => c.setting)).toEqual(expected);
  });

  it('says what to change', () => {
    expect(findConflicts(cluster, [settings({ scalingPolicies: [{ name: 'cpu-target', enabled: true }] })])[0]?.message).toBe(
      'ASG asg-spot has its own scaling policies (cpu-target): they change the desired capacity ecs-pilot sets; delete or disable them',
    );
  });
});
