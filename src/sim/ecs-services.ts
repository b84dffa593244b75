/**
 * The one ECS service model: what each service runs, its desired count and tags, and the service
 * scheduler's bookkeeping. ListServices, DescribeServices, UpdateService and TagResource answer from
 * it, and the time-driven world's scheduler (world/scheduler.ts) keeps the same records at their
 * desired count — so what the controller reads is what the scheduler does.
 *
 * Counts as ECS documents them (API Reference, Service): `runningCount` the tasks RUNNING,
 * `pendingCount` the tasks PENDING (placed, starting) — a PROVISIONING task, still waiting for
 * capacity, is in neither.
 */
import type * as ECS from '@aws-sdk/client-ecs';
import type { Task } from '../core/model.js';
import type { Handlers } from './commands.js';
import type { ServiceSpec } from './scenario.js';
import { page, SimulatedServiceError, type ClusterState, type SimTask } from './state.js';

export interface EcsService extends ServiceSpec {
  /** Its tasks' placement constraints. */
  constraints: Task['constraints'];
  /** A daemon service (one task per instance): not the replica scheduler's. */
  daemon: boolean;
  /** Desired count read off its tasks (an account over a snapshot, where no scheduler holds one) until UpdateService sets it. */
  followsTasks: boolean;
  tags: Map<string, string>;
  /** Tasks started for it that were asked for (not replacements), for the latency figures. */
  created: number;
  /** Since when each missing task has been missing (oldest first): a task created later takes the oldest. */
  missingSince: number[];
  /** Managed scaling off: the scheduler's next placement attempt and its back-off (docs/simulation.md). */
  nextTryAt: number;
  backoffMs: number;
}

/** A declared service: the scenario's spec, its bookkeeping fresh. */
export function serviceOf(spec: ServiceSpec, now: number, extra: Partial<Pick<EcsService, 'constraints' | 'daemon' | 'followsTasks'>> = {}): EcsService {
  return {
    ...spec,
    constraints: extra.constraints ?? (spec.distinctInstance ? [{ type: 'distinctInstance' }] : []),
    daemon: extra.daemon ?? false,
    followsTasks: extra.followsTasks ?? false,
    tags: new Map(),
    created: 0,
    missingSince: [],
    nextTryAt: now,
    backoffMs: 0,
  };
}

/** The services a snapshot's tasks show (task groups `service:<name>`, by name), their desired count read off the tasks. */
export function servicesOfTasks(state: ClusterState): EcsService[] {
  const first = new Map<string, SimTask>();
  for (const t of state.tasks.values()) if (t.group?.startsWith('service:') && t.desiredStatus === 'RUNNING' && !first.has(t.group)) first.set(t.group, t);
  return [...first.entries()]
    .map(([group, t]) => {
      const spec: ServiceSpec = { name: group.slice('service:'.length), desired: 0, cpu: t.cpu, memoryMiB: t.memoryMiB, gpus: t.gpus, awsvpc: t.awsvpc, hostPorts: t.hostPorts, ...(t.capacityProvider ? { capacityProvider: t.capacityProvider } : {}), minimumHealthyPercent: 100, maximumPercent: 200, distinctInstance: t.constraints.some((c) => c.type === 'distinctInstance'), placementStrategy: 'binpack' };
      return serviceOf(spec, state.now, { constraints: t.constraints, daemon: t.daemon, followsTasks: true });
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export class EcsServices {
  private readonly services = new Map<string, EcsService>();

  public constructor(
    private readonly state: ClusterState,
    declared: EcsService[],
  ) {
    for (const s of declared) this.services.set(s.name, s);
  }

  public all(): EcsService[] {
    return [...this.services.values()];
  }

  public get(name: string): EcsService | undefined {
    return this.services.get(name);
  }

  /** A service's tasks that are asked to run (desired RUNNING), in any last status. */
  public members(name: string): SimTask[] {
    return [...this.state.tasks.values()].filter((t) => t.group === `service:${name}` && t.desiredStatus === 'RUNNING');
  }

  /** Desired count: as set (scenario, UpdateService), else its tasks asked to run. */
  public desired(name: string): number {
    const s = this.services.get(name);
    return s && !s.followsTasks ? s.desired : this.members(name).length;
  }

  public setDesired(name: string, count: number): void {
    const s = this.services.get(name);
    if (!s) throw new SimulatedServiceError('ServiceNotFoundException', `Service not found: ${name}`);
    s.desired = count;
    s.followsTasks = false;
  }

  public arnOf(name: string): string {
    return this.state.arn('ecs', 'service', `${this.state.cluster}/${name}`);
  }

  /** The task definition ARN a service runs (family = its name, revision 1). */
  public taskDefinitionArn(name: string): string {
    return this.state.arn('ecs', 'task-definition', `${name}:1`);
  }

  private describe(s: EcsService, withTags: boolean): ECS.Service {
    const members = this.members(s.name);
    return {
      serviceArn: this.arnOf(s.name),
      serviceName: s.name,
      status: 'ACTIVE',
      schedulingStrategy: s.daemon ? 'DAEMON' : 'REPLICA',
      desiredCount: this.desired(s.name),
      runningCount: members.filter((t) => t.lastStatus === 'RUNNING').length,
      pendingCount: members.filter((t) => t.lastStatus === 'PENDING').length,
      taskDefinition: this.taskDefinitionArn(s.name),
      capacityProviderStrategy: s.capacityProvider ? [{ capacityProvider: s.capacityProvider, weight: 1, base: 0 }] : [],
      placementConstraints: s.constraints.map((c) => (c.type === 'memberOf' ? { type: 'memberOf' as const, expression: c.expression } : { type: 'distinctInstance' as const })),
      placementStrategy: s.placementStrategy === 'spread' ? [{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'binpack', field: 'memory' }] : [{ type: 'binpack', field: 'memory' }],
      deploymentConfiguration: { minimumHealthyPercent: s.minimumHealthyPercent, maximumPercent: s.maximumPercent },
      ...(withTags ? { tags: [...s.tags].map(([key, value]) => ({ key, value })) } : {}),
    };
  }

  public readonly handlers: Handlers<typeof ECS> = {
    /** 10 a page by default (≤ 100). */
    ListServices: (input) => {
      this.state.checkCluster(input.cluster);
      const p = page(this.all().map((s) => this.arnOf(s.name)), input.nextToken, input.maxResults ?? 10);
      return { serviceArns: p.items, nextToken: p.nextToken };
    },

    DescribeServices: (input) => {
      this.state.checkCluster(input.cluster);
      const names = input.services ?? [];
      if (names.length > 10) throw new SimulatedServiceError('InvalidParameterException', 'services can have at most 10 items');
      const withTags = input.include?.includes('TAGS') === true;
      const services: ECS.Service[] = [];
      const failures: ECS.Failure[] = [];
      for (const ref of names) {
        const s = this.services.get(ref.split('/').pop() ?? ref);
        if (s) services.push(this.describe(s, withTags));
        else failures.push({ arn: ref, reason: 'MISSING' });
      }
      return { services, failures };
    },

    UpdateService: (input) => {
      this.state.checkCluster(input.cluster);
      const name = String(input.service).split('/').pop() ?? '';
      if (!this.services.has(name)) throw new SimulatedServiceError('ServiceNotFoundException', `Service not found: ${name}`);
      if (typeof input.desiredCount === 'number') this.setDesired(name, input.desiredCount);
      return { service: { serviceName: name, desiredCount: this.desired(name) } };
    },

    /** Tags of services (the only resources the controller tags). */
    TagResource: (input) => {
      const arn = String(input.resourceArn);
      const m = /:service\/[^/]+\/(.+)$/.exec(arn);
      if (!m) throw new SimulatedServiceError('InvalidParameterException', `the simulator tags services only: ${arn}`);
      const s = this.services.get(m[1] ?? '');
      if (!s) throw new SimulatedServiceError('ServiceNotFoundException', `Service not found: ${arn}`);
      for (const t of input.tags ?? []) if (t.key) s.tags.set(t.key, t.value ?? '');
      return {};
    },
  };
}
