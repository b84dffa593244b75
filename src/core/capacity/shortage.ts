/**
 * When a raise does not turn into instances (issue 20): the shared words of detection and fallback.
 * A LaunchFailure is what the capacity duty (the `EC2 Instance Launch Unsuccessful` event), the
 * reconcile's backstop (a `Failed` scaling activity) or the registration timeout found; the class
 * says whether another market, type or group can help. The table of AWS's texts, each with its
 * source, is in docs/reference.md ("Launch failures").
 */

export type ShortageClass = 'spot-capacity' | 'spot-quota' | 'vcpu-quota' | 'on-demand-capacity' | 'price' | 'subnet' | 'config' | 'unknown';

export const SHORTAGE_CLASSES: readonly ShortageClass[] = ['spot-capacity', 'spot-quota', 'vcpu-quota', 'on-demand-capacity', 'price', 'subnet', 'config', 'unknown'];

export interface LaunchFailure {
  /** The configured group (capacity provider) name. */
  group: string;
  asg: string;
  /** ISO time of the failed activity (its StartTime), or when the registration timeout expired. */
  at: string;
  activityId?: string;
  /** AWS's StatusMessage (or, for a registration timeout, ecs-pilot's own text). */
  statusMessage: string;
  class: ShortageClass;
  source: 'event' | 'activity' | 'registration-timeout';
}

/**
 * AWS's texts, first match wins. A mixed-instances group prefixes the EC2 error code
 * ("Could not launch Spot Instances. InsufficientInstanceCapacity - …"), so codes come first; then
 * the sentences AWS writes without a code. Sources per row: docs/reference.md.
 */
const RULES: ReadonlyArray<{ match: RegExp; class: ShortageClass }> = [
  // Error codes as a mixed-instances group writes them ("Could not launch <market> Instances. <Code> - …").
  { match: /Could not launch Spot Instances\. (InsufficientInstanceCapacity|UnfulfillableCapacity|InsufficientCapacity)\b/i, class: 'spot-capacity' },
  { match: /Could not launch On-Demand Instances\. (InsufficientInstanceCapacity|UnfulfillableCapacity|InsufficientCapacity)\b/i, class: 'on-demand-capacity' },
  { match: /\bMaxSpotInstanceCountExceeded\b|Max spot instance count exceeded/i, class: 'spot-quota' },
  { match: /\b(VcpuLimitExceeded|InstanceLimitExceeded)\b|more vCPU capacity than your current vCPU limit|more instances \(\d+\) than your current instance limit/i, class: 'vcpu-quota' },
  { match: /\bSpotMaxPriceTooLow\b|Your Spot request price of .* is lower than the minimum required Spot request fulfillment price/i, class: 'price' },
  { match: /\bInsufficientFreeAddressesInSubnet\b|not enough free addresses in subnet/i, class: 'subnet' },
  // Sentences without a code.
  { match: /There is no Spot capacity available that matches your request|UnfulfillableCapacity/i, class: 'spot-capacity' },
  { match: /We currently do not have sufficient .* capacity in the Availability Zone you requested|\bInsufficientInstanceCapacity\b|insufficient capacity/i, class: 'on-demand-capacity' },
  {
    match:
      /security group .*does not exist|key pair .*does not exist|The requested configuration is currently not supported|is not supported in your requested Availability Zone|Invalid device name|Client\.InternalError|image id .*does not exist|InvalidAMIID|InvalidParameterCombination|Invalid IAM Instance Profile|launch template .*does not exist|not authorized to perform|InvalidParameterValue|Invalid(Group|KeyPair|Subnet)\b/i,
    class: 'config',
  },
];

/** AWS's StatusMessage of a failed launch → its class (docs/reference.md, "Launch failures"). */
export function classifyLaunchFailure(statusMessage: string): ShortageClass {
  return RULES.find((r) => r.match.test(statusMessage))?.class ?? 'unknown';
}

/**
 * The class for a group: EC2's plain capacity sentence ("We currently do not have sufficient <type>
 * capacity…") names no market, so in a spot group it is a spot shortage.
 */
export function classifyLaunchFailureIn(statusMessage: string, lifecycle: 'spot' | 'on-demand'): ShortageClass {
  const c = classifyLaunchFailure(statusMessage);
  return c === 'on-demand-capacity' && lifecycle === 'spot' && !/On-Demand/i.test(statusMessage) ? 'spot-capacity' : c;
}

/** One line for a decision record: the group, the activity and its class. */
export function describeLaunchFailure(f: LaunchFailure): string {
  const activity = f.activityId ? ` activity ${f.activityId}` : '';
  return `launch failed in ${f.group} (${f.asg})${activity}: ${f.class} (${f.source}) — ${f.statusMessage}`;
}
