/**
 * Which of ecs-pilot's functions EventBridge invokes for an event, decided by the deployment's own rules
 * (serverless/events.cjs, the patterns the stack deploys), so the simulated duties get what the deployed
 * ones would — no more (ACTIVE container-instance changes reach no duty), no less.
 *
 * Pattern matching as EventBridge documents it ("Amazon EventBridge event patterns"): every field of the
 * pattern must match; a list matches any of its values; `prefix` / `suffix` match strings; a pattern on an
 * array of the event matches when any element matches.
 */
import type { ControllerConfig } from '../config/schema.js';
import type { DUTIES } from '../duties/index.js';

type Pattern = Record<string, unknown>;
interface RuleSpec {
  pattern?: Pattern;
  fn?: string;
  queue?: string;
}

/** A function of serverless.yml (by its logical name) or the capacity queue → the duty that runs it here. */
const TARGETS: Record<string, keyof typeof DUTIES> = { Spot: 'spot', Rebalance: 'rebalance', Lifecycle: 'lifecycle', Batch: 'batch', Scaling: 'scaling', Reconcile: 'reconcile', CapacityQueue: 'capacity' };

export interface EventRouter {
  /** The duties an event reaches, each once. */
  duties(event: Record<string, unknown>): Array<keyof typeof DUTIES>;
  /** Whether it reaches the state queue (the state function, the store). */
  toStore(event: Record<string, unknown>): boolean;
}

/** The rules of the stack this config deploys, as a router. */
export async function rulesRouter(config: ControllerConfig): Promise<EventRouter> {
  // A variable path: the .cjs is loaded at run time (tsx and jest both resolve it next to this file).
  const path = '../../serverless/events.cjs';
  const mod = (await import(path)) as { ruleSpecs?: RuleSpecs; default?: { ruleSpecs: RuleSpecs } };
  const ruleSpecs = mod.ruleSpecs ?? mod.default?.ruleSpecs;
  if (!ruleSpecs) throw new Error('serverless/events.cjs exports no ruleSpecs');
  const rules = Object.values(ruleSpecs(config)).filter((r): r is RuleSpec & { pattern: Pattern } => r.pattern !== undefined);
  const stateRules = rules.filter((r) => r.queue === 'StateQueue');
  return {
    duties(event) {
      const out = new Set<keyof typeof DUTIES>();
      for (const r of rules) {
        const duty = TARGETS[r.fn ?? r.queue ?? ''];
        if (duty && matches(r.pattern, event)) out.add(duty);
      }
      return [...out];
    },
    toStore: (event) => stateRules.some((r) => matches(r.pattern, event)),
  };
}
type RuleSpecs = (config: ControllerConfig) => Record<string, RuleSpec>;

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
