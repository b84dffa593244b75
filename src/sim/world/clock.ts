/**
 * The world's clock and event delivery: happenings scheduled at a simulated time (a spot warning, the
 * reclaim two minutes later, a scenario step), and the EventBridge events on their way to ecs-pilot —
 * each delivered after the latency of its path (docs/simulation.md), the task and container-instance
 * ones also to the state store, some dropped or sent twice when the scenario asks.
 */
import { mulberry32 } from '../random.js';
import type { Scenario } from '../scenario.js';
import type { ClusterState } from '../state.js';

export interface OutboxEvent {
  deliverAt: number;
  event: Record<string, unknown>;
}

/** The world's one id sequence: launched instances, created tasks and sent events number from it. */
export class Sequence {
  private n = 0;
  public next(): number {
    return ++this.n;
  }
}

/** Happenings due at a simulated time, run in time order. */
export class Timeline {
  private readonly scheduled: Array<{ at: number; run: () => void }> = [];

  public at(ms: number, run: () => void): void {
    this.scheduled.push({ at: ms, run });
    this.scheduled.sort((a, b) => a.at - b.at);
  }

  /** Runs what is due by `ms` (a happening may schedule more, due now too). */
  public runDue(ms: number): void {
    while (this.scheduled.length > 0 && (this.scheduled[0]?.at ?? Infinity) <= ms) this.scheduled.shift()?.run();
  }
}

const STATE_DETAIL_TYPES = new Set(['ECS Task State Change', 'ECS Container Instance State Change']);

export class EventDelivery {
  /** Events on their way to ecs-pilot's functions. */
  public readonly outbox: OutboxEvent[] = [];
  /**
   * The task and container-instance events on their way to the state store (the state function, through
   * its queue): the same events as in `outbox`, later, some dropped or sent twice when the scenario asks
   * (`stateEventDropRate`, `stateEventDuplicateRate`).
   */
  public readonly stateOutbox: OutboxEvent[] = [];
  /** Seeded, so a run with drops or duplicates is repeatable. */
  /** Deterministic [0, 1): a run with dropped or delayed events is repeatable. */
  private readonly random = mulberry32(0x9e3779b9);

  public constructor(
    private readonly state: ClusterState,
    private readonly settings: Scenario['settings'],
    private readonly ids: Sequence,
  ) {}

  /** An event a service sends EventBridge now. */
  public send(source: string, detailType: string, detail: Record<string, unknown>, resources: string[]): void {
    const id = `sim-${this.ids.next().toString(16).padStart(8, '0')}`;
    const now = this.state.now;
    const event = { version: '0', id, 'detail-type': detailType, source, account: this.state.account, time: new Date(now).toISOString(), region: this.state.region, resources, detail };
    this.outbox.push({ deliverAt: now + this.latencyOf(source, detailType, detail) * 1000, event });
    if (source !== 'aws.ecs' || !STATE_DETAIL_TYPES.has(detailType)) return;
    const st = this.settings;
    if (st.stateEventDropRate > 0 && this.random() < st.stateEventDropRate) return;
    const storeAt = now + (st.controllerLatencySeconds ?? st.eventBridgeSeconds + st.stateBatchWindowSeconds + st.lambdaStartSeconds) * 1000;
    this.stateOutbox.push({ deliverAt: storeAt, event });
    // At-least-once: a duplicate comes a batching window later (it may also overtake newer versions).
    if (st.stateEventDuplicateRate > 0 && this.random() < st.stateEventDuplicateRate) this.stateOutbox.push({ deliverAt: storeAt + st.stateBatchWindowSeconds * 1000, event });
  }

  /** Events due for delivery by `ms`, removed from the outbox. */
  public deliverable(ms: number): Array<Record<string, unknown>> {
    return takeDue(this.outbox, ms);
  }

  /** Task and container-instance events due at the state store by `ms`, removed from its outbox. */
  public stateDeliverable(ms: number): Array<Record<string, unknown>> {
    return takeDue(this.stateOutbox, ms);
  }


  /**
   * Seconds from an event to ecs-pilot's decision: EventBridge delivery and the Lambda start; the
   * capacity queue's events (PROVISIONING tasks, service actions, CloudTrail) also wait the SQS
   * batching window. Other task events go to functions invoked directly (the batch function).
   */
  private latencyOf(source: string, detailType: string, detail: Record<string, unknown>): number {
    const st = this.settings;
    if (st.controllerLatencySeconds !== undefined) return st.controllerLatencySeconds;
    const queued =
      (source === 'aws.ecs' && detailType !== 'ECS Container Instance State Change' && (detailType !== 'ECS Task State Change' || detail.lastStatus === 'PROVISIONING')) ||
      // Failed launches go to the capacity queue too (serverless/events.cjs, LaunchUnsuccessfulRule).
      (source === 'aws.autoscaling' && detailType === 'EC2 Instance Launch Unsuccessful');
    return st.eventBridgeSeconds + (queued ? st.sqsBatchWindowSeconds : 0) + st.lambdaStartSeconds;
  }
}

/** Removes and returns the events due by `ms`, in the order they were sent. */
function takeDue(box: OutboxEvent[], ms: number): Array<Record<string, unknown>> {
  const due = box.filter((e) => e.deliverAt <= ms);
  if (due.length === 0) return [];
  box.splice(0, box.length, ...box.filter((e) => e.deliverAt > ms));
  return due.map((e) => e.event);
}
