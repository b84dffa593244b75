/**
 * CloudWatch alarm state changes, as EventBridge delivers them and as an alarm's Lambda action does
 * (that shape has no detail-type: `alarmActionToEnvelope` rewrites it first).
 *
 * Sample (events/samples/cloudwatch-alarm-state-change.single-metric.json):
 *   { "detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch",
 *     "detail": { "alarmName": "ServerCpuTooHigh", "state": { "value": "ALARM",
 *                 "reasonData": "{…\"recentDatapoints\":[99.5],\"threshold\":50.0}" }, … } }
 */
import { z } from 'zod';
import { eventModule } from './module.js';

const State = z.looseObject({
  value: z.string().min(1),
  reason: z.string().optional(),
  reasonData: z.string().optional(),
  timestamp: z.string().optional(),
  actionsSuppressedBy: z.string().optional(),
});

/** The latest datapoint and the threshold of an alarm's reason data (events and DescribeAlarms alike). */
export function datapoint(reasonData: string | undefined): { value: number | undefined; threshold: number | undefined } {
  if (!reasonData) return { value: undefined, threshold: undefined };
  try {
    const d = JSON.parse(reasonData) as { recentDatapoints?: unknown; threshold?: unknown };
    const points = Array.isArray(d.recentDatapoints) ? d.recentDatapoints.filter((x): x is number => typeof x === 'number') : [];
    return { value: points[points.length - 1], threshold: typeof d.threshold === 'number' ? d.threshold : undefined };
  } catch {
    return { value: undefined, threshold: undefined };
  }
}

export const alarmStateChange = eventModule({
  source: 'aws.cloudwatch',
  detailType: 'CloudWatch Alarm State Change',
  detail: z.looseObject({ alarmName: z.string().min(1), state: State, previousState: State.optional() }),
  toDomain: (base, d) => {
    const { value, threshold } = datapoint(d.state.reasonData);
    return {
      ...base,
      kind: 'alarm-state-change',
      alarmName: d.alarmName,
      state: d.state.value,
      previousState: d.previousState?.value,
      metricValue: value,
      threshold,
      suppressed: d.state.actionsSuppressedBy !== undefined && d.state.actionsSuppressedBy !== 'None',
    };
  },
});

/** CloudWatch writes `+0000`; ISO 8601 parsers want `+00:00`. */
const isoOffset = (t: unknown): unknown => (typeof t === 'string' ? t.replace(/([+-]\d{2})(\d{2})$/, '$1:$2') : t);

/**
 * An alarm's direct Lambda action (`{ source, alarmArn, accountId, time, region, alarmData }`) as the
 * EventBridge event it stands for; its id is the alarm and the state's timestamp, so a redelivery is
 * recognised. Anything else is returned unchanged.
 */
export function alarmActionToEnvelope(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const r = raw as Record<string, unknown>;
  if (r.source !== 'aws.cloudwatch' || typeof r.alarmData !== 'object' || r.alarmData === null || 'detail-type' in r) return raw;
  const data = r.alarmData as { state?: { timestamp?: string } };
  return {
    version: '0',
    id: `${String(r.alarmArn ?? 'alarm')}@${data.state?.timestamp ?? String(r.time)}`,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: r.accountId,
    time: isoOffset(r.time),
    region: r.region,
    resources: typeof r.alarmArn === 'string' ? [r.alarmArn] : [],
    detail: r.alarmData,
  };
}

export const serviceScalingSchedule = eventModule({
  source: 'ecs-pilot.scheduler',
  detailType: 'Service Scaling Schedule',
  detail: z.looseObject({ cluster: z.string().min(1), service: z.string().min(1), schedule: z.number().int().nonnegative() }),
  toDomain: (base, d) => ({ ...base, kind: 'service-scaling-schedule', cluster: d.cluster, service: d.service, schedule: d.schedule }),
});
