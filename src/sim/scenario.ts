/**
 * Scenario files for `ecs-pilot simulate` (docs/simulation.md): an initial cluster snapshot, the
 * services running on it, and a timeline of what happens (service scaling, RunTask bursts, spot
 * interruption waves). YAML or JSON; validated with field paths.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { jsonPath, parseSnapshot, ValidationError, type FieldIssue, type Snapshot } from '../core/model.js';

const seconds = z.number().nonnegative();

const TaskShapeSchema = z.strictObject({
  cpu: z.number().int().nonnegative(),
  memoryMiB: z.number().int().nonnegative(),
  gpus: z.number().int().nonnegative().default(0),
  awsvpc: z.boolean().default(false),
  hostPorts: z.array(z.number().int().min(1).max(65535)).default([]),
  capacityProvider: z.string().min(1).optional(),
});

export const ServiceSchema = TaskShapeSchema.extend({
  name: z.string().min(1),
  desired: z.number().int().nonnegative(),
  minimumHealthyPercent: z.number().int().min(0).max(100).default(100),
  maximumPercent: z.number().int().min(100).max(400).default(200),
  distinctInstance: z.boolean().default(false),
  /** ECS placement strategy: binpack on memory, or spread over AZs then binpack. */
  placementStrategy: z.enum(['binpack', 'spread']).default('binpack'),
});

/** One schema per step kind, by the key that names it: a step's errors are checked against its own kind. */
const STEP_KINDS = {
  setDesired: z.strictObject({ at: seconds, setDesired: z.strictObject({ service: z.string().min(1), count: z.number().int().nonnegative() }) }),
  runTasks: z.strictObject({
    at: seconds,
    runTasks: TaskShapeSchema.extend({
      count: z.number().int().positive(),
      /** Placement constraint distinctInstance on each task. */
      distinctInstance: z.boolean().default(false),
      family: z.string().min(1).default('batch'),
      durationSeconds: seconds.default(600),
    }),
  }),
  spotInterruption: z.strictObject({
    at: seconds,
    spotInterruption: z.strictObject({
      group: z.string().min(1),
      /** Share of the group's instances reclaimed. */
      fraction: z.number().gt(0).max(1),
      /** The warnings are spread evenly over this window. */
      overSeconds: seconds.default(0),
    }),
  }),
  /** A group cannot launch for a while (docs/simulation.md, "Capacity shortages"): some of its pools, or all. */
  capacityShortage: z.strictObject({
    at: seconds,
    capacityShortage: z.strictObject({
      group: z.string().min(1),
      forSeconds: z.number().positive(),
      error: z.enum(['spot-capacity', 'spot-quota', 'vcpu-quota', 'on-demand-capacity', 'config']),
      /** Only these instance types are short (default: all of the group's). */
      types: z.array(z.string().min(1)).min(1).optional(),
      /** Only these AZs are short (default: all). */
      azs: z.array(z.string().min(1)).min(1).optional(),
    }),
  }),
  /** The group's next `count` launches go InService but never register with ECS (bad user data, role, agent). */
  neverRegister: z.strictObject({ at: seconds, neverRegister: z.strictObject({ group: z.string().min(1), count: z.number().int().positive() }) }),
} as const;

const StepSchema = z.union([STEP_KINDS.setDesired, STEP_KINDS.runTasks, STEP_KINDS.spotInterruption, STEP_KINDS.capacityShortage, STEP_KINDS.neverRegister]);

export const ScenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().default(''),
  /** Snapshot v1 file (relative to the scenario) the cluster starts from. */
  cluster: z.string().min(1),
  durationMinutes: z.number().positive().max(7 * 24 * 60),
  settings: z
    .strictObject({
      /** From a launch request to an ACTIVE container instance. */
      instanceLaunchSeconds: seconds.default(120),
      /** From placement to RUNNING (image pull, start). */
      taskStartSeconds: seconds.default(15),
      /**
       * ecs-pilot's side of an event (docs/simulation.md): EventBridge delivery, then for the capacity
       * queue's events the SQS batching window, then the Lambda start. Set `controllerLatencySeconds`
       * to replace the three with one figure.
       */
      eventBridgeSeconds: seconds.default(1),
      sqsBatchWindowSeconds: seconds.default(10),
      lambdaStartSeconds: seconds.default(1),
      controllerLatencySeconds: seconds.optional(),
      /**
       * The state store's side of a task or container-instance event: EventBridge, then the state
       * queue's batching window, then the Lambda start (docs/simulation.md). Drops and duplicates of
       * these events, for tests: a share of them lost, or delivered twice (a window later).
       */
      stateBatchWindowSeconds: seconds.default(2),
      stateEventDropRate: z.number().min(0).max(1).default(0),
      stateEventDuplicateRate: z.number().min(0).max(1).default(0),
      reconcileSeconds: seconds.default(60),
      /**
       * When in its period the reconcile tick fires (seconds after the run's start, then every
       * `reconcileSeconds`). AWS does not say at which second a rate(1 minute) schedule fires (rate
       * schedules start from the rule's creation): the default, one simulation tick before the
       * scenario's whole-minute changes (`reconcileSeconds − tickSeconds`), is the least favourable
       * phase for ecs-pilot — the reconcile learns of each change as late as it can, about a minute after it.
       */
      reconcileOffsetSeconds: z.number().min(0).optional(),
      /**
       * Managed scaling on the capacity providers: `on` — ECS scales (tasks wait in PROVISIONING) and
       * ecs-pilot accelerates; `off` — ecs-pilot owns the scaling, unplaceable tasks fail.
       * The ecs-managed controller always runs with it on.
       */
      managedScaling: z.enum(['on', 'off']).default('off'),
      /** ECS managed scaling's settings (the capacity provider's ManagedScaling). */
      targetCapacityPercent: z.number().int().min(1).max(100).default(100),
      instanceWarmupSeconds: seconds.default(300),
      minimumScalingStepSize: z.number().int().min(1).default(1),
      maximumScalingStepSize: z.number().int().min(1).default(10000),
      /** The ECS agent's ECS_ENABLE_SPOT_INSTANCE_DRAINING (off by default on AWS). */
      ecsSpotDraining: z.boolean().default(false),
      /** CapacityProviderReservation: a datapoint per minute, visible to its alarm this long after. */
      ecsMetricDelaySeconds: seconds.default(60),
      /** Datapoints above target before the scale-out alarm fires; below target before scale-in. */
      ecsScaleOutDatapoints: z.number().int().min(1).default(1),
      ecsScaleInDatapoints: z.number().int().min(1).default(15),
      /** With managed scaling off: the service scheduler's retry of unplaceable tasks, doubling from first to max. */
      serviceRetryFirstSeconds: seconds.default(15),
      serviceRetryMaxSeconds: seconds.default(120),
      /** A third-party RunTask caller retries failed tasks after this long. */
      runTaskRetrySeconds: seconds.default(60),
      /**
       * An Auto Scaling group's retry after a failed launch. AWS publishes no figure; observed every
       * 2–4 minutes (docs/simulation.md, "Capacity shortages").
       */
      asgRetrySeconds: z.number().positive().default(180),
      /** Share of `EC2 Instance Launch Unsuccessful` events lost (best-effort delivery, EventBridge reference). */
      launchEventDropRate: z.number().min(0).max(1).default(0),
      /**
       * With managed scaling on: a task waits in PROVISIONING this long before ECS stops it. AWS's
       * figure is "between 10 and 30 minutes" (ECS deep-dive blog, 2020): the least favourable end.
       */
      provisioningTimeoutSeconds: z.number().positive().default(1800),
      /** How often the world advances. */
      tickSeconds: z.number().positive().default(5),
    })
    .prefault({}),
  /** ecs-pilot's fallbackGroup per group (e.g. spot → on-demand when spot capacity is short). */
  fallbackGroups: z.record(z.string(), z.string()).default({}),
  /** Groups with ecs-pilot's on-demand fallback option (a spot mixed-instances group raises its on-demand base). */
  onDemandFallbackGroups: z.array(z.string().min(1)).default([]),
  services: z.array(ServiceSchema).default([]),
  timeline: z.array(StepSchema).default([]),
});

export type Scenario = z.infer<typeof ScenarioSchema>;
export type ServiceSpec = z.infer<typeof ServiceSchema>;
export type TimelineStep = z.infer<typeof StepSchema>;

export interface LoadedScenario {
  scenario: Scenario;
  snapshot: Snapshot;
}

const KIND_NAMES = Object.keys(STEP_KINDS) as Array<keyof typeof STEP_KINDS>;

/**
 * What is wrong with one timeline step, by field: a union only says "Invalid input", so the step is
 * checked against the kind its key names; a step naming no kind (a typo) or several says which keys it has.
 */
function stepIssues(step: unknown, index: number): FieldIssue[] {
  const at = `$.timeline[${index}]`;
  if (typeof step !== 'object' || step === null || Array.isArray(step)) return [{ path: at, message: `a step is an object with \`at\` and one of ${KIND_NAMES.join(', ')}` }];
  const keys = Object.keys(step);
  const kinds = KIND_NAMES.filter((k) => keys.includes(k));
  if (kinds.length !== 1) {
    const others = keys.filter((k) => k !== 'at' && !kinds.includes(k as keyof typeof STEP_KINDS));
    const what = kinds.length === 0 ? `names no step kind${others.length > 0 ? ` (has ${others.map((k) => `\`${k}\``).join(', ')})` : ''}` : `names ${kinds.length} step kinds (${kinds.join(', ')})`;
    return [{ path: at, message: `${what}: a step has \`at\` and exactly one of ${KIND_NAMES.join(', ')}` }];
  }
  const kind = kinds[0] as keyof typeof STEP_KINDS;
  const r = STEP_KINDS[kind].safeParse(step);
  return r.success ? [] : r.error.issues.map((i) => ({ path: jsonPath(['timeline', index, ...i.path]), message: i.message }));
}

export function parseScenario(doc: unknown): Scenario {
  const r = ScenarioSchema.safeParse(doc);
  if (r.success) return r.data;
  const timeline = typeof doc === 'object' && doc !== null ? (doc as { timeline?: unknown }).timeline : undefined;
  const issues = r.error.issues.flatMap((i): FieldIssue[] => {
    const [first, index] = i.path;
    if (i.code === 'invalid_union' && first === 'timeline' && typeof index === 'number' && i.path.length === 2 && Array.isArray(timeline)) {
      const found = stepIssues(timeline[index], index);
      if (found.length > 0) return found;
    }
    return [{ path: jsonPath(i.path), message: i.message }];
  });
  throw new ValidationError('scenario', issues, { cause: r.error });
}

export function loadScenario(path: string): LoadedScenario {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ValidationError('scenario', [{ path: '$', message: `cannot read ${path}: ${(e as Error).message.split('\n')[0]}` }], { cause: e });
  }
  const scenario = parseScenario(doc);
  const snapshotPath = resolve(dirname(path), scenario.cluster);
  let snapshotDoc: unknown;
  try {
    snapshotDoc = JSON.parse(readFileSync(snapshotPath, 'utf8'));
  } catch (e) {
    throw new ValidationError('scenario', [{ path: '$.cluster', message: `cannot read ${snapshotPath}: ${(e as Error).message.split('\n')[0]}` }], { cause: e });
  }
  return { scenario, snapshot: parseSnapshot(snapshotDoc) };
}
