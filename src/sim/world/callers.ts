/**
 * Third-party callers of RunTask (a scenario's `runTasks` steps): their tasks are created as ECS
 * creates them. With managed scaling on, what finds no room waits in PROVISIONING; off, the call fails
 * for those tasks (RESOURCE:*, which EventBridge sees through CloudTrail) and the caller retries them
 * after `runTaskRetrySeconds`.
 */
import type { Scenario } from '../scenario.js';
import type { ClusterState, SimTask } from '../state.js';
import type { EventDelivery } from './clock.js';
import type { ServiceScheduler } from './scheduler.js';

export interface RunShape {
  cpu: number;
  memoryMiB: number;
  gpus: number;
  awsvpc: boolean;
  hostPorts: number[];
  capacityProvider?: string | undefined;
  family: string;
  durationSeconds: number;
  distinctInstance?: boolean;
}

/** Standalone tasks a third-party caller still wants run (its RunTask failed; it retries). */
interface WantedRun {
  shape: RunShape;
  askedAt: number;
  retryAt: number;
}

/** A caller asks at most this many tasks per RunTask call (the API's limit). */
const RUN_TASK_MAX_COUNT = 10;

export interface CallerParts {
  state: ClusterState;
  scheduler: ServiceScheduler;
  delivery: EventDelivery;
  settings: Scenario['settings'];
  managedScaling: boolean;
}

export class ThirdPartyCallers {
  private readonly wanted: WantedRun[] = [];

  public constructor(private readonly w: CallerParts) {}

  /** Tasks the callers still want that ECS has not created (their RunTask failed). */
  public waiting(): number {
    return this.wanted.length;
  }

  /** The CPU units of those tasks. */
  public waitingCpu(): number {
    return this.wanted.reduce((a, r) => a + r.shape.cpu, 0);
  }

  /** A caller's RunTask for `count` tasks (`askedAt`: when it first asked, across retries). */
  public runTasks(shape: RunShape, count: number, askedAt: number = this.w.state.now): void {
    const { state, scheduler } = this.w;
    const created: SimTask[] = [];
    for (let i = 0; i < count; i++) {
      const t = scheduler.createTask(
        { cpu: shape.cpu, memoryMiB: shape.memoryMiB, gpus: shape.gpus, awsvpc: shape.awsvpc, hostPorts: shape.hostPorts, group: `family:${shape.family}`, startedBy: 'scenario', ...(shape.capacityProvider ? { capacityProvider: shape.capacityProvider } : {}), ...(shape.distinctInstance ? { constraints: [{ type: 'distinctInstance' as const }] } : {}) },
        askedAt,
      );
      t.durationMs = shape.durationSeconds * 1000;
      created.push(t);
    }
    if (this.w.managedScaling) return;
    scheduler.place();
    const failed = created.filter((t) => t.lastStatus === 'PROVISIONING');
    for (const t of failed) state.discardTask(t.arn);
    // Each call with failures is one CloudTrail record.
    for (let k = 0; k < failed.length; k += RUN_TASK_MAX_COUNT) this.runTaskFailed(shape, failed.slice(k, k + RUN_TASK_MAX_COUNT).length);
    for (const _ of failed) this.wanted.push({ shape, askedAt, retryAt: state.now + this.w.settings.runTaskRetrySeconds * 1000 });
  }

  /** The callers retry their failed RunTask calls that are due, one task per call. */
  public retry(): void {
    const now = this.w.state.now;
    const due = this.wanted.filter((r) => r.retryAt <= now);
    if (due.length === 0) return;
    this.wanted.splice(0, this.wanted.length, ...this.wanted.filter((r) => r.retryAt > now));
    const byShape = new Map<RunShape, WantedRun[]>();
    for (const r of due) byShape.set(r.shape, [...(byShape.get(r.shape) ?? []), r]);
    for (const [shape, runs] of byShape) for (const r of runs) this.runTasks(shape, 1, r.askedAt);
  }

  /** What EventBridge receives for a RunTask call whose response lists failures (AWS API Call via CloudTrail). */
  private runTaskFailed(shape: RunShape, failed: number): void {
    const { state } = this.w;
    const reason = shape.gpus > 0 ? 'RESOURCE:GPU' : 'RESOURCE:MEMORY';
    this.w.delivery.send(
      'aws.ecs',
      'AWS API Call via CloudTrail',
      {
        eventVersion: '1.08',
        eventSource: 'ecs.amazonaws.com',
        eventName: 'RunTask',
        awsRegion: state.region,
        eventTime: new Date(state.now).toISOString(),
        eventType: 'AwsApiCall',
        requestParameters: { cluster: state.cluster, count: failed, taskDefinition: `${shape.family}:1`, ...(shape.capacityProvider ? { capacityProviderStrategy: [{ capacityProvider: shape.capacityProvider, weight: 1, base: 0 }] } : {}) },
        responseElements: { tasks: [], failures: Array.from({ length: failed }, () => ({ arn: state.clusterArn(), reason })) },
      },
      [],
    );
  }
}
