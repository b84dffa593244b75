/**
 * What ECS tells EventBridge: a task state change for every change of a task (with managed scaling off
 * a task that found no room was never created, so it sends none), a container-instance state change
 * for every change of an instance — its resources change when a task is placed or stops — and
 * SERVICE_TASK_PLACEMENT_FAILURE service actions (at most one a minute per service). The details are
 * the objects DescribeTasks and DescribeContainerInstances answer, as JSON carries them.
 */
import { describeInstance } from '../ecs-instances.js';
import { describeTask } from '../ecs-tasks.js';
import type { ClusterState, SimInstance, SimTask } from '../state.js';
import type { EventDelivery } from './clock.js';

const PLACEMENT_FAILURE_EVERY_MS = 60_000;

export class EcsEvents {
  private readonly lastFailure = new Map<string, number>();

  public constructor(
    private readonly state: ClusterState,
    private readonly delivery: EventDelivery,
    private readonly managedScaling: boolean,
  ) {
    state.listen({ task: (t, before) => this.taskChanged(t, before), instance: (i) => this.instanceChanged(i) });
  }

  /** ECS could not place a service's task: its service action event (throttled as ECS does). */
  public placementFailure(service: string): void {
    const now = this.state.now;
    if ((this.lastFailure.get(service) ?? -Infinity) > now - PLACEMENT_FAILURE_EVERY_MS) return;
    this.lastFailure.set(service, now);
    this.delivery.send(
      'aws.ecs',
      'ECS Service Action',
      { eventType: 'ERROR', eventName: 'SERVICE_TASK_PLACEMENT_FAILURE', clusterArn: this.state.clusterArn(), reason: 'RESOURCE:MEMORY', createdAt: new Date(now).toISOString() },
      [this.state.arn('ecs', 'service', `${this.state.cluster}/${service}`)],
    );
  }

  private taskChanged(t: SimTask, before: string | undefined): void {
    if (t.lastStatus === 'PROVISIONING' && !this.managedScaling) return;
    this.delivery.send('aws.ecs', 'ECS Task State Change', this.taskDetail(t), [t.arn]);
    // Placing or stopping a task changes the instance's remaining resources: an event of the instance
    // too (ECS Developer Guide, "container instance state change events"), unless it is being
    // deregistered. A task reaching RUNNING changes its running/pending counts: AWS does not say whether
    // that is an event; one is the less favourable reading (more events for the state function).
    const i = t.containerInstanceArn ? this.state.instances.get(t.containerInstanceArn) : undefined;
    if (i && i.lifecycleState !== 'Terminated' && before !== t.lastStatus) this.state.instanceChanged(i);
  }

  private instanceChanged(i: SimInstance): void {
    this.delivery.send('aws.ecs', 'ECS Container Instance State Change', this.instanceDetail(i), [i.arn]);
  }

  /** The task as DescribeTasks answers it, times as ISO strings, plus the fields only the event has (events/samples). */
  private taskDetail(t: SimTask): Record<string, unknown> {
    const described = isoDates(describeTask(this.state, t));
    return {
      ...described,
      containers: (described.containers as Array<Record<string, unknown>>).map((c) => ({ ...c, taskArn: t.arn, containerArn: `${t.arn.replace(':task/', ':container/')}/${String(c.name)}` })),
      createdAt: new Date(t.submittedAt).toISOString(),
      updatedAt: new Date(this.state.now).toISOString(),
    };
  }

  private instanceDetail(i: SimInstance): Record<string, unknown> {
    return { ...isoDates(describeInstance(this.state, i)), clusterArn: this.state.clusterArn(), accountType: 'ec2', updatedAt: new Date(this.state.now).toISOString() };
  }
}

/** An SDK answer as JSON carries it: Date fields as ISO strings. */
function isoDates(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
}
