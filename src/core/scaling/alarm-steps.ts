/**
 * Alarm scaling that keeps stepping (docs/service-scaling.md). CloudWatch sends an alarm state change
 * only on the transition; Application Auto Scaling's step scaling applies the next step after each
 * cooldown while the alarm stays in ALARM. The reconcile loop does the same from the alarms' current
 * state: for each service, the first configured alarm in ALARM — or OK, when it has `okSteps` —
 * whose step changes the count, once its cooldown is over.
 */
import type { ServiceScalingRule } from '../config-schema.js';
import type { Action } from '../actions.js';
import { decideAlarmScaling, type ServiceState } from './service-scaling.js';

export interface AlarmReading {
  name: string;
  state: string;
  metricValue: number | undefined;
  threshold: number | undefined;
  /** ISO time of the alarm's last state change. */
  updatedAt: string | undefined;
}

/** Alarms of the rule that would act now (before the cooldown check). */
export function actionableAlarms(rule: ServiceScalingRule, readings: readonly AlarmReading[]): AlarmReading[] {
  return rule.alarms.flatMap((a) => {
    const r = readings.find((x) => x.name === a.alarm);
    return r && (r.state === 'ALARM' || (r.state === 'OK' && a.okSteps !== undefined)) ? [r] : [];
  });
}

/** The next step for a service whose alarm stays in its state; undefined with the reason when none applies. */
export function decideAlarmStep(rule: ServiceScalingRule, readings: readonly AlarmReading[], s: ServiceState, now: Date): { change: Action } | { skip: string } {
  const skips: string[] = [];
  for (const r of actionableAlarms(rule, readings)) {
    // A per-tick id: the cooldown, not the id, keeps two ticks from stepping twice.
    const signal = { eventId: `reconcile:${r.name}:${now.toISOString()}`, alarmName: r.name, state: r.state, metricValue: r.metricValue, threshold: r.threshold, suppressed: false };
    const d = decideAlarmScaling(rule, signal, s, now);
    if ('change' in d) return { change: { ...d.change, reason: `${d.change.reason} (still ${r.state} since ${r.updatedAt ?? 'unknown'})` } };
    skips.push(d.skip);
  }
  return { skip: skips.length > 0 ? skips.join('; ') : `no alarm of ${rule.service} in ALARM` };
}
