/**
 * Launches that fail, as EC2 Auto Scaling documents them (docs/simulation.md, "Capacity shortages"):
 * a shortage makes a (market, type, AZ) pool of a group unable to launch for a while; the group keeps
 * its desired capacity, records a `Failed` scaling activity with AWS's status message, sends
 * `EC2 Instance Launch Unsuccessful` (best effort: some dropped at `launchEventDropRate`) and retries
 * every `asgRetrySeconds`; a pool that is not short takes the launch instead (the mixed-instances
 * group's fall-over to other types and AZs). Also: the scaling activities DescribeScalingActivities
 * answers, the on-demand base UpdateAutoScalingGroup sets, and instances that never register with ECS.
 */
import { mulberry32 } from '../random.js';
import type { Group } from '../../core/model.js';
import type { Scenario } from '../scenario.js';
import type { ClusterState, ScalingActivity } from '../state.js';
import type { EventDelivery, Timeline } from './clock.js';

export type ShortageError = 'spot-capacity' | 'spot-quota' | 'vcpu-quota' | 'on-demand-capacity' | 'config';
export type Market = 'spot' | 'on-demand';

export interface Shortage {
  group: string;
  from: number;
  until: number;
  error: ShortageError;
  types?: string[] | undefined;
  azs?: string[] | undefined;
}

/**
 * Seconds from the attempt to the `Failed` activity and its event: every public sample shows 1–5 s
 * (research: parallelcluster#1944, autoscaler#1263); AWS publishes no figure.
 */
const FAILURE_RECORDED_MS = 2_000;

const ERROR_MARKET: Record<ShortageError, Market | undefined> = {
  'spot-capacity': 'spot',
  'spot-quota': 'spot',
  'vcpu-quota': 'on-demand',
  'on-demand-capacity': 'on-demand',
  config: undefined,
};

/** AWS's status message for the error, as a mixed-instances group writes it (market and EC2 code first) or a plain one. */
export function statusMessage(error: ShortageError, type: string, az: string, otherAzs: string[], mixed: boolean): string {
  const prefix = (market: string, code: string) => (mixed ? `Could not launch ${market} Instances. ${code} - ` : '');
  switch (error) {
    case 'spot-capacity':
      return `${prefix('Spot', 'InsufficientInstanceCapacity')}There is no Spot capacity available that matches your request. Launching EC2 instance failed.`;
    case 'spot-quota':
      return `${prefix('Spot', 'MaxSpotInstanceCountExceeded')}Max spot instance count exceeded. Launching EC2 instance failed.`;
    case 'vcpu-quota':
      return `${prefix('On-Demand', 'VcpuLimitExceeded')}You have requested more vCPU capacity than your current vCPU limit of 32 allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit. Launching EC2 instance failed.`;
    case 'on-demand-capacity':
      return `${prefix('On-Demand', 'InsufficientInstanceCapacity')}We currently do not have sufficient ${type} capacity in the Availability Zone you requested (${az}). Our system will be working on provisioning additional capacity. You can currently get ${type} capacity by not specifying an Availability Zone in your request or choosing ${otherAzs.join(', ')}. Launching EC2 instance failed.`;
    case 'config':
      return "The security group 'sg-0ecs0pilot0sim00000' does not exist. Launching EC2 instance failed.";
  }
}


export interface LaunchFailureParts {
  state: ClusterState;
  delivery: EventDelivery;
  timeline: Timeline;
  settings: Scenario['settings'];
}

export class LaunchFailures {
  private readonly shortages: Shortage[] = [];
  /** Per group name: when the group tries again after a failed launch. */
  private readonly retryAt = new Map<string, number>();
  /** Per group name: launches still to come that will never register with ECS. */
  private readonly neverRegisterLeft = new Map<string, number>();
  /** Instances (container-instance ARNs) that never register. */
  public readonly neverRegistering = new Set<string>();
  /** Time of each failed launch attempt, and its activity id (for the run's metrics). */
  public readonly failures: Array<{ at: number; group: string; activityId: string }> = [];
  /** Writes of desired capacity per group name (SetDesiredCapacity, UpdateAutoScalingGroup, ECS managed scaling). */
  public readonly desiredWrites = new Map<string, number[]>();
  private seq = 0;
  /** Deterministic [0, 1): a run with dropped or delayed events is repeatable. */
  private readonly random = mulberry32(0x2545f491);

  public constructor(private readonly w: LaunchFailureParts) {}

  public addShortage(s: Shortage): void {
    this.shortages.push(s);
  }

  public neverRegister(group: string, count: number): void {
    this.neverRegisterLeft.set(group, (this.neverRegisterLeft.get(group) ?? 0) + count);
  }

  /** Whether the next launch in the group is one that never registers (counts it down). */
  public takeNeverRegister(group: string): boolean {
    const left = this.neverRegisterLeft.get(group) ?? 0;
    if (left <= 0) return false;
    this.neverRegisterLeft.set(group, left - 1);
    return true;
  }

  public wroteDesired(group: string): void {
    const list = this.desiredWrites.get(group) ?? [];
    list.push(this.w.state.now);
    this.desiredWrites.set(group, list);
  }

  /** The group waits for its next retry after a failed launch. */
  public waiting(group: string): boolean {
    return (this.retryAt.get(group) ?? 0) > this.w.state.now;
  }

  /** The shortage that stops a launch in this pool now, if any. */
  public shortageFor(group: string, market: Market, type: string, az: string): Shortage | undefined {
    const now = this.w.state.now;
    return this.shortages.find(
      (s) =>
        s.group === group &&
        s.from <= now &&
        now < s.until &&
        (ERROR_MARKET[s.error] === undefined || ERROR_MARKET[s.error] === market) &&
        (!s.types || s.types.includes(type)) &&
        (!s.azs || s.azs.includes(az)),
    );
  }

  /** A launch failed in every pool the group could use: the activity, the event, the retry. */
  public failed(group: Group, shortage: Shortage, type: string, az: string, from: number, to: number): void {
    const { state, delivery, timeline, settings } = this.w;
    const now = state.now;
    const activityId = this.id(group.asg);
    const allAzs = [...new Set([...state.instances.values()].map((i) => i.az))].sort();
    const mixed = (group.launch?.kind ?? 'mixedInstancesPolicy') === 'mixedInstancesPolicy' || group.launch?.kind === 'instanceRequirements';
    const message = statusMessage(shortage.error, type, az, allAzs.filter((x) => x !== az), mixed);
    const subnet = `subnet-0${az.replace(/[^a-z0-9]/g, '')}`.slice(0, 24);
    const end = now + FAILURE_RECORDED_MS;
    const activity: ScalingActivity = {
      ActivityId: activityId,
      AutoScalingGroupName: group.asg,
      Description: `Launching a new EC2 instance.  Status Reason: ${message}`,
      Cause: `At ${iso(now)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${from} to ${to}.`,
      StartTime: new Date(now),
      EndTime: new Date(end),
      StatusCode: 'Failed',
      StatusMessage: message,
      Progress: 100,
      Details: JSON.stringify({ 'Subnet ID': subnet, 'Availability Zone': az }),
    };
    this.record(activity);
    this.failures.push({ at: now, group: group.name, activityId });
    this.retryAt.set(group.name, now + settings.asgRetrySeconds * 1000);
    timeline.at(end, () => {
      if (settings.launchEventDropRate > 0 && this.random() < settings.launchEventDropRate) return;
      delivery.send(
        'aws.autoscaling',
        'EC2 Instance Launch Unsuccessful',
        {
          StatusCode: 'Failed',
          AutoScalingGroupName: group.asg,
          ActivityId: activityId,
          Details: { 'Availability Zone': az, 'Subnet ID': subnet },
          RequestId: activityId,
          StatusMessage: message,
          EndTime: iso(end),
          // No instance was created: AWS does not document the value for this case (research §1.2).
          EC2InstanceId: '',
          StartTime: iso(now),
          Cause: activity.Cause,
        },
        [`arn:aws:autoscaling:${state.region}:${state.account}:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/${group.asg}`],
      );
    });
  }

  /** A launch that succeeded: its activity (Successful once the instance is in service). */
  public launched(asg: string, ec2InstanceId: string, from: number, to: number, inServiceAt: number): void {
    const now = this.w.state.now;
    this.record({
      ActivityId: this.id(asg),
      AutoScalingGroupName: asg,
      Description: `Launching a new EC2 instance: ${ec2InstanceId}`,
      Cause: `At ${iso(now)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${from} to ${to}.`,
      StartTime: new Date(now),
      EndTime: new Date(inServiceAt),
      StatusCode: 'Successful',
      Progress: 100,
      Details: '{}',
    });
  }

  private record(a: ScalingActivity): void {
    const asg = a.AutoScalingGroupName ?? '';
    const list = this.w.state.scalingActivities.get(asg) ?? [];
    list.unshift(a);
    this.w.state.scalingActivities.set(asg, list);
  }

  private id(asg: string): string {
    this.seq += 1;
    const hex = this.seq.toString(16).padStart(12, '0');
    return `${asg.length.toString(16).padStart(8, '0')}-5a5a-4000-8000-${hex}`;
  }

}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
