/**
 * The fault plan in action: whether a fault strikes now (seeded, one stream per kind, only before the
 * plan's end) and what was injected, per kind.
 */
import type { FaultKind, FaultPlan } from './plan.js';
import { stream, type Random } from '../random.js';

/** What was injected, per kind, and what the redelivery did with it. */
export interface FaultCounts {
  /** Calls failed before they applied. */
  'api-error': number;
  /** Calls failed because every attempt was throttled (`throttledAttempts`: attempts throttled in all). */
  throttle: number;
  throttledAttempts: number;
  /** Writes applied whose caller got an error (the state store's included). */
  'lost-response': number;
  /** Invocations that stopped after k of their calls. */
  crash: number;
  'event-drop': number;
  'event-duplicate': number;
  'event-delay': number;
  /** Invocations that acted on a stale view in a separate container. */
  overlap: number;
  /** Invocations killed at their function's timeout. */
  timeouts: number;
  /** Events or messages delivered again after a failed invocation (Lambda async retries, SQS). */
  redeliveries: number;
  /** Events or messages that ended in the dead-letter queue. */
  deadLettered: number;
}

export const noFaultCounts = (): FaultCounts => ({
  'api-error': 0,
  throttle: 0,
  throttledAttempts: 0,
  'lost-response': 0,
  crash: 0,
  'event-drop': 0,
  'event-duplicate': 0,
  'event-delay': 0,
  overlap: 0,
  timeouts: 0,
  redeliveries: 0,
  deadLettered: 0,
});

export class FaultInjector {
  public readonly counts = noFaultCounts();
  private readonly streams = new Map<string, Random>();
  private readonly untilMs: number;

  public constructor(
    public readonly plan: FaultPlan,
    startMs: number,
  ) {
    this.untilMs = startMs + plan.untilSeconds * 1000;
  }

  /** Whether faults are still injected at `ms` (after the plan's end, recovery is measured). */
  public active(ms: number): boolean {
    return ms < this.untilMs;
  }

  public get untilAt(): number {
    return this.untilMs;
  }

  /** A draw of the named stream (kinds, and the sizes of what they inject: delays, k). */
  public random(name: string): number {
    let r = this.streams.get(name);
    if (!r) {
      r = stream(this.plan.seed, name);
      this.streams.set(name, r);
    }
    return r();
  }

  /** Whether a fault of `kind` strikes at `ms`: drawn only while it is active and has a rate, so a plan without it draws nothing. */
  public strikes(kind: Exclude<FaultKind, 'event-delay'>, ms: number): boolean {
    const rate = this.plan.rates[kind] ?? 0;
    if (rate <= 0 || !this.active(ms)) return false;
    return this.random(kind) < rate;
  }
}
