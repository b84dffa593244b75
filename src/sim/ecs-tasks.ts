/**
 * ECS's task commands (ListTasks, DescribeTasks, DescribeTaskDefinition, RunTask, StopTask,
 * GetTaskProtection), typed with the SDK's input and output types, and a task as ECS describes it —
 * the same object its state change event carries.
 */
import type * as ECS from '@aws-sdk/client-ecs';
import type { Task } from '../core/model.js';
import type { Handlers } from './commands.js';
import type { EcsServices } from './ecs-services.js';
import type { Placement } from './placement.js';
import { lookup, page, SimulatedServiceError, type ClusterState, type SimTask } from './state.js';

/** What a task definition asks of an instance. */
export type TaskShape = Pick<Task, 'cpu' | 'memoryMiB' | 'gpus' | 'awsvpc' | 'hostPorts' | 'constraints'> & { capacityProvider?: string | undefined };

/** A task definition the simulated account knows nothing of runs as 256 CPU units and 512 MiB. */
const DEFAULT_SHAPE: TaskShape = { cpu: 256, memoryMiB: 512, gpus: 0, awsvpc: false, hostPorts: [], constraints: [] };

/** A task as DescribeTasks answers it; its state change event's detail is the same object. */
export function describeTask(state: ClusterState, t: SimTask, withTags = false): ECS.Task {
  return {
    taskArn: t.arn,
    clusterArn: state.clusterArn(),
    containerInstanceArn: t.containerInstanceArn,
    taskDefinitionArn: t.taskDefinitionArn,
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    version: t.version,
    cpu: String(t.cpu),
    memory: String(t.memoryMiB),
    group: t.group,
    startedBy: t.startedBy,
    capacityProviderName: t.capacityProvider,
    launchType: 'EC2' as const,
    ...(t.runningAt !== undefined ? { startedAt: new Date(t.runningAt) } : {}),
    ...(t.stoppedAt !== undefined ? { stoppedAt: new Date(t.stoppedAt) } : {}),
    ...(t.stopCode ? { stopCode: t.stopCode as ECS.TaskStopCode } : {}),
    ...(t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
    ...(withTags ? { tags: t.tags ?? [] } : {}),
    attachments: t.awsvpc ? [{ type: 'ElasticNetworkInterface', status: t.containerInstanceArn ? 'ATTACHED' : 'PRECREATED' }] : [],
    containers: [
      {
        name: 'main',
        lastStatus: t.lastStatus,
        ...(t.exitCode !== undefined ? { exitCode: t.exitCode } : {}),
        networkBindings: t.containerInstanceArn && !t.awsvpc && t.lastStatus === 'RUNNING' ? t.hostPorts.map((p) => ({ hostPort: p, containerPort: p, protocol: 'tcp' as const })) : [],
        gpuIds: t.containerInstanceArn ? Array.from({ length: t.gpus }, (_, k) => String(k)) : [],
      },
    ],
  };
}

export interface EcsTasksOptions {
  /** Managed scaling on the capacity providers: a RunTask that finds no room waits in PROVISIONING instead of failing. */
  tasksWaitForCapacity: boolean;
}

export class EcsTasks {
  /** Tasks with scale-in protection on (set with `protect`). */
  private readonly protectedTasks = new Set<string>();
  private readonly runTaskTokens = new Map<string, string[]>();
  private runSeq = 0;
  /** The last ListTasks listing, for its next pages. */
  private listing: { key: string; arns: string[] } | undefined;

  public constructor(
    private readonly state: ClusterState,
    private readonly services: EcsServices,
    private readonly placement: Placement,
    private readonly options: EcsTasksOptions,
  ) {}

  public protect(arn: string): void {
    this.protectedTasks.add(arn);
  }

  /** `family`, `family:3` or an ARN → the ARN. */
  private taskDefinitionArn(ref: string): string {
    if (ref.startsWith('arn:')) return ref;
    const [family, revision] = ref.split(':');
    return this.state.arn('ecs', 'task-definition', `${family}:${revision ?? '1'}`);
  }

  /** A task definition's shape: its service's, else that of a task started from it, else the default. */
  private shapeOf(arn: string): TaskShape {
    const family = arn.split('/').pop()?.split(':')[0] ?? '';
    const service = this.services.get(family);
    if (service) return service;
    const t = [...this.state.tasks.values()].find((x) => x.taskDefinitionArn === arn);
    return t ?? DEFAULT_SHAPE;
  }

  public readonly handlers: Handlers<typeof ECS> = {
    ListTasks: (input) => {
      this.state.checkCluster(input.cluster);
      const desired = input.desiredStatus ?? 'RUNNING';
      const family = input.family;
      // The list is taken on the first page and kept for the next ones (a 50 000-task cluster is 500 pages).
      const key = JSON.stringify([desired, input.containerInstance, input.serviceName, input.startedBy, family]);
      let arns = input.nextToken !== undefined && this.listing?.key === key ? this.listing.arns : undefined;
      if (!arns) {
        arns = [...this.state.tasks.values()]
          .filter(
            (t) =>
              t.desiredStatus === desired &&
              (input.containerInstance === undefined || t.containerInstanceArn === input.containerInstance) &&
              (input.serviceName === undefined || t.group === `service:${input.serviceName}`) &&
              (input.startedBy === undefined || t.startedBy === input.startedBy) &&
              (family === undefined || t.taskDefinitionArn.split('/').pop()?.split(':')[0] === family),
          )
          .map((t) => t.arn);
        this.listing = { key, arns };
      }
      const p = page(arns, input.nextToken, input.maxResults);
      return { taskArns: p.items, nextToken: p.nextToken };
    },

    DescribeTasks: (input) => {
      this.state.checkCluster(input.cluster);
      const { found, failures } = lookup(input.tasks, 'tasks', this.state.tasks);
      const withTags = input.include?.includes('TAGS') === true;
      return { tasks: found.map((t) => describeTask(this.state, t, withTags)), failures };
    },

    DescribeTaskDefinition: (input) => {
      const arn = this.taskDefinitionArn(String(input.taskDefinition));
      const t = this.shapeOf(arn);
      return {
        taskDefinition: {
          taskDefinitionArn: arn,
          family: arn.split('/').pop()?.split(':')[0],
          networkMode: t.awsvpc ? 'awsvpc' : 'bridge',
          cpu: String(t.cpu),
          memory: String(t.memoryMiB),
          placementConstraints: t.constraints.flatMap((c) => (c.type === 'memberOf' ? [{ type: 'memberOf' as const, expression: c.expression }] : [])),
          containerDefinitions: [
            {
              name: 'main',
              essential: true,
              portMappings: t.hostPorts.map((p) => ({ containerPort: p, hostPort: p, protocol: 'tcp' as const })),
              resourceRequirements: t.gpus > 0 ? [{ type: 'GPU' as const, value: String(t.gpus) }] : [],
            },
          ],
        },
      };
    },

    /** As ECS answers it: placed now on room in the provider's group; else PROVISIONING with managed scaling on, a RESOURCE failure without. */
    RunTask: (input) => {
      this.state.checkCluster(input.cluster);
      const token = input.clientToken;
      const known = token ? this.runTaskTokens.get(token) : undefined;
      if (known) return { tasks: known.map((arn) => ({ taskArn: arn, lastStatus: this.state.tasks.get(arn)?.lastStatus })), failures: [] };
      const count = input.count ?? 1;
      if (count > 10) throw new SimulatedServiceError('InvalidParameterException', 'count can be at most 10');
      // RunTask reference: up to 128 letters, digits, hyphens, forward slashes and underscores.
      if (input.startedBy !== undefined && !/^[A-Za-z0-9/_-]{1,128}$/.test(input.startedBy)) throw new SimulatedServiceError('InvalidParameterException', `startedBy ${input.startedBy} is invalid`);
      const arn = this.taskDefinitionArn(String(input.taskDefinition));
      const shape = this.shapeOf(arn);
      const provider = input.capacityProviderStrategy?.[0]?.capacityProvider;
      const task: Task = {
        id: '',
        cpu: shape.cpu,
        memoryMiB: shape.memoryMiB,
        gpus: shape.gpus,
        awsvpc: shape.awsvpc,
        hostPorts: shape.hostPorts,
        group: `family:${arn.split('/').pop()?.split(':')[0]}`,
        startedBy: input.startedBy,
        ...((provider ?? shape.capacityProvider) ? { capacityProvider: provider ?? shape.capacityProvider } : {}),
        constraints: [],
        daemon: false,
      };
      const started: string[] = [];
      const failures: ECS.Failure[] = [];
      for (let k = 0; k < count; k++) {
        const target = this.placement.roomFor(task, provider);
        if (!target && !(this.options.tasksWaitForCapacity && target !== null)) {
          failures.push({ arn: target === null ? 'no instance in the capacity provider' : 'none', reason: shape.gpus > 0 ? 'RESOURCE:GPU' : 'RESOURCE:MEMORY' });
          continue;
        }
        const id = this.state.arn('ecs', 'task', `${this.state.cluster}/run${(++this.runSeq).toString(16).padStart(29, '0')}`);
        const t = this.state.addTask({ ...task, id }, target?.arn, target ? 'PENDING' : 'PROVISIONING');
        t.taskDefinitionArn = arn;
        t.tags = (input.tags ?? []).map((tag) => ({ key: tag.key ?? '', value: tag.value ?? '' }));
        this.state.taskChanged(t, undefined);
        started.push(id);
      }
      if (token && started.length > 0) this.runTaskTokens.set(token, started);
      return { tasks: started.map((taskArn) => ({ taskArn, lastStatus: this.state.tasks.get(taskArn)?.lastStatus })), failures };
    },

    StopTask: (input) => {
      this.state.checkCluster(input.cluster);
      const t = this.state.tasks.get(String(input.task));
      if (!t) throw new SimulatedServiceError('InvalidParameterException', `The referenced task was not found: ${String(input.task)}`);
      // Docker's SIGTERM exit (143): what a container stopped this way reports.
      if (t.desiredStatus !== 'STOPPED') this.state.stopTask(t, { stopCode: 'UserInitiated', reason: input.reason ?? 'Task stopped by user', exitCode: 143 });
      return { task: { taskArn: t.arn, lastStatus: t.lastStatus, desiredStatus: t.desiredStatus, stopCode: t.stopCode as ECS.TaskStopCode | undefined, stoppedReason: t.stoppedReason } };
    },

    GetTaskProtection: (input) => {
      this.state.checkCluster(input.cluster);
      const arns = input.tasks ?? [];
      if (arns.length > 10) throw new SimulatedServiceError('InvalidParameterException', 'tasks can have at most 10 items');
      return { protectedTasks: arns.map((taskArn) => ({ taskArn, protectionEnabled: this.protectedTasks.has(taskArn) })), failures: [] };
    },
  };
}
