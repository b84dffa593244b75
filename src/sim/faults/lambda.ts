/**
 * ecs-pilot's functions as AWS runs them, under a fault plan: events reach each function through its
 * route (with the plan's event faults), direct targets as Lambda asynchronous invocations (retried
 * after a failure, then the dead-letter queue), the capacity and state functions through their SQS
 * queues (a failed message visible again after the visibility timeout, the DLQ after maxReceiveCount
 * receives). Every invocation's calls pass through its `Invocation` (per-call faults, crash, timeout);
 * an overlapping one runs on, unawaited, while the world moves, and its writes land late.
 */
import type { SQSEvent } from 'aws-lambda';
import type { Clients } from '../../aws/clients.js';
import { runDuty, type AnyDuty, type DecisionRecord, type DutyContext } from '../../controller.js';
import type { EventRouter, Route } from '../../duties/routes.js';
import { parseEvent } from '../../events/index.js';
import { runSqsBatch } from '../../handlers/sqs-batch.js';
import { applyStateEvent, type ApplyCounts } from '../../state/apply-events.js';
import type { StateStore } from '../../state/store.js';
import type { SimulatedCluster } from '../world.js';
import { ASYNC_RETRY_DELAYS_MS, type Deployment, type QueueDelivery } from './deployment.js';
import { EventFaults, type Delivery } from './events.js';
import type { FaultInjector } from './injector.js';
import { Invocation, type InvocationEnv, type InvocationSpec } from './invocation.js';

/** A crash stops an invocation after k of its calls, k uniform in [0, CRASH_MAX_CALLS): a spot warning makes about 10, a reconcile about 20. */
export const CRASH_MAX_CALLS = 20;
/** An overlapping invocation's view is up to this old when its writes land. */
export const OVERLAP_MAX_MS = 60_000;
/** SQS batches of up to 100 messages (serverless.yml batchSize). */
const BATCH_SIZE = 100;

export interface FaultyLambdaDeps {
  world: SimulatedCluster;
  injector: FaultInjector;
  deployment: Deployment;
  route: EventRouter;
  duties: Record<Route, AnyDuty>;
  /** The warm container's clients (their caches are shared by its invocations). */
  clients: Clients;
  /** The cluster-state store, when the run uses it. */
  store?: StateStore | undefined;
  /** A duty's context for an invocation at `t`, with its clients and store. */
  context: (t: number, clients: Clients, store: StateStore | undefined) => DutyContext;
  stateCounts: ApplyCounts;
  onDecision?: ((record: DecisionRecord, atMs: number) => void) | undefined;
}

interface AsyncItem {
  fn: Exclude<Route, 'capacity'>;
  event: Record<string, unknown>;
  attempt: number;
  firstAt: number;
  at: number;
  seq: number;
}

interface Message {
  id: string;
  event: Record<string, unknown>;
  receives: number;
  visibleAt: number;
  receivedAt: number;
  inFlight: boolean;
}

/** An SQS queue with a Lambda event source mapping: visibility timeout, receive count, the DLQ. */
class SqsQueue {
  private messages: Message[] = [];
  private seq = 0;

  public constructor(
    private readonly name: string,
    private readonly settings: QueueDelivery,
    private readonly injector: FaultInjector,
  ) {}

  public send(event: Record<string, unknown>, ms: number): void {
    this.messages.push({ id: `${this.name}-${++this.seq}`, event, receives: 0, visibleAt: ms, receivedAt: ms, inFlight: false });
  }

  /** The visible messages, received now, in batches. */
  public receive(ms: number): Message[][] {
    const visible = this.messages.filter((m) => !m.inFlight && m.visibleAt <= ms);
    for (const m of visible) {
      m.inFlight = true;
      m.receives += 1;
      m.receivedAt = ms;
    }
    const batches: Message[][] = [];
    for (let k = 0; k < visible.length; k += BATCH_SIZE) batches.push(visible.slice(k, k + BATCH_SIZE));
    return batches;
  }

  /** Deletes what succeeded; a failed message is visible again after the timeout, or moves to the DLQ. */
  public settle(batch: Message[], failed: ReadonlySet<string>): void {
    const gone = new Set<string>();
    for (const m of batch) {
      m.inFlight = false;
      if (!failed.has(m.id)) gone.add(m.id);
      else if (m.receives >= this.settings.maxReceiveCount) {
        gone.add(m.id);
        this.injector.counts.deadLettered += 1;
      } else {
        m.visibleAt = m.receivedAt + this.settings.visibilityTimeoutMs;
        this.injector.counts.redeliveries += 1;
      }
    }
    this.messages = this.messages.filter((m) => !gone.has(m.id));
  }
}

export class FaultyLambda {
  /** Failed invocations (async: one each; SQS: one per failed message), as `controllerErrors`. */
  public controllerErrors = 0;
  /** Invocations that started after the faults stopped and still failed. */
  public failedAfterRecovery = 0;
  private readonly routes: EventFaults<Route>;
  private readonly stateRoute: EventFaults<'state'>;
  private readonly capacity: SqsQueue;
  private readonly stateQueue: SqsQueue;
  private asyncQueue: AsyncItem[] = [];
  private asyncSeq = 0;
  private holds: Array<{ at: number; resolve: () => void }> = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly env: InvocationEnv;

  public constructor(private readonly d: FaultyLambdaDeps) {
    this.routes = new EventFaults(d.injector);
    this.stateRoute = new EventFaults(d.injector);
    this.capacity = new SqsQueue('capacity', d.deployment.capacityQueue, d.injector);
    this.stateQueue = new SqsQueue('state', d.deployment.stateQueue, d.injector);
    this.env = {
      injector: d.injector,
      now: () => d.world.now,
      handle: (service, command, input) => d.world.handle(service, command, input),
      holdUntil: (ms) => new Promise((resolve) => this.holds.push({ at: ms, resolve })),
    };
  }

  /**
   * One tick at `t`: held writes due land, then the state function, the events due (`events`: the
   * world's and the schedule's) to their functions, due async retries, then the capacity queue.
   */
  public async tick(t: number, events: Array<Record<string, unknown>>, stateEvents: Array<Record<string, unknown>>): Promise<void> {
    await this.release(t);
    const { route, store } = this.d;
    if (store) {
      for (const d of this.stateRoute.due(t, stateEvents.filter((e) => route.toStore(e)).map((event) => ({ to: 'state' as const, event })))) this.stateQueue.send(d.event, t);
      for (const batch of this.stateQueue.receive(t)) await this.runState(batch, t);
    }
    const fresh: Array<Delivery<Route>> = events.flatMap((event) => route.duties(event).map((to) => ({ to, event })));
    for (const d of this.routes.due(t, fresh)) {
      if (d.to === 'capacity') this.capacity.send(d.event, t);
      else this.asyncQueue.push({ fn: d.to, event: d.event, attempt: 0, firstAt: t, at: t, seq: this.asyncSeq++ });
    }
    const due = this.asyncQueue.filter((a) => a.at <= t).sort((a, b) => a.at - b.at || a.seq - b.seq);
    this.asyncQueue = this.asyncQueue.filter((a) => a.at > t);
    for (const item of due) await this.runAsync(item, t);
    for (const batch of this.capacity.receive(t)) await this.runCapacity(batch, t);
  }

  /** The end of the run: held writes land, overlapping invocations finish. */
  public async finish(): Promise<void> {
    while (this.holds.length > 0 || this.inFlight.size > 0) {
      await this.release(Number.POSITIVE_INFINITY);
      await Promise.all([...this.inFlight]);
    }
  }

  private async release(t: number): Promise<void> {
    const due = this.holds.filter((h) => h.at <= t);
    if (due.length === 0) return;
    this.holds = this.holds.filter((h) => h.at > t);
    for (const h of due) h.resolve();
    // The released invocations run on (their next calls are answered at once) before the tick goes on.
    await new Promise((resolve) => setImmediate(resolve));
  }

  private begin(fn: InvocationSpec['fn'], t: number): Invocation {
    const f = this.d.injector;
    const spec: InvocationSpec = { fn, startedAt: t, timeoutMs: this.d.deployment.functions[fn].timeoutMs };
    if (f.strikes('crash', t)) {
      f.counts.crash += 1;
      spec.crashAfter = Math.floor(f.random('crash-after') * CRASH_MAX_CALLS);
    }
    if (fn !== 'state' && f.strikes('overlap', t)) {
      f.counts.overlap += 1;
      spec.overlapMs = Math.max(1, Math.round(f.random('overlap-lag') * OVERLAP_MAX_MS));
    }
    return new Invocation(spec, this.env);
  }

  /** Awaited, or — an overlapping invocation — left running while the world moves on. */
  private async run(inv: Invocation, done: Promise<void>): Promise<void> {
    if (inv.spec.overlapMs === undefined) return done;
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }

  private failed(inv: Invocation, messages = 1): void {
    this.controllerErrors += messages;
    if (inv.spec.startedAt >= this.d.injector.untilAt) this.failedAfterRecovery += 1;
  }

  private async runAsync(item: AsyncItem, t: number): Promise<void> {
    const inv = this.begin(item.fn, t);
    const clients = inv.clients(this.d.clients.caches);
    const store = this.d.store ? inv.store(this.d.store) : undefined;
    const work = async (): Promise<boolean> => {
      try {
        const record = await runDuty(this.d.duties[item.fn], item.event, this.d.context(t, clients, store) as never);
        this.d.onDecision?.(record, t);
        return inv.finish() === undefined;
      } catch {
        inv.finish();
        return false;
      }
    };
    await this.run(
      inv,
      work().then((ok) => {
        if (!ok) this.retryAsync(item, inv);
      }),
    );
  }

  /** Lambda's asynchronous retries: after 1 then 2 minutes while the event is young enough, then the DLQ. */
  private retryAsync(item: AsyncItem, inv: Invocation): void {
    this.failed(inv);
    const f = this.d.deployment.functions[item.fn];
    const at = this.d.world.now + (ASYNC_RETRY_DELAYS_MS[Math.min(item.attempt, ASYNC_RETRY_DELAYS_MS.length - 1)] ?? 0);
    if (item.attempt < f.retries && at - item.firstAt <= f.maxEventAgeMs) {
      this.d.injector.counts.redeliveries += 1;
      this.asyncQueue.push({ ...item, attempt: item.attempt + 1, at, seq: this.asyncSeq++ });
    } else this.d.injector.counts.deadLettered += 1;
  }

  private async runCapacity(batch: Message[], t: number): Promise<void> {
    const inv = this.begin('capacity', t);
    const clients = inv.clients(this.d.clients.caches);
    const store = this.d.store ? inv.store(this.d.store) : undefined;
    const all = new Set(batch.map((m) => m.id));
    const sqs = { Records: batch.map((m) => ({ messageId: m.id, body: JSON.stringify(m.event) })) } as unknown as SQSEvent;
    const work = async (): Promise<Set<string>> => {
      try {
        const { response, records } = await runSqsBatch(this.d.duties.capacity, sqs, this.d.context(t, clients, store) as never);
        for (const record of records) this.d.onDecision?.(record, t);
        return inv.finish() ? all : new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
      } catch {
        inv.finish();
        return all;
      }
    };
    await this.run(
      inv,
      work().then((failed) => {
        if (failed.size > 0) this.failed(inv, failed.size);
        this.capacity.settle(batch, failed);
      }),
    );
  }

  /** The state function: each message's event applied to the store; a failed one is redelivered. */
  private async runState(batch: Message[], t: number): Promise<void> {
    const inv = this.begin('state', t);
    const store = inv.store(this.d.store as StateStore);
    const failed = new Set<string>();
    for (const m of batch) {
      try {
        const parsed = parseEvent(m.event);
        if (parsed.outcome === 'parsed') await applyStateEvent(store, parsed.event, new Date(t), this.d.stateCounts);
      } catch {
        failed.add(m.id);
      }
    }
    const all = inv.finish() ? new Set(batch.map((m) => m.id)) : failed;
    if (all.size > 0) this.failed(inv, 0);
    this.stateQueue.settle(batch, all);
  }
}
