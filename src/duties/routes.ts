/**
 * Which of ecs-pilot's functions an event reaches, decided by what the deployment itself wires
 * (serverless/events.cjs): the EventBridge rules' patterns, the reconcile's schedule rules and the
 * EventBridge Scheduler schedules (jobs, service scaling) with their fixed inputs. Replay and the
 * simulator route with it, so they give the duties what the deployed ones would get — no more (an
 * ACTIVE container-instance change reaches no duty), no less.
 *
 * Pattern matching as EventBridge documents it ("Amazon EventBridge event patterns"): every field of
 * the pattern must match; a list matches any of its values; `prefix` / `suffix` match strings; a
 * pattern on an array of the event matches when any element matches.
 */
import type { ControllerConfig } from '../config/schema.js';
import { alarmActionToEnvelope } from '../events/cloudwatch.js';

/** The functions of serverless.yml (by logical name) and the capacity queue, as duty names. */
const TARGETS = { Spot: 'spot', Rebalance: 'rebalance', Lifecycle: 'lifecycle', Batch: 'batch', Scaling: 'scaling', Reconcile: 'reconcile', CapacityQueue: 'capacity' } as const;
export type Route = (typeof TARGETS)[keyof typeof TARGETS];

type Pattern = Record<string, unknown>;
interface RuleSpec {
  pattern?: Pattern;
  schedule?: string;
  fn?: string;
  queue?: string;
}
interface ScheduleResource {
  Type: string;
  Properties?: { Target?: { Arn: { 'Fn::GetAtt': [string, string] }; Input?: string } };
}
interface Wiring {
  ruleSpecs(config: ControllerConfig): Record<string, RuleSpec>;
  schedules(config: ControllerConfig): Record<string, ScheduleResource>;
}

export interface EventRouter {
  /** The duties an event reaches, each once; none: no rule or schedule of the deployment sends it. */
  duties(event: unknown): Route[];
  /** Whether it reaches the state queue (the state function, the store). */
  toStore(event: unknown): boolean;
}

const target = (name: string | undefined): Route | undefined => (name && name in TARGETS ? TARGETS[name as keyof typeof TARGETS] : undefined);

/** The router of the stack this config deploys. */
export async function deployedRouter(config: ControllerConfig): Promise<EventRouter> {
  // A variable path: the .cjs is loaded at run time (tsx and jest both resolve it next to this file).
  const path = '../../serverless/events.cjs';
  const mod = (await import(path)) as Partial<Wiring> & { default?: Wiring };
  const wiring = mod.ruleSpecs && mod.schedules ? (mod as Wiring) : mod.default;
  if (!wiring) throw new Error('serverless/events.cjs exports no ruleSpecs and schedules');
  const specs = Object.values(wiring.ruleSpecs(config));
  const patterns = specs.flatMap((r) => (r.pattern ? [{ pattern: r.pattern, to: target(r.fn ?? r.queue), state: r.queue === 'StateQueue' }] : []));
  // A schedule rule sends EventBridge's "Scheduled Event" (aws.events) to its function.
  const scheduledEvent = { source: ['aws.events'], 'detail-type': ['Scheduled Event'] };
  const ticks = specs.flatMap((r) => (r.schedule ? [{ pattern: scheduledEvent, to: target(r.fn), state: false }] : []));
  // A Scheduler schedule invokes its function with a fixed input: an event with that source, type and detail.
  const scheduled = Object.values(wiring.schedules(config)).flatMap((r) => {
    const t = r.Properties?.Target;
    if (r.Type !== 'AWS::Scheduler::Schedule' || !t?.Input) return [];
    const input = JSON.parse(t.Input) as { source: string; 'detail-type': string; detail: Record<string, unknown> };
    const detail = Object.fromEntries(Object.entries(input.detail).map(([k, v]) => [k, [v]]));
    const fn = t.Arn['Fn::GetAtt'][0].replace(/LambdaFunction$/, '');
    return [{ pattern: { source: [input.source], 'detail-type': [input['detail-type']], detail }, to: target(fn), state: false }];
  });
  const all = [...patterns, ...ticks, ...scheduled];
  return {
    duties(event) {
      // An alarm's direct Lambda action is read as the EventBridge event it stands for (as the handlers do).
      const e = alarmActionToEnvelope(event);
      const out = new Set<Route>();
      for (const r of all) if (r.to && matches(r.pattern, e)) out.add(r.to);
      return [...out];
    },
    toStore: (event) => all.some((r) => r.state && matches(r.pattern, event)),
  };
}

export function matches(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(value)) return value.some((v) => matches(pattern, v));
  if (Array.isArray(pattern)) return pattern.some((p) => matchesValue(p, value));
  if (typeof pattern === 'object' && pattern !== null) {
    if (typeof value !== 'object' || value === null) return false;
    return Object.entries(pattern).every(([k, p]) => k in value && matches(p, (value as Record<string, unknown>)[k]));
  }
  return false;
}

function matchesValue(p: unknown, value: unknown): boolean {
  if (typeof p === 'object' && p !== null) {
    const m = p as { prefix?: string; suffix?: string };
    if (typeof value !== 'string') return false;
    if (m.prefix !== undefined) return value.startsWith(m.prefix);
    if (m.suffix !== undefined) return value.endsWith(m.suffix);
    return false;
  }
  return p === value;
}
