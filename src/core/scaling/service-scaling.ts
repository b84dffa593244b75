/**
 * Service scaling (docs/service-scaling.md): step scaling on CloudWatch alarms and scheduled bounds,
 * for ECS services — with the instances for new tasks asked for in the same step. Stateless: the
 * service carries its state in tags (`ecs-pilot:scaled-at`, `ecs-pilot:scaled-by` for the cooldown
 * and duplicates; `ecs-pilot:min-tasks`, `ecs-pilot:max-tasks` set by schedules).
 */
import type { ScalingStep, ServiceScalingRule } from '../config-schema.js';
import type { Action } from '../actions.js';

export const SERVICE_TAGS = { scaledAt: 'ecs-pilot:scaled-at', scaledBy: 'ecs-pilot:scaled-by', minTasks: 'ecs-pilot:min-tasks', maxTasks: 'ecs-pilot:max-tasks' } as const;

/** What the decision needs to know of the service. */
export interface ServiceState {
  cluster: string;
  name: string;
  arn: string;
  desired: number;
  /** Tasks with scale-in protection on: a scale-in never goes below them. */
  protectedTasks: number;
  tags: Record<string, string>;
}

export interface AlarmSignal {
  eventId: string;
  alarmName: string;
  state: string;
  metricValue: number | undefined;
  threshold: number | undefined;
  suppressed: boolean;
}

/** The rule's bounds, as the latest schedule set them (tags) or the config's. */
export function bounds(rule: ServiceScalingRule, s: ServiceState): { min: number; max: number } {
  const tag = (k: string): number | undefined => (s.tags[k] !== undefined && Number.isFinite(Number(s.tags[k])) ? Number(s.tags[k]) : undefined);
  return { min: tag(SERVICE_TAGS.minTasks) ?? rule.minTasks, max: tag(SERVICE_TAGS.maxTasks) ?? rule.maxTasks };
}

/** The step for (value − threshold): bands are [lower, upper). Without a datapoint, the band holding 0. */
export function stepFor(steps: ScalingStep[], delta: number): ScalingStep | undefined {
  return steps.find((s) => (s.lower ?? -Infinity) <= delta && delta < (s.upper ?? Infinity));
}

/** Applies a step to the current count; a percentage moves at least one task (AWS rounds toward zero, magnitude ≥ 1). */
export function applyStep(step: ScalingStep, desired: number): number {
  if (step.set !== undefined) return step.set;
  if (step.add !== undefined) return desired + step.add;
  const change = (desired * (step.addPercent ?? 0)) / 100;
  const rounded = change >= 0 ? Math.floor(change) : Math.ceil(change);
  return desired + (rounded === 0 && change !== 0 ? Math.sign(change) : rounded);
}

export type ScalingDecision = { change: Action; why: string } | { skip: string };

/** What an alarm's transition does to the service's desired count. */
export function decideAlarmScaling(rule: ServiceScalingRule, signal: AlarmSignal, s: ServiceState, now: Date): ScalingDecision {
  const alarm = rule.alarms.find((a) => a.alarm === signal.alarmName);
  if (!alarm) return { skip: `alarm ${signal.alarmName} drives no rule of ${s.name}` };
  // ALARM applies the steps; OK applies the scale-in steps, when the rule has them.
  const steps = signal.state === 'ALARM' ? alarm.steps : signal.state === 'OK' ? alarm.okSteps : undefined;
  if (!steps) return { skip: `alarm ${signal.alarmName} is ${signal.state}` };
  if (signal.suppressed) return { skip: `actions of alarm ${signal.alarmName} are suppressed` };
  if (s.tags[SERVICE_TAGS.scaledBy] === signal.eventId) return { skip: `already scaled for event ${signal.eventId}` };
  const last = Date.parse(s.tags[SERVICE_TAGS.scaledAt] ?? '');
  if (!Number.isNaN(last) && (now.getTime() - last) / 1000 < rule.cooldownSeconds) {
    return { skip: `inside the cooldown: scaled ${Math.round((now.getTime() - last) / 1000)} s ago, cooldown ${rule.cooldownSeconds} s` };
  }
  const delta = signal.metricValue !== undefined && signal.threshold !== undefined ? signal.metricValue - signal.threshold : 0;
  const step = stepFor(steps, delta);
  if (!step) return { skip: `no step of alarm ${signal.alarmName} covers ${delta}` };
  const { min, max } = bounds(rule, s);
  let target = Math.min(max, Math.max(min, applyStep(step, s.desired)));
  if (target < s.desired) target = Math.max(target, s.protectedTasks);
  if (target === s.desired) return { skip: `${s.name} stays at ${s.desired} (bounds ${min}..${max}${s.protectedTasks > 0 ? `, ${s.protectedTasks} protected` : ''})` };
  const why = `alarm ${signal.alarmName}${signal.state === 'OK' ? ' OK' : ''}${signal.metricValue !== undefined ? ` at ${signal.metricValue} (threshold ${signal.threshold})` : ''}: ${step.set !== undefined ? `set ${step.set}` : step.add !== undefined ? `add ${step.add}` : `add ${step.addPercent} %`}`;
  return {
    change: { kind: 'setServiceDesiredCount', cluster: s.cluster, service: s.name, serviceArn: s.arn, desiredCount: target, previous: s.desired, stamp: { at: now.toISOString(), by: signal.eventId }, reason: why },
    why,
  };
}

/** A scheduled rule: new bounds (kept on the service) and, if given, a desired count; the count is clamped into the bounds. */
export function decideScheduledScaling(rule: ServiceScalingRule, index: number, eventId: string, s: ServiceState, now: Date): Action[] {
  const r = rule.schedules[index];
  if (!r) return [];
  const min = r.minTasks ?? bounds(rule, s).min;
  const max = r.maxTasks ?? bounds(rule, s).max;
  const actions: Action[] = [];
  if (String(min) !== s.tags[SERVICE_TAGS.minTasks] || String(max) !== s.tags[SERVICE_TAGS.maxTasks]) {
    actions.push({ kind: 'setServiceBounds', serviceArn: s.arn, minTasks: min, maxTasks: max, reason: `schedule ${r.schedule} (${r.timezone})` });
  }
  let target = Math.min(max, Math.max(min, r.desired ?? s.desired));
  if (target < s.desired) target = Math.max(target, s.protectedTasks);
  if (target !== s.desired && s.tags[SERVICE_TAGS.scaledBy] !== eventId) {
    actions.push({ kind: 'setServiceDesiredCount', cluster: s.cluster, service: s.name, serviceArn: s.arn, desiredCount: target, previous: s.desired, stamp: { at: now.toISOString(), by: eventId }, reason: `schedule ${r.schedule}: ${min}..${max} tasks${r.desired !== undefined ? `, desired ${r.desired}` : ''}` });
  }
  return actions;
}
