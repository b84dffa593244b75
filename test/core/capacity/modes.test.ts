import { leaveToEcs, modeOf, withModes, type ProviderSettings } from '../../../src/core/capacity/modes.js';

describe('Function: modeOf (mode detection per capacity provider)', () => {
  test.each<[string, ProviderSettings | undefined, ReturnType<typeof modeOf>]>([
    ['managed scaling on, every field', { name: 'p', managedScaling: { status: 'ENABLED', targetCapacity: 90, minimumScalingStepSize: 2, maximumScalingStepSize: 50, instanceWarmupPeriod: 120 }, managedTerminationProtection: 'ENABLED', managedDraining: 'ENABLED' }, { mode: 'accelerate', targetCapacityPercent: 90, minimumScalingStepSize: 2, maximumScalingStepSize: 50, instanceWarmupSeconds: 120, ecsProtects: true, ecsDrains: true }],
    ['managed scaling on, optional fields missing: AWS defaults', { name: 'p', managedScaling: { status: 'ENABLED' } }, { mode: 'accelerate', targetCapacityPercent: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 10000, instanceWarmupSeconds: 300, ecsProtects: false, ecsDrains: false }],
    ['managed scaling off', { name: 'p', managedScaling: { status: 'DISABLED', targetCapacity: 80 }, managedTerminationProtection: 'DISABLED' }, { mode: 'own', targetCapacityPercent: undefined, minimumScalingStepSize: 1, maximumScalingStepSize: 10000, instanceWarmupSeconds: 300, ecsProtects: false, ecsDrains: false }],
    ['termination protection without managed scaling does not work (ECS): own, ecs-pilot protects', { name: 'p', managedScaling: { status: 'DISABLED' }, managedTerminationProtection: 'ENABLED' }, { mode: 'own', targetCapacityPercent: undefined, minimumScalingStepSize: 1, maximumScalingStepSize: 10000, instanceWarmupSeconds: 300, ecsProtects: false, ecsDrains: false }],
    ['no managedScaling block at all', { name: 'p' }, { mode: 'own', targetCapacityPercent: undefined, minimumScalingStepSize: 1, maximumScalingStepSize: 10000, instanceWarmupSeconds: 300, ecsProtects: false, ecsDrains: false }],
    ['a provider ECS did not describe', undefined, { mode: 'own', targetCapacityPercent: undefined, minimumScalingStepSize: 1, maximumScalingStepSize: 10000, instanceWarmupSeconds: 300, ecsProtects: false, ecsDrains: false }],
  ])('%s', (_name, provider, expected) => {
    expect(modeOf(provider)).toEqual(expected);
  });

  it('a cluster may mix both: each group gets its own mode; accelerate keeps the provider\'s target', () => {
    const groups = [
      { name: 'spot', targetCapacityPercent: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 10000 },
      { name: 'od', targetCapacityPercent: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 10000 },
    ];
    const out = withModes({ groups }, new Map([['spot', { name: 'spot', managedScaling: { status: 'ENABLED', targetCapacity: 80 } }], ['od', { name: 'od', managedScaling: { status: 'DISABLED' } }]]));
    expect(out.groups).toEqual([
      { name: 'spot', mode: 'accelerate', ecsProtects: false, targetCapacityPercent: 80, minimumScalingStepSize: 1, maximumScalingStepSize: 10000 },
      { name: 'od', mode: 'own', targetCapacityPercent: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 10000 },
    ]);
  });
});

describe('Function: leaveToEcs', () => {
  const groups = [
    { asg: 'asg-acc', mode: 'accelerate' as const, ecsProtects: true },
    { asg: 'asg-acc-np', mode: 'accelerate' as const, ecsProtects: false },
    { asg: 'asg-own', mode: 'own' as const },
  ];
  test.each([
    ['a scale-in terminate in accelerate', { kind: 'terminateInstance', asg: 'asg-acc', drainReason: 'scale-in' }, false],
    ['a scale-in drain in accelerate (ecs-pilot drains nothing it does not terminate)', { kind: 'drain', asg: 'asg-acc', drainReason: 'scale-in' }, false],
    ['the terminate of an instance ecs-pilot consolidated, in accelerate (decided above ECS target)', { kind: 'terminateInstance', asg: 'asg-acc', drainReason: 'consolidate' }, true],
    ['a scale-in drain in own', { kind: 'drain', asg: 'asg-own', drainReason: 'scale-in' }, true],
    ['a lower desired capacity in accelerate', { kind: 'setDesiredCapacity', asg: 'asg-acc', desired: 3, previous: 5 }, false],
    ['a raise in accelerate', { kind: 'setDesiredCapacity', asg: 'asg-acc', desired: 7, previous: 5 }, true],
    ['protection under ECS managed termination protection', { kind: 'protectInstances', asg: 'asg-acc' }, false],
    ['protection in accelerate without it', { kind: 'protectInstances', asg: 'asg-acc-np' }, true],
    ['a terminate in own', { kind: 'terminateInstance', asg: 'asg-own' }, true],
    ['a drain (no group)', { kind: 'drain' }, true],
  ])('%s: kept = %s', (_name, action, kept) => {
    const out = leaveToEcs([action], groups);
    expect(out.kept.length === 1).toBe(kept);
    expect(out.left.length === 1).toBe(!kept);
  });
});
