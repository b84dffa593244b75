/**
 * AWS Health events (source `aws.health`), for EC2 scheduled changes: instance retirement, stop,
 * reboot, network or power maintenance. The affected instances are `affectedEntities[].entityValue`
 * (and `resources`). `startTime` comes as RFC 1123 (`Thu, 1 Nov 2018 22:00:00 GMT`) in recorded
 * events, ISO in the schema reference: both are read.
 *
 * Sample (events/samples/aws-health-event.ec2-persistent-instance-retirement.custodian.json):
 *   { "detail-type": "AWS Health Event", "source": "aws.health", "resources": ["i-0c608386538544571"],
 *     "detail": { "service": "EC2", "eventTypeCategory": "scheduledChange",
 *                 "eventTypeCode": "AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED",
 *                 "startTime": "Thu, 1 Nov 2018 22:00:00 GMT",
 *                 "affectedEntities": [{ "entityValue": "i-0c608386538544571", "tags": {} }] } }
 */
import { z } from 'zod';
import { InstanceId } from './ec2.js';
import { eventModule } from './module.js';

const Time = z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'expected a date (RFC 1123 or ISO 8601)');
const isInstanceId = (v: string): boolean => InstanceId.safeParse(v).success;

export const healthEvent = eventModule({
  source: 'aws.health',
  detailType: 'AWS Health Event',
  detail: z.looseObject({
    service: z.string().min(1),
    eventTypeCategory: z.string().min(1),
    eventTypeCode: z.string().min(1),
    statusCode: z.string().optional(),
    startTime: Time.optional(),
    affectedEntities: z.array(z.looseObject({ entityValue: z.string() })).default([]),
  }),
  toDomain: (base, d, envelope) => ({
    ...base,
    kind: 'health-scheduled-change',
    service: d.service,
    category: d.eventTypeCategory,
    eventTypeCode: d.eventTypeCode,
    statusCode: d.statusCode,
    startTime: d.startTime ? new Date(Date.parse(d.startTime)).toISOString() : undefined,
    instanceIds: [...new Set([...d.affectedEntities.map((e) => e.entityValue), ...envelope.resources].filter(isInstanceId))],
  }),
});
