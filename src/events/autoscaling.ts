/**
 * Auto Scaling terminate lifecycle action (source `aws.autoscaling`).
 *
 * Sample (events/ec2-instance-terminate-lifecycle-action.json):
 *   { "detail-type": "EC2 Instance-terminate Lifecycle Action",
 *     "detail": { "LifecycleActionToken": "…", "AutoScalingGroupName": "my-asg",
 *                 "LifecycleHookName": "my-lifecycle-hook", "EC2InstanceId": "i-1234567890abcdef0",
 *                 "LifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING" } }
 */
import { z } from 'zod';
import { eventModule } from './module.js';

export const terminateLifecycleAction = eventModule({
  source: 'aws.autoscaling',
  detailType: 'EC2 Instance-terminate Lifecycle Action',
  detail: z.looseObject({
    LifecycleActionToken: z.string().min(1),
    AutoScalingGroupName: z.string().min(1),
    LifecycleHookName: z.string().min(1),
    EC2InstanceId: z.string().regex(/^i-[0-9a-f]{8,17}$/, 'expected an EC2 instance id (i-…)'),
    LifecycleTransition: z.literal('autoscaling:EC2_INSTANCE_TERMINATING'),
    Destination: z.string().optional(),
  }),
  toDomain: (base, d) => ({
    ...base,
    kind: 'terminate-lifecycle-action',
    asg: d.AutoScalingGroupName,
    hookName: d.LifecycleHookName,
    instanceId: d.EC2InstanceId,
    token: d.LifecycleActionToken,
    destination: d.Destination,
  }),
});
