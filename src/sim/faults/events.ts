/**
 * Event faults on every route (a function's rule, the capacity queue, the state queue): each delivery
 * of an event to one target may be dropped, sent twice (the copy up to DUPLICATE_LAG_MS later:
 * at-least-once delivery), or held back a uniform time up to `event-delay` seconds — which also
 * reorders events. Targets are independent, as EventBridge delivers to each rule target on its own.
 */
import type { FaultInjector } from './injector.js';

/** How much later a duplicate arrives at most: a model figure (EventBridge documents no bound). */
export const DUPLICATE_LAG_MS = 30_000;

export interface Delivery<T> {
  to: T;
  event: Record<string, unknown>;
}

interface Held<T> extends Delivery<T> {
  at: number;
  seq: number;
}

export class EventFaults<T> {
  private held: Array<Held<T>> = [];
  private seq = 0;

  public constructor(private readonly injector: FaultInjector) {}

  /** The deliveries due at `ms`: those held back until now first, then the fresh ones not delayed. */
  public due(ms: number, fresh: Array<Delivery<T>>): Array<Delivery<T>> {
    const f = this.injector;
    const maxDelay = (f.plan.rates['event-delay'] ?? 0) * 1000;
    for (const d of fresh) {
      if (f.strikes('event-drop', ms)) {
        f.counts['event-drop'] += 1;
        continue;
      }
      let at = ms;
      if (maxDelay > 0 && f.active(ms)) {
        const delay = Math.round(f.random('event-delay') * maxDelay);
        if (delay > 0) f.counts['event-delay'] += 1;
        at += delay;
      }
      this.held.push({ ...d, at, seq: this.seq++ });
      if (f.strikes('event-duplicate', ms)) {
        f.counts['event-duplicate'] += 1;
        this.held.push({ ...d, at: at + Math.round(f.random('event-duplicate-lag') * DUPLICATE_LAG_MS), seq: this.seq++ });
      }
    }
    const due = this.held.filter((h) => h.at <= ms).sort((a, b) => a.at - b.at || a.seq - b.seq);
    if (due.length > 0) this.held = this.held.filter((h) => h.at > ms);
    return due.map(({ to, event }) => ({ to, event }));
  }
}
