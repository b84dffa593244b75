/** Domain events: what the decisions see, converted from EventBridge events by `src/events/`. */
import type { InstanceRecord, TaskRecord } from '../state/records.js';

interface Base {
  /** The EventBridge event id: action ids and idempotency derive from it. */
  id: string;
  /** ISO time of the event. */
  time: string;
  source: string;
  detailType: string;
}

export interface SpotInterruption extends Base {
  kind: 'spot-interruption';
  instanceId: string;
  action: 'terminate' | 'stop' | 'hibernate';
}

export interface RebalanceRecommendation extends Base {
  kind: 'rebalance-recommendation';
  instanceId: string;
}

export interface TerminateLifecycleAction extends Base {
  kind: 'terminate-lifecycle-action';
  asg: string;
  hookName: string;
  instanceId: string;
  token: string;
  /** `WarmPool` when the instance goes back to a warm pool rather than being terminated. */
  destination: string | undefined;
}

export interface TaskStateChange extends Base {
  kind: 'task-state-change';
  /** The task as the state store keeps it (the detail is its whole state at `version`). */
  record: TaskRecord;
  cluster: string;
  taskArn: string;
  lastStatus: string;
  desiredStatus: string;
  version: number;
  containerInstanceArn: string | undefined;
  group: string | undefined;
  startedBy: string | undefined;
  capacityProviderName: string | undefined;
  launchType: string | undefined;
  stopCode: string | undefined;
  stoppedReason: string | undefined;
  containers: Array<{ name: string; exitCode: number | undefined; lastStatus: string | undefined }>;
}

export interface ServiceAction extends Base {
  kind: 'service-action';
  cluster: string;
  eventName: string;
  eventType: string;
  service: string | undefined;
  reason: string | undefined;
  capacityProviderArns: string[];
}

/** A RunTask call (through CloudTrail) whose response lists tasks it could not place for lack of resources. */
export interface RunTaskFailure extends Base {
  kind: 'run-task-failure';
  eventName: string;
  cluster: string;
  taskDefinition: string | undefined;
  /** Tasks the response lists with a `RESOURCE:*` failure. */
  failedTasks: number;
  reasons: string[];
  capacityProvider: string | undefined;
  launchType: string | undefined;
  startedBy: string | undefined;
}

export interface ContainerInstanceStateChange extends Base {
  kind: 'container-instance-state-change';
  record: InstanceRecord;
  cluster: string;
  containerInstanceArn: string;
  ec2InstanceId: string;
  status: string;
  version: number;
  runningTasksCount: number;
  pendingTasksCount: number;
  /** The container instance's attributes as the event lists them (ecs-pilot's marks among them). */
  attributes: Record<string, string>;
}

export interface AlarmStateChange extends Base {
  kind: 'alarm-state-change';
  alarmName: string;
  state: string;
  previousState: string | undefined;
  /** The alarm's latest datapoint and threshold, when its reason data has them (metric alarms). */
  metricValue: number | undefined;
  threshold: number | undefined;
  /** Actions suppressed (composite alarm suppressor): nothing should act on it. */
  suppressed: boolean;
}

export interface ServiceScalingSchedule extends Base {
  kind: 'service-scaling-schedule';
  cluster: string;
  service: string;
  /** Index of the schedule in the service's rule. */
  schedule: number;
}

export interface JobSchedule extends Base {
  kind: 'job-schedule';
  job: string;
  manual: boolean;
}

/** An AWS Health scheduled change (retirement, maintenance, reboot, stop) of EC2 instances. */
export interface HealthScheduledChange extends Base {
  kind: 'health-scheduled-change';
  service: string;
  category: string;
  eventTypeCode: string;
  /** `upcoming`, `open` or `closed` (absent in some recorded events). */
  statusCode: string | undefined;
  /** ISO time the change starts, when the event says. */
  startTime: string | undefined;
  instanceIds: string[];
}

/** An EC2 instance changed state (e.g. stopped or terminated outside its Auto Scaling group). */
export interface InstanceStateChange extends Base {
  kind: 'instance-state-change';
  instanceId: string;
  state: 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
}

export interface ScheduledEvent extends Base {
  kind: 'scheduled';
  rule: string | undefined;
  /** The one cluster this tick is for (one schedule per cluster); none: every configured cluster. */
  cluster?: string;
}

/** Auto Scaling could not launch an instance (src/events/launch-unsuccessful.ts). */
export interface LaunchUnsuccessful extends Base {
  kind: 'launch-unsuccessful';
  asg: string;
  activityId: string;
  /** `Failed` (or `Cancelled`, a launch hook abandoned). */
  statusCode: string;
  statusMessage: string;
  /** ISO StartTime of the activity. */
  startTime: string;
  az: string | undefined;
  subnet: string | undefined;
  instanceId: string | undefined;
}

export type DomainEvent =
  | LaunchUnsuccessful
  | SpotInterruption
  | RebalanceRecommendation
  | TerminateLifecycleAction
  | TaskStateChange
  | ServiceAction
  | RunTaskFailure
  | ContainerInstanceStateChange
  | JobSchedule
  | AlarmStateChange
  | ServiceScalingSchedule
  | HealthScheduledChange
  | InstanceStateChange
  | ScheduledEvent;

export type DomainEventKind = DomainEvent['kind'];
