/**
 * Reads the configured alarms' current state (CloudWatch DescribeAlarms, ≤ 100 names per call,
 * metric and composite alarms — without AlarmTypes CloudWatch returns metric alarms only), so the
 * reconcile loop can keep stepping while an alarm stays in ALARM: CloudWatch sends a state change
 * only on the transition.
 */
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { AlarmReading } from '../core/scaling/alarm-steps.js';
import { datapoint } from '../events/cloudwatch.js';
import { API_LIMITS, chunks } from './batch.js';
import type { Clients } from './clients.js';
import { paginate } from './paginate.js';

export async function readAlarms(clients: Clients, names: string[]): Promise<AlarmReading[]> {
  const out: AlarmReading[] = [];
  for (const batch of chunks([...new Set(names)], API_LIMITS.describe)) {
    const pages = await paginate(async (NextToken) => {
      const page = await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: batch, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], ...(NextToken ? { NextToken } : {}) }));
      return [[...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])], page.NextToken] as const;
    });
    for (const a of pages) {
      if (!a.AlarmName || !a.StateValue) continue;
      const { value, threshold } = datapoint(a.StateReasonData);
      out.push({
        name: a.AlarmName,
        state: a.StateValue,
        metricValue: value,
        threshold: threshold ?? ('Threshold' in a && typeof a.Threshold === 'number' ? a.Threshold : undefined),
        updatedAt: a.StateUpdatedTimestamp?.toISOString(),
      });
    }
  }
  return out;
}
