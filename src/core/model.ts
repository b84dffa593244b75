/**
 * Cluster snapshot, format v1 (docs/snapshot-format.md): the planner's input.
 *
 * The zod schema is the single source of truth; the TypeScript types are inferred from it.
 * Every field is listed in docs/snapshot-format.md; an unknown one (a typo) is rejected with its path.
 */
import { z } from 'zod';
import { fieldIssues, ValidationError } from './validation.js';

export { fieldIssues, jsonPath, ValidationError, type FieldIssue } from './validation.js';

/** Ports the ECS agent reserves on every container instance unless the snapshot says otherwise. */
export const DEFAULT_RESERVED_PORTS = [22, 2375, 2376, 51678, 51679] as const;

const nonNegInt = z.number().int().nonnegative();

export const ResourcesSchema = z.strictObject({
  cpu: nonNegInt.describe('CPU units (1024 per vCPU) registered for tasks'),
  memoryMiB: nonNegInt.describe('memory in MiB usable by tasks'),
  enis: nonNegInt.default(0).describe('ENIs available to awsvpc tasks (one per task)'),
  gpus: nonNegInt.default(0),
});

export const InstanceTypeSchema = ResourcesSchema.extend({
  pricePerHour: z.number().nonnegative().optional(),
});

export const ConstraintSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('distinctInstance') }),
  z.strictObject({ type: z.literal('memberOf'), expression: z.string().min(1) }),
]);

export const TaskSchema = z.strictObject({
  id: z.string().min(1),
  cpu: nonNegInt.default(0),
  memoryMiB: nonNegInt.default(0),
  gpus: nonNegInt.default(0),
  awsvpc: z.boolean().default(false),
  hostPorts: z.array(z.number().int().min(1).max(65535)).default([]),
  group: z.string().optional(),
  startedBy: z.string().optional(),
  capacityProvider: z.string().optional(),
  constraints: z.array(ConstraintSchema).default([]),
  /** Daemon tasks run on every instance and do not keep an instance from scale-in. */
  daemon: z.boolean().default(false),
  lastStatus: z.string().optional(),
});

export const GroupInstanceTypeSchema = z.strictObject({
  type: z.string().min(1),
  weight: z.number().int().positive().default(1),
  /** This group's price for the type (e.g. the spot price), overriding `instanceTypes[type].pricePerHour`. */
  pricePerHour: z.number().nonnegative().optional(),
});

export const LaunchingSchema = z.strictObject({
  type: z.string().min(1),
  count: z.number().int().positive(),
});

/**
 * How the ASG launches instances, as the simulator answers it (docs/snapshot-format.md); default
 * `mixedInstancesPolicy` with the group's types as overrides.
 */
export const LaunchShapeSchema = z.object({
  kind: z.enum(['launchTemplate', 'launchConfiguration', 'mixedInstancesPolicy', 'instanceRequirements']),
  /** The launch template version the ASG names (`$Default`, `$Latest` or a number); absent: AWS's default, `$Default`. */
  version: z.string().regex(/^(\$Default|\$Latest|\d+)$/).optional(),
});

export const GroupSchema = z
  .strictObject({
    name: z.string().min(1),
    asg: z.string().min(1),
    lifecycle: z.enum(['spot', 'on-demand']).default('on-demand'),
    min: nonNegInt,
    max: nonNegInt,
    desired: nonNegInt,
    targetCapacityPercent: z.number().int().min(1).max(100).default(100),
    instanceTypes: z.array(GroupInstanceTypeSchema).min(1),
    /** Instances in the ASG that have not registered with ECS yet, by type (known from the ASG). */
    launching: z.array(LaunchingSchema).default([]),
    /**
     * Of those, the ones the ASG lists InService (booted, yet not in ECS), with their launch time when
     * the reconcile read it; `timedOut`: past the group's registration timeout — not capacity (issue 20).
     */
    unregistered: z
      .array(z.strictObject({ instanceId: z.string().min(1), type: z.string().min(1), launchedAt: z.string().optional(), timedOut: z.boolean().default(false) }))
      .default([]),
    /**
     * Capacity units of the ASG's instances in service, for a partial snapshot that lists only the
     * instances an event concerns; without it, the listed instances are all there is.
     */
    inServiceUnits: nonNegInt.optional(),
    /** How ecs-pilot runs for this capacity provider, as detected (src/core/capacity/modes.ts); absent: not read. */
    mode: z.enum(['own', 'accelerate']).optional(),
    /** In `accelerate`: ECS's managed termination protection is on, so ECS owns instance protection. */
    ecsProtects: z.boolean().optional(),
    minimumScalingStepSize: z.number().int().min(1).max(10000).default(1),
    maximumScalingStepSize: z.number().int().min(1).max(10000).default(10000),
    launch: LaunchShapeSchema.optional(),
    /**
     * The group failed to launch and is remembered as unavailable (the `ecs-pilot:unavailable` tag on
     * its ASG, src/core/capacity/unavailable.ts): until `until` its units that no instance accounts for
     * are not capacity, and it opens no new spot capacity. `at` is the failed activity's time (newer
     * failures only change it); `attempts` the consecutive failures (the back-off doubles with each);
     * `recovered` set once a launch succeeded again, while what fell back returns.
     */
    unavailable: z
      .strictObject({
        until: z.iso.datetime({ offset: true }),
        at: z.iso.datetime({ offset: true }),
        class: z.enum(['spot-capacity', 'spot-quota', 'vcpu-quota', 'on-demand-capacity', 'price', 'subnet', 'config', 'unknown']),
        activityId: z.string().optional(),
        attempts: z.number().int().positive().default(1),
        reason: z.string().default(''),
        /** A launch succeeded after the mark expired (the back-off reset): capacity that fell back returns to the group. */
        recovered: z.iso.datetime({ offset: true }).optional(),
      })
      .optional(),
    /**
     * The group's `onDemandFallback` option is on (a mixed-instances spot group): its waiting units
     * launch on-demand by raising `InstancesDistribution.OnDemandBaseCapacity` (`base`, now);
     * `raisedFrom` is the base before ecs-pilot first raised it, `raisedAt` its last raise (the
     * `ecs-pilot:on-demand-base` tag).
     */
    onDemandFallback: z
      .strictObject({
        base: nonNegInt,
        raisedFrom: nonNegInt.optional(),
        raisedAt: z.iso.datetime({ offset: true }).optional(),
        /** The desired capacity the raised base covers, for the shortage mark whose `at` is `forMark`: a raise is never made twice. */
        covers: nonNegInt.optional(),
        forMark: z.iso.datetime({ offset: true }).optional(),
      })
      .optional(),
    /** AWS settings of the group the simulator answers with (docs/snapshot-format.md); defaults: none that conflict. */
    awsSettings: z
      .object({ managedDraining: z.enum(['ENABLED', 'DISABLED']).optional(), capacityRebalance: z.boolean().optional(), scalingPolicies: z.array(z.string().min(1)).optional() })
      .optional(),
  })
  .refine((g) => g.min <= g.max, { message: 'min must not exceed max', path: ['min'] });

export const InstanceStatusSchema = z.enum([
  'ACTIVE',
  'DRAINING',
  'REGISTERING',
  'DEREGISTERING',
  'REGISTRATION_FAILED',
  'INACTIVE',
]);

export const InstanceSchema = z.strictObject({
  id: z.string().min(1),
  ec2InstanceId: z.string().min(1),
  group: z.string().min(1),
  type: z.string().min(1),
  az: z.string().min(1),
  status: InstanceStatusSchema,
  protected: z.boolean().default(false),
  reservedPorts: z.array(z.number().int().min(1).max(65535)).default([...DEFAULT_RESERVED_PORTS]),
  registered: ResourcesSchema.optional(),
  /** ECS custom attributes; ecs-pilot keeps its state in `ecs-pilot.*` ones (idle since, drain start). */
  attributes: z.record(z.string(), z.string()).default({}),
  /** The Auto Scaling lifecycle state (`InService`, `Terminating:Wait`, …) when known. */
  lifecycleState: z.string().optional(),
  tags: z.record(z.string(), z.string()).default({}),
  tasks: z.array(TaskSchema).default([]),
});

/**
 * A service that lacked tasks when the cluster was read (managed scaling off: ECS never creates a task
 * that finds no room, so the lack shows only in its counts). `src/core/capacity/demand.ts` turns it
 * into waiting tasks.
 */
export const ServiceSchema = z.strictObject({
  name: z.string().min(1),
  desiredCount: nonNegInt,
  runningCount: nonNegInt,
  pendingCount: nonNegInt.default(0),
  /** One task of the service as the planner takes it (id: the service ARN; its shape, group, provider, constraints). */
  task: TaskSchema,
});

export const SnapshotSchema = z
  .strictObject({
    version: z.literal(1),
    cluster: z.string().min(1),
    takenAt: z.iso.datetime({ offset: true }),
    instanceTypes: z.record(z.string(), InstanceTypeSchema),
    groups: z.array(GroupSchema),
    instances: z.array(InstanceSchema).default([]),
    pending: z.array(TaskSchema).default([]),
    /** Services that lacked tasks (optional; absent: none, or not read). */
    services: z.array(ServiceSchema).optional(),
    /** AWS settings that fight ecs-pilot, as `ecs-pilot snapshot` found them (src/core/conflicts.ts). */
    conflicts: z.array(z.object({ group: z.string(), setting: z.string(), message: z.string() })).optional(),
  })
  .superRefine((s, ctx) => {
    // Cross references: a snapshot that names types or groups it does not define cannot be planned.
    const groupNames = new Set<string>();
    s.groups.forEach((g, gi) => {
      if (groupNames.has(g.name)) {
        ctx.addIssue({ code: 'custom', message: `duplicate group name "${g.name}"`, path: ['groups', gi, 'name'] });
      }
      groupNames.add(g.name);
      g.instanceTypes.forEach((t, ti) => {
        if (!(t.type in s.instanceTypes)) {
          ctx.addIssue({
            code: 'custom',
            message: `instance type "${t.type}" is not defined in instanceTypes`,
            path: ['groups', gi, 'instanceTypes', ti, 'type'],
          });
        }
      });
      g.launching.forEach((l, li) => {
        if (!(l.type in s.instanceTypes)) {
          ctx.addIssue({
            code: 'custom',
            message: `instance type "${l.type}" is not defined in instanceTypes`,
            path: ['groups', gi, 'launching', li, 'type'],
          });
        }
      });
    });
    s.instances.forEach((inst, ii) => {
      if (!groupNames.has(inst.group)) {
        ctx.addIssue({ code: 'custom', message: `group "${inst.group}" is not defined in groups`, path: ['instances', ii, 'group'] });
      }
      if (!inst.registered && !(inst.type in s.instanceTypes)) {
        ctx.addIssue({
          code: 'custom',
          message: `instance type "${inst.type}" is not defined in instanceTypes and the instance has no "registered" resources`,
          path: ['instances', ii, 'type'],
        });
      }
    });
  });

/** Only the keys a schema defines (snapshots are strict: a copy with extra keys would not load again). */
function only<T extends object>(o: T, schema: { shape: object }): T {
  const keys = new Set(Object.keys(schema.shape));
  return Object.fromEntries(Object.entries(o).filter(([k]) => keys.has(k))) as T;
}

/** A snapshot reduced to the fields of format v1, e.g. one a simulator built from its richer state. */
export function toSnapshotV1(s: Snapshot): Snapshot {
  const task = (t: Task): Task => only(t, TaskSchema);
  return {
    ...only(s, SnapshotSchema),
    instanceTypes: Object.fromEntries(Object.entries(s.instanceTypes).map(([k, v]) => [k, only(v, InstanceTypeSchema)])),
    groups: s.groups.map((g) => ({ ...only(g, GroupSchema), instanceTypes: g.instanceTypes.map((t) => only(t, GroupInstanceTypeSchema)), launching: g.launching.map((l) => only(l, LaunchingSchema)) })),
    instances: s.instances.map((i) => ({ ...only(i, InstanceSchema), ...(i.registered ? { registered: only(i.registered, ResourcesSchema) } : {}), tasks: i.tasks.map(task) })),
    pending: s.pending.map(task),
    ...(s.services ? { services: s.services.map((v) => ({ ...only(v, ServiceSchema), task: task(v.task) })) } : {}),
  };
}

export type Resources = z.infer<typeof ResourcesSchema>;
export type InstanceType = z.infer<typeof InstanceTypeSchema>;
export type Constraint = z.infer<typeof ConstraintSchema>;
export type Task = z.infer<typeof TaskSchema>;
export type Group = z.infer<typeof GroupSchema>;
export type LaunchShape = z.infer<typeof LaunchShapeSchema>;
export type Instance = z.infer<typeof InstanceSchema>;
export type Service = z.infer<typeof ServiceSchema>;
export type InstanceStatus = z.infer<typeof InstanceStatusSchema>;
export type Snapshot = z.infer<typeof SnapshotSchema>;
/** What a snapshot file may contain before defaults are applied. */
export type SnapshotInput = z.input<typeof SnapshotSchema>;

/**
 * Validates a parsed snapshot document and applies defaults.
 *
 * @example
 * const snapshot = parseSnapshot(JSON.parse(text));
 * @throws ValidationError naming the JSON path of each bad field
 */
export function parseSnapshot(doc: unknown): Snapshot {
  const result = SnapshotSchema.safeParse(doc);
  if (!result.success) throw new ValidationError('snapshot', fieldIssues(result.error), { cause: result.error });
  return result.data;
}

/** Resources an instance offers to tasks: its `registered` values, else its type's. */
export function instanceCapacity(snapshot: Snapshot, instance: Instance): Resources {
  if (instance.registered) return instance.registered;
  const t = snapshot.instanceTypes[instance.type];
  if (!t) throw new Error(`instance ${instance.id}: unknown instance type ${instance.type}`);
  return { cpu: t.cpu, memoryMiB: t.memoryMiB, enis: t.enis, gpus: t.gpus };
}

/** Instance statuses that still count towards the Auto Scaling group's capacity. */
export const COUNTED_STATUSES: ReadonlySet<InstanceStatus> = new Set(['ACTIVE', 'DRAINING', 'REGISTERING']);

/**
 * ECS task statuses on the way out (task lifecycle: DEACTIVATING → STOPPING → DEPROVISIONING →
 * STOPPED): such a task still holds its instance but needs no new home — its service starts a
 * replacement, which is demand of its own.
 */
export const LEAVING_TASK_STATUSES: ReadonlySet<string> = new Set(['DEACTIVATING', 'STOPPING', 'DEPROVISIONING']);

/** A non-daemon task that still holds its instance: until ECS reports it STOPPED (an awsvpc task's ENI detaches in DEPROVISIONING). */
export function holdsInstance(t: Task): boolean {
  return !t.daemon && t.lastStatus !== 'STOPPED';
}

/** A task that needs a new home when its instance goes: it holds the instance and is not leaving already. */
export function needsNewHome(t: Task): boolean {
  return holdsInstance(t) && !LEAVING_TASK_STATUSES.has(t.lastStatus ?? '');
}

/** The weight (capacity units) of an instance type in a group; 1 for a type the group does not list. */
export function weightOf(group: Group, type: string): number {
  return group.instanceTypes.find((t) => t.type === type)?.weight ?? 1;
}
