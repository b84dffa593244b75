/**
 * Which mode ecs-pilot runs in for a capacity provider, from what DescribeCapacityProviders says of it
 * (docs/controller.md, "Two modes"). Detected, never assumed:
 * - `accelerate` — managed scaling ENABLED: ECS scales the group and tasks wait in PROVISIONING;
 *   ecs-pilot sizes that demand at once, uses the provider's targetCapacity, never lowers a desired
 *   capacity ECS set, and leaves instance protection to ECS when managed termination protection is on;
 * - `own` — managed scaling DISABLED (or the provider unknown): tasks that find no room fail, ecs-pilot
 *   owns the group's scaling from service deficits, placement failures and failed RunTask calls.
 */
export type ScalingMode = 'own' | 'accelerate';

/** What ECS reports of a capacity provider (undefined: the field was absent from the answer). */
export interface ProviderSettings {
  name: string;
  managedScaling?: { status?: string | undefined; targetCapacity?: number | undefined; minimumScalingStepSize?: number | undefined; maximumScalingStepSize?: number | undefined; instanceWarmupPeriod?: number | undefined } | undefined;
  managedTerminationProtection?: string | undefined;
  managedDraining?: string | undefined;
}

export interface ProviderMode {
  mode: ScalingMode;
  /** The target the plan must keep: the provider's with managed scaling on (AWS default 100), else the group's own. */
  targetCapacityPercent: number | undefined;
  minimumScalingStepSize: number;
  maximumScalingStepSize: number;
  instanceWarmupSeconds: number;
  /** ECS protects instances running tasks itself: ecs-pilot leaves protection alone. */
  ecsProtects: boolean;
  /** ECS drains instances the ASG terminates itself (managed draining). */
  ecsDrains: boolean;
}

/** AWS's defaults when a field is omitted (ECS API reference, ManagedScaling). */
export const MANAGED_SCALING_DEFAULTS = { targetCapacity: 100, minimumScalingStepSize: 1, maximumScalingStepSize: 10_000, instanceWarmupPeriod: 300 } as const;

/** The mode and settings ecs-pilot uses for one provider; a provider ECS did not describe is `own`. */
export function modeOf(provider: ProviderSettings | undefined): ProviderMode {
  const ms = provider?.managedScaling;
  const on = ms?.status === 'ENABLED';
  return {
    mode: on ? 'accelerate' : 'own',
    targetCapacityPercent: on ? (ms?.targetCapacity ?? MANAGED_SCALING_DEFAULTS.targetCapacity) : undefined,
    minimumScalingStepSize: ms?.minimumScalingStepSize ?? MANAGED_SCALING_DEFAULTS.minimumScalingStepSize,
    maximumScalingStepSize: ms?.maximumScalingStepSize ?? MANAGED_SCALING_DEFAULTS.maximumScalingStepSize,
    instanceWarmupSeconds: ms?.instanceWarmupPeriod ?? MANAGED_SCALING_DEFAULTS.instanceWarmupPeriod,
    // Managed termination protection only works with managed scaling on (ECS Developer Guide).
    ecsProtects: on && provider?.managedTerminationProtection === 'ENABLED',
    ecsDrains: provider?.managedDraining === 'ENABLED',
  };
}

/**
 * The snapshot with each group's detected mode; in `accelerate` the plan keeps the provider's
 * targetCapacity and step sizes (ECS's settings win over ecs-pilot's config for a group ECS scales).
 */
export function withModes<S extends { groups: Array<{ name: string; mode?: ScalingMode | undefined; ecsProtects?: boolean | undefined; targetCapacityPercent: number; minimumScalingStepSize: number; maximumScalingStepSize: number }> }>(
  snapshot: S,
  providers: ReadonlyMap<string, ProviderSettings | undefined>,
): S {
  return {
    ...snapshot,
    groups: snapshot.groups.map((g) => {
      const m = modeOf(providers.get(g.name));
      if (m.mode === 'own') return { ...g, mode: m.mode };
      return { ...g, mode: m.mode, ecsProtects: m.ecsProtects, targetCapacityPercent: m.targetCapacityPercent ?? g.targetCapacityPercent, minimumScalingStepSize: m.minimumScalingStepSize, maximumScalingStepSize: m.maximumScalingStepSize };
    }),
  };
}

/**
 * What ecs-pilot leaves to ECS in an `accelerate` group: it never lowers a desired capacity ECS set —
 * no idle scale-in (neither its drain nor its terminate: ecs-pilot drains nothing it does not
 * terminate itself, so no instance waits DRAINING for ECS's scale-in), no lower SetDesiredCapacity —
 * and leaves instance protection to ECS when managed termination protection is on. What it takes back
 * is only its own: the +1 of a reclaimed spot instance it replaced, and the instances it drained itself
 * (consolidation, replace, prescale), both only above ECS's target (src/core/drain/replaced.ts,
 * src/core/reconcile/reconcile.ts). Returns the actions kept and, for the record, what was left to ECS.
 */
export function leaveToEcs<A extends { kind: string; asg?: string | undefined; desired?: number; previous?: number; drainReason?: string | undefined }>(
  actions: readonly A[],
  groups: ReadonlyArray<{ asg: string; mode?: ScalingMode | undefined; ecsProtects?: boolean | undefined }>,
): { kept: A[]; left: string[] } {
  const byAsg = new Map(groups.map((g) => [g.asg, g]));
  const kept: A[] = [];
  const left: string[] = [];
  for (const a of actions) {
    const g = a.asg !== undefined ? byAsg.get(a.asg) : undefined;
    const accelerate = g?.mode === 'accelerate';
    // terminateReplacedInstance and the terminations of ecs-pilot's own drains are not among them: they
    // undo ecs-pilot's own moves and are decided only above ECS's target.
    const scaleIn = (a.kind === 'terminateInstance' || a.kind === 'drain') && a.drainReason === 'scale-in';
    const lowers = scaleIn || (a.kind === 'setDesiredCapacity' && (a.desired ?? 0) < (a.previous ?? 0));
    if (accelerate && lowers) left.push(`${a.kind} on ${a.asg} (accelerate: ECS scales in)`);
    else if (accelerate && g?.ecsProtects && a.kind === 'protectInstances') left.push(`protectInstances on ${a.asg} (ECS's managed termination protection)`);
    else kept.push(a);
  }
  return { kept, left };
}

/** The groups' modes for a decision's reason, e.g. "mode: general own, spot accelerate"; empty when not read. */
export function modesOf(groups: ReadonlyArray<{ name: string; mode?: ScalingMode | undefined }>): string {
  const read = groups.filter((g) => g.mode !== undefined);
  return read.length === 0 ? '' : `mode: ${read.map((g) => `${g.name} ${g.mode}`).join(', ')}`;
}
