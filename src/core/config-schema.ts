/**
 * The controller config (`ecs-pilot.yml`, docs/config.md). Unknown fields are rejected so a typo
 * fails at start with its path instead of silently doing nothing.
 */
import { z } from 'zod';
import { isTimeZone, parseSchedule, ScheduleError } from './batch/schedule.js';

const seconds = z.number().int().positive();

export const GroupConfigSchema = z.strictObject({
  /** The capacity provider's name (tasks name it in their capacity provider strategy). */
  name: z.string().min(1),
  /** The Auto Scaling group behind it. */
  asg: z.string().min(1),
  lifecycle: z.enum(['spot', 'on-demand']).default('on-demand'),
  /** Where replacements go when this group cannot take them (at max, or no type fits). */
  fallbackGroup: z.string().min(1).optional(),
  /**
   * A spot group with a mixed instances policy: when its spot launches fail, its waiting units launch
   * on-demand in the same group (its on-demand base raised by exactly those units), so tasks whose
   * capacity provider strategy names only this group still get capacity; lowered back in steps once
   * spot launches again (docs/capacity-shortage.md).
   */
  onDemandFallback: z.boolean().default(false),
  /**
   * With `onDemandFallback`, when the launch template names an instance profile: the IAM role in it.
   * UpdateAutoScalingGroup on a launch-template group is authorised as launching its instances
   * (ec2:RunInstances, and passing this role): the deployment may pass this role only, only to EC2.
   */
  instanceRole: z.string().startsWith('arn:').optional(),
  /** What a rebalance recommendation does: drain now, launch the replacement first, or nothing. */
  rebalance: z.enum(['drain', 'prescale', 'ignore']).default('drain'),
  /** Name of the ASG's terminate lifecycle hook that ecs-pilot completes. */
  lifecycleHookName: z.string().min(1).default('ecs-pilot-drain'),
  /** How long a terminating instance may drain before `drainTimeoutResult` is sent. */
  drainTimeoutSeconds: seconds.max(172800).default(900),
  drainTimeoutResult: z.enum(['CONTINUE', 'ABANDON']).default('CONTINUE'),
  /** How long an ACTIVE instance stays empty before it is drained and terminated. */
  scaleInDelaySeconds: seconds.default(300),
  /**
   * An instance InService in the ASG but not registered with ECS this long after its launch stops
   * counting as capacity and is replaced (issue 20). 15: Karpenter's and Cluster Autoscaler's; AWS
   * publishes no boot figure.
   */
  registrationTimeoutMinutes: z.number().positive().max(1440).default(15),
  /** Keep ECS managed-scaling-like headroom: units in use / desired. */
  targetCapacityPercent: z.number().int().min(1).max(100).default(100),
  /** Per-type overrides (spot price, weight) when the ASG's own are not wanted. */
  prices: z.record(z.string(), z.number().nonnegative()).default({}),
  /** The types the ASG launches, when its launch set-up should not be read (or cannot say). */
  instanceTypes: z.array(z.strictObject({ type: z.string().min(1), weight: z.number().int().positive().default(1) })).min(1).optional(),
});

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');
const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;

/** Consolidation (docs/consolidation.md): drain under-used instances whose tasks fit elsewhere. */
export const ConsolidationSchema = z
  .strictObject({
    /** Consolidation runs in the reconcile loop only when this is true (`plan --consolidate` shows it either way). */
    enabled: z.boolean().default(false),
    /** Disruption budget per group: instances draining at once, as a share of the group … */
    maxDrainingPercent: z.number().min(1).max(100).default(10),
    /** … or as a count (the smaller of the two wins when both are set). */
    maxDraining: z.number().int().min(1).optional(),
    /** When consolidation may run; none: any time. `to` before `from` spans midnight. */
    windows: z
      .array(
        z.strictObject({
          /** Start, `HH:MM`. */
          from: HHMM,
          /** End, `HH:MM`. */
          to: HHMM,
          /** The days the window opens on. */
          days: z.array(z.enum(DAYS)).default([...DAYS]),
          /** The IANA time zone of `from` and `to`. */
          timezone: z.string().default('UTC'),
        }),
      )
      .default([]),
    /** Instances running standalone tasks (batch attempts) are left alone unless this is true. */
    drainStandaloneTasks: z.boolean().default(false),
    /** Services whose instances are never consolidated. */
    optOutServices: z.array(z.string().min(1)).default([]),
    /** Candidates tried per tick across the cluster (each is one placement plan): bounds the tick on large clusters. */
    maxCandidatesPerTick: z.number().int().min(1).default(25),
    /** Replace under-used instances by fewer or cheaper new ones, when prices show this saving. */
    replace: z
      .strictObject({
        /** Replacement is tried only when this is true. */
        enabled: z.boolean().default(false),
        /** The saving per hour a replacement must bring, in percent of the instances it replaces. */
        minSavingPercent: z.number().min(1).max(90).default(20),
      })
      .prefault({}),
  })
  .prefault({});

export const ClusterConfigSchema = z.strictObject({
  /** The ECS cluster's name. */
  name: z.string().min(1),
  /** Its EC2 capacity providers, each with its Auto Scaling group. */
  groups: z.array(GroupConfigSchema).min(1),
  consolidation: ConsolidationSchema,
  /** Per-service deployment settings ecs-pilot must respect when it moves tasks (ECS defaults otherwise). */
  services: z
    .record(z.string(), z.strictObject({ minimumHealthyPercent: z.number().int().min(0).max(100).default(100), maximumPercent: z.number().int().min(100).max(400).default(200) }))
    .default({}),
  /** Services scheduled as DAEMON: their tasks run everywhere and keep no instance from scale-in. */
  daemonServices: z.array(z.string().min(1)).default([]),
  /**
   * Room each spot group keeps on its instances for the tasks of this many of its busiest instances
   * (docs/controller.md, "Spot spare room"): a spot warning launches capacity at once only when the
   * room would fall below it, and consolidation drains nothing below it. 0: none kept, every warning
   * launches its instance's replacement.
   */
  spotSpareInstances: z.number().int().min(0).max(100).default(3),
});

/** A retry rule, AWS Batch's `evaluateOnExit`: patterns match exactly, or by prefix with a trailing `*`. */
export const RetryRuleSchema = z
  .strictObject({
    /** The exit code of an essential container: digits, `2*` (prefix) or `*`. */
    onExitCode: z.string().regex(/^(\d+\*?|\*)$/, 'digits, optionally ending in *, or *').optional(),
    /** ECS's stop code (`SpotInterruption`, `EssentialContainerExited`, …), exact or a prefix with `*`. */
    onStopCode: z.string().min(1).optional(),
    /** The stopped reason, exact or a prefix with `*` (e.g. `ecs-pilot: attempt timed out*`). */
    onReason: z.string().min(1).max(512).optional(),
    /** What the first matching rule does: retry (while attempts remain) or end the run. */
    action: z.enum(['RETRY', 'EXIT']),
  })
  .refine((r) => r.onExitCode !== undefined || r.onStopCode !== undefined || r.onReason !== undefined, { message: 'a rule needs onExitCode, onStopCode or onReason' });

export const JobSchema = z
  .strictObject({
    /** The job's name (letters, digits, `_`, `-`; at most 48): `jobs run <name>`, `startedBy`, tags. */
    name: z.string().regex(/^[A-Za-z0-9_-]{1,48}$/, 'letters, digits, _ and -, at most 48'),
    /** `cron(Minutes Hours Day-of-month Month Day-of-week Year)` or `rate(N unit)`. */
    schedule: z.string().min(1),
    /** The IANA time zone the cron is read in (daylight saving followed). */
    timezone: z.string().default('UTC'),
    /** When the schedule starts (ISO); `rate(...)` runs count from it. */
    startDate: z.iso.datetime({ offset: true }).optional(),
    /** A configured cluster the job runs on. */
    cluster: z.string().min(1),
    /** Family, family:revision or ARN. */
    taskDefinition: z.string().min(1),
    /** Per container of the task definition: its command and environment for the job's runs. */
    containerOverrides: z
      .array(
        z.strictObject({
          /** The container's name in the task definition. */
          name: z.string().min(1),
          /** Replaces the container's command. */
          command: z.array(z.string()).optional(),
          /** Added to the container's environment. */
          environment: z.record(z.string(), z.string()).optional(),
        }),
      )
      .default([]),
    /** Tasks per attempt (RunTask's count). */
    count: z.number().int().min(1).max(10).default(1),
    /** Tried in order: the first provider, then the next when RunTask finds no capacity or a spot attempt was interrupted. */
    capacityProviders: z.array(z.string().min(1)).min(1),
    /** The awsvpc network configuration RunTask needs for a task definition in `awsvpc` mode. */
    network: z
      .strictObject({
        /** Subnets the tasks' ENIs go in. */
        subnets: z.array(z.string().min(1)).min(1).max(16),
        /** Security groups of the tasks' ENIs (the VPC's default when none). */
        securityGroups: z.array(z.string().min(1)).max(5).default([]),
        /** Give the tasks' ENIs a public IP. */
        assignPublicIp: z.boolean().default(false),
      })
      .optional(),
    /** Retries, as AWS Batch's retry strategy: attempts, rules on exit, backoff, spot fallback. */
    retryStrategy: z
      .strictObject({
        /** Attempts in all, the first included. */
        attempts: z.number().int().min(1).max(10).default(1),
        /** Up to 5 rules; the first that matches decides. Without one: all essential containers exited 0 succeeds, anything else is retried. */
        evaluateOnExit: z.array(RetryRuleSchema).max(5).default([]),
        /** Wait before the next attempt (started by the reconcile loop; ECS keeps stopped tasks an hour). */
        backoffSeconds: z.number().int().min(0).max(1800).default(0),
        /** After a spot interruption, retry on the next capacity provider (e.g. on-demand). */
        spotFallback: z.boolean().default(true),
      })
      .prefault({}),
    /** An attempt running longer is stopped (reason "ecs-pilot: attempt timed out …", which rules can match). */
    timeoutSeconds: z.number().int().min(60).max(14 * 86400).optional(),
    /** A run while one is active: `Allow` (overlap), `Forbid` (skip the new one), `Replace` (stop the active one, then start). */
    concurrencyPolicy: z.enum(['Allow', 'Forbid', 'Replace']).default('Allow'),
    /** A run that could not start within this many seconds of its scheduled time is skipped. */
    startingDeadlineSeconds: z.number().int().min(0).optional(),
    /** Schedules disabled and skipped; `jobs run` still starts a run. */
    suspend: z.boolean().default(false),
    /**
     * Required to deploy (`[]` when the task definition names no role; the CLI alone accepts a job
     * without it, `ecs-pilot validate` and packaging do not): the ARNs of the task definition's task
     * role and execution role, the only roles the deployment may pass to ECS (iam:PassRole).
     */
    passRoles: z.array(z.string().startsWith('arn:')).default([]),
  })
  .superRefine((j, ctx) => {
    if (!isTimeZone(j.timezone)) ctx.addIssue({ code: 'custom', message: `unknown time zone "${j.timezone}"`, path: ['timezone'] });
    else {
      try {
        parseSchedule(j.schedule, j.timezone);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: e instanceof ScheduleError ? e.message : String(e), path: ['schedule'] });
      }
    }
  });

/** A step: applies when (metric value − threshold) is in [lower, upper). Exactly one of add / addPercent / set. */
export const ScalingStepSchema = z
  .strictObject({
    /** The step applies from (metric value − threshold) ≥ lower; none: no lower bound. */
    lower: z.number().optional(),
    /** … up to below upper; none: no upper bound. */
    upper: z.number().optional(),
    /** Tasks added (negative: removed). */
    add: z.number().int().optional(),
    /** Desired count changed by this percentage (at least one task). */
    addPercent: z.number().optional(),
    /** Desired count set to this. */
    set: z.number().int().nonnegative().optional(),
  })
  .refine((s) => [s.add, s.addPercent, s.set].filter((v) => v !== undefined).length === 1, { message: 'a step needs exactly one of add, addPercent, set' })
  .refine((s) => s.lower === undefined || s.upper === undefined || s.lower < s.upper, { message: 'lower must be below upper', path: ['lower'] });

/** Service scaling (docs/service-scaling.md): alarm steps and scheduled bounds for one ECS service. */
export const ServiceScalingSchema = z
  .strictObject({
    /** A configured cluster. */
    cluster: z.string().min(1),
    /** The ECS service whose desired count the rule changes. */
    service: z.string().min(1),
    /** The desired count never goes below this (schedules may change it). */
    minTasks: z.number().int().nonnegative(),
    /** … nor above this. */
    maxTasks: z.number().int().positive(),
    /** After a change, the next step waits this long. */
    cooldownSeconds: z.number().int().nonnegative().default(300),
    /** Where its new tasks run, for the capacity raised with them (default: the service's own strategy). */
    capacityProvider: z.string().min(1).optional(),
    /** CloudWatch alarms whose state changes step the desired count (`doctor --aws` checks they exist). */
    alarms: z
      .array(
        z.strictObject({
          /** The alarm's name (one rule per alarm). */
          alarm: z.string().min(1),
          /** Applied when the alarm goes to ALARM, and again after each cooldown while it stays there. */
          steps: z.array(ScalingStepSchema).min(1),
          /** Scale-in while the alarm is OK (e.g. `[{ add: -1 }]`): on the OK transition and after each cooldown. */
          okSteps: z.array(ScalingStepSchema).min(1).optional(),
        }),
      )
      .default([]),
    /** Scheduled bounds: from each schedule's time on, its minTasks / maxTasks / desired apply. */
    schedules: z
      .array(
        z
          .strictObject({
            /** `cron(…)` or `rate(…)`, AWS's syntax. */
            schedule: z.string().min(1),
            /** The IANA time zone the cron is read in. */
            timezone: z.string().default('UTC'),
            /** The new lower bound. */
            minTasks: z.number().int().nonnegative().optional(),
            /** The new upper bound. */
            maxTasks: z.number().int().positive().optional(),
            /** The desired count set at that time. */
            desired: z.number().int().nonnegative().optional(),
          })
          .superRefine((r, ctx) => {
            if (!isTimeZone(r.timezone)) ctx.addIssue({ code: 'custom', message: `unknown time zone "${r.timezone}"`, path: ['timezone'] });
            else {
              try {
                parseSchedule(r.schedule, r.timezone);
              } catch (e) {
                ctx.addIssue({ code: 'custom', message: e instanceof ScheduleError ? e.message : String(e), path: ['schedule'] });
              }
            }
            if (r.minTasks === undefined && r.maxTasks === undefined && r.desired === undefined) ctx.addIssue({ code: 'custom', message: 'a schedule needs minTasks, maxTasks or desired' });
          }),
      )
      .default([]),
  })
  .refine((r) => r.minTasks <= r.maxTasks, { message: 'minTasks must not exceed maxTasks', path: ['minTasks'] });

/**
 * ecs-pilot's share of ECS's per-account read bucket (ListTasks, DescribeTasks, List/Describe
 * ContainerInstances; docs/api-budget.md). AWS publishes the bucket's shape, not these figures per
 * action: the defaults are a burst of 100 and a refill of 20/s, and ecs-pilot takes half.
 */
export const ApiBudgetSchema = z
  .strictObject({
    /** The share of the bucket ecs-pilot may take. */
    ecsReadShare: z.number().gt(0).max(1).default(0.5),
    /** The bucket's size, as assumed. */
    ecsReadBurst: z.number().int().positive().default(100),
    /** Its refill per second, as assumed. */
    ecsReadRefillPerSecond: z.number().positive().default(20),
  })
  .prefault({});

/**
 * The cluster-state store (docs/state.md): how often it is made whole by a full read of the APIs, and
 * how soon after a missed event. The table itself is the deployment's (ECS_PILOT_STATE_TABLE).
 */
export const StateStoreSchema = z
  .strictObject({
    /** A full read (ListTasks, DescribeTasks, List/DescribeContainerInstances) per cluster at least this often. */
    resyncMinutes: z.number().int().min(5).max(1440).default(60),
    /** After an event was missed (a version skipped), a full read once this long has passed since the last one. */
    gapResyncMinutes: z.number().int().min(1).max(1440).default(10),
  })
  .prefault({});

/** The duties, each by the one name its function, its decision records (`duty`) and `shadow` use. */
export const DUTY_NAMES = ['spot', 'rebalance', 'lifecycle', 'capacity', 'reconcile', 'batch', 'scaling'] as const;

/** Names `shadow` took before the duty names were spelled one way; still accepted, as their duty. */
export const LEGACY_DUTY_NAMES: Readonly<Record<string, (typeof DUTY_NAMES)[number]>> = { 'spot-interruption': 'spot', 'rebalance-recommendation': 'rebalance', 'service-scaling': 'scaling' };

export const ControllerConfigSchema = z
  .strictObject({
    /** Decide and log, send no write call (every duty). */
    dryRun: z.boolean().default(false),
    /** Duties in shadow mode: they decide and record as usual but send no write call; the others act. */
    shadow: z.array(z.preprocess((name) => (typeof name === 'string' ? (LEGACY_DUTY_NAMES[name] ?? name) : name), z.enum(DUTY_NAMES))).default([]),
    /** The clusters' Region; none: the Lambda's (the CLI's: --region, then AWS_REGION). Also the deploy region (docs/deploy.md). */
    region: z.string().min(1).optional(),
    /** The ECS clusters ecs-pilot manages. */
    clusters: z.array(ClusterConfigSchema).min(1),
    /** Batch jobs (docs/batch-jobs.md). */
    jobs: z.array(JobSchema).default([]),
    /** Step and scheduled scaling of services' desired counts (docs/service-scaling.md). */
    serviceScaling: z.array(ServiceScalingSchema).default([]),
    apiBudget: ApiBudgetSchema,
    stateStore: StateStoreSchema,
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.clusters.forEach((cluster, ci) => {
      const names = new Set(cluster.groups.map((g) => g.name));
      cluster.groups.forEach((g, gi) => {
        if (seen.has(g.asg)) ctx.addIssue({ code: 'custom', message: `ASG "${g.asg}" is configured twice`, path: ['clusters', ci, 'groups', gi, 'asg'] });
        seen.add(g.asg);
        if (g.instanceRole !== undefined && !g.onDemandFallback) {
          ctx.addIssue({ code: 'custom', message: 'instanceRole is used only with onDemandFallback', path: ['clusters', ci, 'groups', gi, 'instanceRole'] });
        }
        if (g.onDemandFallback && g.lifecycle !== 'spot') {
          ctx.addIssue({ code: 'custom', message: 'onDemandFallback applies to spot groups (lifecycle: spot) with a mixed instances policy', path: ['clusters', ci, 'groups', gi, 'onDemandFallback'] });
        }
        if (g.fallbackGroup !== undefined && (!names.has(g.fallbackGroup) || g.fallbackGroup === g.name)) {
          ctx.addIssue({
            code: 'custom',
            message: `fallbackGroup "${g.fallbackGroup}" must name another group of cluster ${cluster.name}`,
            path: ['clusters', ci, 'groups', gi, 'fallbackGroup'],
          });
        }
      });
    });
    const alarms = new Set<string>();
    c.serviceScaling.forEach((r, ri) => {
      const cluster = c.clusters.find((x) => x.name === r.cluster);
      if (!cluster) ctx.addIssue({ code: 'custom', message: `cluster "${r.cluster}" is not configured`, path: ['serviceScaling', ri, 'cluster'] });
      if (r.capacityProvider !== undefined && cluster && !cluster.groups.some((g) => g.name === r.capacityProvider)) {
        ctx.addIssue({ code: 'custom', message: `capacity provider "${r.capacityProvider}" is not a group of cluster ${r.cluster}`, path: ['serviceScaling', ri, 'capacityProvider'] });
      }
      r.alarms.forEach((a, ai) => {
        if (alarms.has(a.alarm)) ctx.addIssue({ code: 'custom', message: `alarm "${a.alarm}" drives two rules`, path: ['serviceScaling', ri, 'alarms', ai, 'alarm'] });
        alarms.add(a.alarm);
      });
    });
    const jobNames = new Set<string>();
    c.jobs.forEach((j, ji) => {
      if (jobNames.has(j.name)) ctx.addIssue({ code: 'custom', message: `job "${j.name}" is configured twice`, path: ['jobs', ji, 'name'] });
      jobNames.add(j.name);
      const cluster = c.clusters.find((x) => x.name === j.cluster);
      if (!cluster) {
        ctx.addIssue({ code: 'custom', message: `cluster "${j.cluster}" is not configured`, path: ['jobs', ji, 'cluster'] });
        return;
      }
      j.capacityProviders.forEach((p, pi) => {
        if (!cluster.groups.some((g) => g.name === p)) {
          ctx.addIssue({ code: 'custom', message: `capacity provider "${p}" is not a group of cluster ${cluster.name}`, path: ['jobs', ji, 'capacityProviders', pi] });
        }
      });
    });
  });

export type ControllerConfig = z.infer<typeof ControllerConfigSchema>;
export type ClusterConfig = z.infer<typeof ClusterConfigSchema>;
export type GroupConfig = z.infer<typeof GroupConfigSchema>;
export type JobConfig = z.infer<typeof JobSchema>;
export type ConsolidationConfig = z.infer<typeof ConsolidationSchema>;
export type ServiceScalingRule = z.infer<typeof ServiceScalingSchema>;
export type ScalingStep = z.infer<typeof ScalingStepSchema>;
export type ApiBudgetConfig = z.infer<typeof ApiBudgetSchema>;
export type StateStoreConfig = z.infer<typeof StateStoreSchema>;
export type RetryRule = z.infer<typeof RetryRuleSchema>;
