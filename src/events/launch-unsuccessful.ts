/**
 * Auto Scaling could not launch an instance (source `aws.autoscaling`, best-effort delivery: the
 * reconcile's backstop reads the scaling activities too). Issue 20; docs/reference.md "Launch failures".
 *
 * Sample (events/samples/ec2-instance-launch-unsuccessful.basic.json, AWS's event reference):
 *   { "detail-type": "EC2 Instance Launch Unsuccessful", "source": "aws.autoscaling",
 *     "resources": ["auto-scaling-group-arn", "instance-arn"],
 *     "detail": { "StatusCode": "Failed", "AutoScalingGroupName": "my-auto-scaling-group",
 *                 "ActivityId": "87654321-4321-4321-4321-210987654321",
 *                 "Details": { "Availability Zone": "us-west-2b", "Subnet ID": "subnet-12345678" },
 *                 "RequestId": "…", "StatusMessage": "message-text", "EndTime": "…",
 *                 "EC2InstanceId": "i-1234567890abcdef0", "StartTime": "…", "Cause": "description-text" } }
 * A launch that created no instance: AWS does not document `EC2InstanceId` then, so it may be empty or absent.
 */
import { z } from 'zod';
import { eventModule } from './module.js';

export const launchUnsuccessful = eventModule({
  source: 'aws.autoscaling',
  detailType: 'EC2 Instance Launch Unsuccessful',
  detail: z.looseObject({
    StatusCode: z.string().min(1),
    AutoScalingGroupName: z.string().min(1),
    ActivityId: z.string().min(1),
    StatusMessage: z.string().default(''),
    StartTime: z.string().optional(),
    EndTime: z.string().optional(),
    Cause: z.string().optional(),
    EC2InstanceId: z.string().optional(),
    Details: z.looseObject({ 'Availability Zone': z.string().optional(), 'Subnet ID': z.string().optional() }).optional(),
  }),
  toDomain: (base, d) => ({
    ...base,
    kind: 'launch-unsuccessful',
    asg: d.AutoScalingGroupName,
    activityId: d.ActivityId,
    statusCode: d.StatusCode,
    statusMessage: d.StatusMessage,
    startTime: d.StartTime ?? base.time,
    az: d.Details?.['Availability Zone'],
    subnet: d.Details?.['Subnet ID'],
    instanceId: d.EC2InstanceId ? d.EC2InstanceId : undefined,
  }),
});
