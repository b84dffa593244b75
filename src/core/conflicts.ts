/**
 * AWS settings that fight ecs-pilot (docs/controller.md, "Settings ecs-pilot needs"):
 * - a capacity provider with managed draining ENABLED (the default for providers created since
 *   2024): ECS adds its own terminate hook and drains too, racing ecs-pilot's hook;
 * - ASG Capacity Rebalancing on a group whose `rebalance` is `prescale`: the ASG launches its own
 *   replacement on a rebalance recommendation, ecs-pilot another — two replacements;
 * - the ASG's own scaling policies: they set the desired capacity ecs-pilot sets. ECS managed scaling's
 *   own target tracking policy (on CapacityProviderReservation) is no conflict: in accelerate mode it is
 *   the backstop ecs-pilot works with, and ECS removes it when managed scaling is turned off.
 * Pure: the settings are read by src/aws/group-settings.ts.
 */
import type { ClusterConfig } from './config-schema.js';

export interface GroupSettings {
  /** The capacity provider (group) name. */
  group: string;
  asg: string;
  /** The capacity provider's managedDraining; undefined when the provider was not found. */
  managedDraining: string | undefined;
  capacityRebalance: boolean;
  /** Names of the ASG's scaling policies (enabled or not: AWS runs the enabled ones); `ecsManaged`: the one ECS managed scaling keeps. */
  scalingPolicies: Array<{ name: string; enabled: boolean; ecsManaged?: boolean }>;
}

export type ConflictSetting = 'managedDraining' | 'capacityRebalance' | 'scalingPolicies';

export interface Conflict {
  group: string;
  setting: ConflictSetting;
  message: string;
}

export function findConflicts(cluster: Pick<ClusterConfig, 'groups'>, settings: readonly GroupSettings[]): Conflict[] {
  const out: Conflict[] = [];
  for (const s of settings) {
    const config = cluster.groups.find((g) => g.name === s.group);
    if (s.managedDraining === 'ENABLED') {
      out.push({ group: s.group, setting: 'managedDraining', message: `capacity provider ${s.group} has managed draining ENABLED: ECS adds its own terminate hook and drains too; set it DISABLED` });
    }
    if (s.capacityRebalance && config?.rebalance === 'prescale') {
      out.push({ group: s.group, setting: 'capacityRebalance', message: `ASG ${s.asg} has Capacity Rebalancing on and rebalance: prescale: the ASG and ecs-pilot each launch a replacement; turn one off` });
    }
    const enabled = s.scalingPolicies.filter((p) => p.enabled && p.ecsManaged !== true);
    if (enabled.length > 0) {
      out.push({ group: s.group, setting: 'scalingPolicies', message: `ASG ${s.asg} has its own scaling policies (${enabled.map((p) => p.name).join(', ')}): they change the desired capacity ecs-pilot sets; delete or disable them` });
    }
  }
  return out;
}
