/**
 * The controller config (`ecs-pilot.yml`, docs/config.md). Unknown fields are rejected so a typo
 * fails at start with its path instead of silently doing nothing.
 */
import { z } from 'zod';

const seconds = z.number().int().positive();

export const GroupConfigSchema = z.strictObject({
  /** The capacity provider's name (tasks name it in their capacity provider strategy). */
  name: z.string().min(1),
  /** The Auto Scaling group behind it. */
  asg: z.string().min(1),
  lifecycle: z.enum(['spot', 'on-demand']).default('on-demand'),
  /** Where replacements go when this group cannot take them (at max, or no type fits). */
  fallbackGroup: z.string().min(1).optional(),
  /** What a rebalance recommendation does: drain now, launch the replacement first, or nothing. */
  rebalance: z.enum(['drain', 'prescale', 'ignore']).default('drain'),
  /** Name of the ASG's terminate lifecycle hook that ecs-pilot completes. */
  lifecycleHookName: z.string().min(1).default('ecs-pilot-drain'),
  /** How long a terminating instance may drain before `drainTimeoutResult` is sent. */
  drainTimeoutSeconds: seconds.max(172800).default(900),
  drainTimeoutResult: z.enum(['CONTINUE', 'ABANDON']).default('CONTINUE'),
  /** How long an ACTIVE instance stays empty before it is drained and terminated. */
  scaleInDelaySeconds: seconds.default(300),
  /** Keep ECS managed-scaling-like headroom: units in use / desired. */
  targetCapacityPercent: z.number().int().min(1).max(100).default(100),
  /** Per-type overrides (spot price, weight) when the ASG's own are not wanted. */
  prices: z.record(z.string(), z.number().nonnegative()).default({}),
});

export const ClusterConfigSchema = z.strictObject({
  name: z.string().min(1),
  groups: z.array(GroupConfigSchema).min(1),
  /** Services scheduled as DAEMON: their tasks run everywhere and keep no instance from scale-in. */
  daemonServices: z.array(z.string().min(1)).default([]),
});

export const ControllerConfigSchema = z
  .strictObject({
    /** Decide and log, send no write call. */
    dryRun: z.boolean().default(false),
    region: z.string().min(1).optional(),
    clusters: z.array(ClusterConfigSchema).min(1),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.clusters.forEach((cluster, ci) => {
      const names = new Set(cluster.groups.map((g) => g.name));
      cluster.groups.forEach((g, gi) => {
        if (seen.has(g.asg)) ctx.addIssue({ code: 'custom', message: `ASG "${g.asg}" is configured twice`, path: ['clusters', ci, 'groups', gi, 'asg'] });
        seen.add(g.asg);
        if (g.fallbackGroup !== undefined && (!names.has(g.fallbackGroup) || g.fallbackGroup === g.name)) {
          ctx.addIssue({
            code: 'custom',
            message: `fallbackGroup "${g.fallbackGroup}" must name another group of cluster ${cluster.name}`,
            path: ['clusters', ci, 'groups', gi, 'fallbackGroup'],
          });
        }
      });
    });
  });

export type ControllerConfig = z.infer<typeof ControllerConfigSchema>;
export type ClusterConfig = z.infer<typeof ClusterConfigSchema>;
export type GroupConfig = z.infer<typeof GroupConfigSchema>;
