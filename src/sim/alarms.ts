/**
 * Simulated CloudWatch alarms: states set by the test or scenario (`set`), answered to DescribeAlarms
 * as CloudWatch does — metric and composite alarms only when asked for by AlarmTypes (without it,
 * metric alarms only), at most 100 names, the reason data carrying the latest datapoint.
 */
import type * as CloudWatch from '@aws-sdk/client-cloudwatch';
import type { Handlers } from './commands.js';
import { SimulatedServiceError } from './state.js';

export interface SimAlarm {
  name: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  composite?: boolean;
  value?: number;
  threshold?: number;
  updatedAt: Date;
}

export class SimulatedAlarms {
  private readonly alarms = new Map<string, SimAlarm>();

  public set(alarm: SimAlarm): void {
    this.alarms.set(alarm.name, alarm);
  }

  public readonly handlers: Handlers<typeof CloudWatch> = {
    DescribeAlarms: (input) => this.describeAlarms(input),
  };

  private describeAlarms(input: CloudWatch.DescribeAlarmsCommandInput) {
    const names = input.AlarmNames ?? [...this.alarms.keys()];
    if (names.length > 100) throw new SimulatedServiceError('InvalidParameterValue', 'AlarmNames can have at most 100 items');
    const types: string[] = input.AlarmTypes ?? ['MetricAlarm'];
    const found = names.flatMap((n) => (this.alarms.has(n) ? [this.alarms.get(n) as SimAlarm] : []));
    const shape = (a: SimAlarm) => ({
      AlarmName: a.name,
      StateValue: a.state,
      StateUpdatedTimestamp: a.updatedAt,
      ...(a.value !== undefined ? { StateReasonData: JSON.stringify({ version: '1.0', recentDatapoints: [a.value], threshold: a.threshold }) } : {}),
    });
    return {
      MetricAlarms: types.includes('MetricAlarm') ? found.filter((a) => !a.composite).map((a) => ({ ...shape(a), ...(a.threshold !== undefined ? { Threshold: a.threshold } : {}) })) : [],
      CompositeAlarms: types.includes('CompositeAlarm') ? found.filter((a) => a.composite).map(shape) : [],
    };
  }
}
