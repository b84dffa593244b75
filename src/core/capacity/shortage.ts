/**
 * Launch failures, as every source reports them (the launch-unsuccessful event, a Failed scaling
 * activity, an instance that never registered): the shared contract of issue 20's detection and the
 * planner's memory of unavailable groups (src/core/capacity/unavailable.ts).
 */

export type ShortageClass = 'spot-capacity' | 'spot-quota' | 'vcpu-quota' | 'on-demand-capacity' | 'price' | 'subnet' | 'config' | 'unknown';
export interface LaunchFailure { group: string; asg: string; at: string /* ISO */; activityId?: string; statusMessage: string; class: ShortageClass; source: 'event' | 'activity' | 'registration-timeout'; }

/**
 * A minimal first version (the detection work replaces it with the table of AWS's texts,
 * docs/capacity-shortage.md): AWS's error codes first, as a mixed-instances group prefixes them
 * ("Could not launch Spot Instances. <Code> - …"), then a few of its sentences.
 */
export function classifyLaunchFailure(statusMessage: string): ShortageClass {
  const m = statusMessage;
  const spot = /spot/i.test(m);
  if (/MaxSpotInstanceCountExceeded|Max spot instance count exceeded/i.test(m)) return 'spot-quota';
  if (/VcpuLimitExceeded|vCPU limit/i.test(m)) return 'vcpu-quota';
  if (/SpotMaxPriceTooLow|lower than the minimum required Spot request fulfillment price/i.test(m)) return 'price';
  if (/InsufficientFreeAddressesInSubnet|not enough free addresses in subnet/i.test(m)) return 'subnet';
  if (/InsufficientInstanceCapacity|UnfulfillableCapacity|do not have sufficient .* capacity|no Spot capacity available/i.test(m)) return spot ? 'spot-capacity' : 'on-demand-capacity';
  if (/does not exist|not supported|Invalid|not found|InternalError/i.test(m)) return 'config';
  return 'unknown';
}
