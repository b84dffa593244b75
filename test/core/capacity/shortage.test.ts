/** AWS's StatusMessage texts of failed launches → classes (the table in docs/reference.md, "Launch failures"). */
import { classifyLaunchFailure, classifyLaunchFailureIn, describeLaunchFailure, type ShortageClass } from '../../../src/core/capacity/shortage.js';

describe('Function: classifyLaunchFailure', () => {
  // Each text as AWS writes it; the source of each is in docs/reference.md.
  test.each<[string, ShortageClass]>([
    ['There is no Spot capacity available that matches your request. Launching EC2 instance failed.', 'spot-capacity'],
    ['Could not launch Spot Instances. InsufficientInstanceCapacity - There is no Spot capacity available that matches your request. Launching EC2 instance failed.', 'spot-capacity'],
    ['Could not launch Spot Instances. UnfulfillableCapacity - Unable to fulfill capacity due to your request configuration. Please adjust your request and try again. Launching EC2 instance failed.', 'spot-capacity'],
    ['Could not launch On-Demand Instances. InsufficientInstanceCapacity - We currently do not have sufficient m5.xlarge capacity in the Availability Zone you requested (us-east-1a). Launching EC2 instance failed.', 'on-demand-capacity'],
    [
      'We currently do not have sufficient m5.xlarge capacity in the Availability Zone you requested (us-east-1a). Our system will be working on provisioning additional capacity. You can currently get m5.xlarge capacity by not specifying an Availability Zone in your request or choosing us-east-1b, us-east-1c. Launching EC2 instance failed.',
      'on-demand-capacity',
    ],
    ['Max spot instance count exceeded. Launching EC2 instance failed.', 'spot-quota'],
    ['Could not launch Spot Instances. MaxSpotInstanceCountExceeded - Max spot instance count exceeded. Launching EC2 instance failed.', 'spot-quota'],
    [
      'You have requested more vCPU capacity than your current vCPU limit of 32 allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit. Launching EC2 instance failed.',
      'vcpu-quota',
    ],
    ['Could not launch On-Demand Instances. VcpuLimitExceeded - You have requested more vCPU capacity than your current vCPU limit of 32 allows. Launching EC2 instance failed.', 'vcpu-quota'],
    ['You have requested more instances (11) than your current instance limit of 10 allows for the specified instance type. Launching EC2 instance failed.', 'vcpu-quota'],
    ['Your Spot request price of 0.015 is lower than the minimum required Spot request fulfillment price of 0.0735. Launching EC2 instance failed.', 'price'],
    ["There are not enough free addresses in subnet 'subnet-0123456789abcdef0' to satisfy the requested number of instances. Launching EC2 instance failed.", 'subnet'],
    ["The security group 'sg-0123456789abcdef0' does not exist. Launching EC2 instance failed.", 'config'],
    ["The key pair 'my-key' does not exist. Launching EC2 instance failed.", 'config'],
    ['The requested configuration is currently not supported. Please check the documentation for supported configurations. Launching EC2 instance failed.', 'config'],
    ["Your requested instance type (m5.xlarge) is not supported in your requested Availability Zone (us-east-1e). Please retry your request by not specifying an Availability Zone or choosing us-east-1a. Launching EC2 instance failed.", 'config'],
    ["The image id '[ami-0123456789abcdef0]' does not exist. Launching EC2 instance failed.", 'config'],
    ['Client.InternalError: Client error on launch. Launching EC2 instance failed.', 'config'],
    ['Invalid IAM Instance Profile name. Launching EC2 instance failed.', 'config'],
    ['Something AWS has never said before.', 'unknown'],
  ])('%s → %s', (message, expected) => {
    // Act & Assess
    expect(classifyLaunchFailure(message)).toBe(expected);
  });

  it('takes a plain capacity sentence in a spot group for a spot shortage, an explicit On-Demand one never', () => {
    // Prepare
    const plain = 'We currently do not have sufficient m5.xlarge capacity in the Availability Zone you requested (us-east-1a). Launching EC2 instance failed.';
    const od = 'Could not launch On-Demand Instances. InsufficientInstanceCapacity - We currently do not have sufficient m5.xlarge capacity. Launching EC2 instance failed.';
    // Act & Assess
    expect(classifyLaunchFailureIn(plain, 'spot')).toBe('spot-capacity');
    expect(classifyLaunchFailureIn(plain, 'on-demand')).toBe('on-demand-capacity');
    expect(classifyLaunchFailureIn(od, 'spot')).toBe('on-demand-capacity');
    expect(classifyLaunchFailureIn('Max spot instance count exceeded.', 'on-demand')).toBe('spot-quota');
  });

  it('names the group, the activity and its class in a record line', () => {
    // Act
    const line = describeLaunchFailure({ group: 'spot', asg: 'spot-asg', at: '2026-01-01T00:00:00Z', activityId: 'a-1', statusMessage: 'Max spot instance count exceeded.', class: 'spot-quota', source: 'event' });
    // Assess
    expect(line).toContain('spot (spot-asg)');
    expect(line).toContain('activity a-1');
    expect(line).toContain('spot-quota');
  });
});
