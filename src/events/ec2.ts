/**
 * EC2 spot interruption warnings, rebalance recommendations and instance state changes (source `aws.ec2`).
 *
 * Sample (events/ec2-spot-instance-interruption-warning.json):
 *   { "detail-type": "EC2 Spot Instance Interruption Warning", "source": "aws.ec2",
 *     "time": "2026-11-24T12:00:00Z",
 *     "detail": { "instance-id": "i-1234567890abcdef0", "instance-action": "terminate" } }
 */
import { z } from 'zod';
import { eventModule } from './module.js';

export const InstanceId = z.string().regex(/^i-[0-9a-f]{8,17}$/, 'expected an EC2 instance id (i-…)');

export const spotInterruption = eventModule({
  source: 'aws.ec2',
  detailType: 'EC2 Spot Instance Interruption Warning',
  detail: z.looseObject({ 'instance-id': InstanceId, 'instance-action': z.enum(['terminate', 'stop', 'hibernate']) }),
  toDomain: (base, d) => ({ ...base, kind: 'spot-interruption', instanceId: d['instance-id'], action: d['instance-action'] }),
});

export const rebalanceRecommendation = eventModule({
  source: 'aws.ec2',
  detailType: 'EC2 Instance Rebalance Recommendation',
  detail: z.looseObject({ 'instance-id': InstanceId }),
  toDomain: (base, d) => ({ ...base, kind: 'rebalance-recommendation', instanceId: d['instance-id'] }),
});

/**
 * Sample (events/samples/ec2-instance-state-change-notification.terminated.json):
 *   { "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
 *     "detail": { "instance-id": "i-1234567890abcdef0", "state": "terminated" } }
 */
export const instanceStateChange = eventModule({
  source: 'aws.ec2',
  detailType: 'EC2 Instance State-change Notification',
  detail: z.looseObject({ 'instance-id': InstanceId, state: z.enum(['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated']) }),
  toDomain: (base, d) => ({ ...base, kind: 'instance-state-change', instanceId: d['instance-id'], state: d.state }),
});
