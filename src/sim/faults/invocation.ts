/**
 * One Lambda invocation as the fault layer sees it: the calls it makes (to the simulated AWS and to the
 * state store) pass through `call`, which injects the plan's per-call faults, counts the invocation's
 * time against its function's timeout, stops it after a crash, and — for an overlapping invocation —
 * holds its first write back so that it acts on a view up to 60 s old.
 */
import type { Clients } from '../../aws/clients.js';
import type { Route } from '../../duties/routes.js';
import type { StateStore } from '../../state/store.js';
import { newWarmCaches, type WarmCaches } from '../../aws/warm-caches.js';
import { SimulatedServiceError, type Service } from '../state.js';
import { CALL_MS, SDK_MAX_ATTEMPTS, SDK_MAX_BACKOFF_MS, SDK_THROTTLE_BACKOFF_BASE_MS } from './deployment.js';
import type { FaultInjector } from './injector.js';

/** Thrown to every call of an invocation that crashed or timed out: nothing more is sent. */
export class InvocationStoppedError extends Error {
  public constructor(why: 'crash' | 'timeout', fn: string) {
    super(`the ${fn} invocation ${why === 'crash' ? 'crashed' : 'timed out'}: nothing more is sent`);
    this.name = 'InvocationStoppedError';
  }
}

/** Reads are Describe*, List*, Get* and the store's reads; every other command writes. */
export const isWrite = (command: string): boolean => !/^(Describe|List|Get|Query|Scan|BatchGet)/.test(command);

export interface InvocationEnv {
  injector: FaultInjector;
  /** The world's clock (ms): faults are drawn against it. */
  now: () => number;
  /** Answers a command as the simulated account does (throws its errors). */
  handle: (service: Service, command: string, input: Record<string, unknown>) => unknown;
  /** Resolves when the simulation reaches `ms` (an overlapping invocation's held write). */
  holdUntil: (ms: number) => Promise<void>;
}

export interface InvocationSpec {
  fn: Route | 'state';
  startedAt: number;
  timeoutMs: number;
  /** It crashes after this many calls (at its end when it makes no more). */
  crashAfter?: number | undefined;
  /** Its writes wait this long after its start (a stale view). */
  overlapMs?: number | undefined;
}

export class Invocation {
  public calls = 0;
  public elapsedMs = 0;
  public stopped: 'crash' | 'timeout' | undefined;
  private held = false;

  public constructor(
    public readonly spec: InvocationSpec,
    private readonly env: InvocationEnv,
  ) {}

  /** Clients whose calls go through this invocation: the shared warm caches, or (overlap) a container of its own. */
  public clients(caches: WarmCaches): Clients {
    const client = (service: Service) => ({
      send: async (command: { input: object; constructor: { name: string } }) => {
        const name = command.constructor.name.replace(/Command$/, '');
        return this.call(name, () => this.env.handle(service, name, command.input as Record<string, unknown>)) as never;
      },
    });
    return { ecs: client('ecs'), ec2: client('ec2'), autoscaling: client('autoscaling'), cloudwatch: client('cloudwatch'), caches: this.spec.overlapMs !== undefined ? newWarmCaches() : caches } as unknown as Clients;
  }

  /** The state store as this invocation reaches it (its calls are calls of the invocation). */
  public store(store: StateStore): StateStore {
    return {
      applyTask: (c, r, now) => this.call('PutItem:task', () => store.applyTask(c, r, now)),
      applyInstance: (c, r, now) => this.call('PutItem:instance', () => store.applyInstance(c, r, now)),
      resync: (c, live, startedAt) => this.call('BatchWriteItem:resync', () => store.resync(c, live, startedAt)),
      task: (c, arn) => this.call('GetItem', () => store.task(c, arn)),
      read: (c) => this.call('Query', () => store.read(c)),
      meta: (c) => this.call('GetItem:meta', () => store.meta(c)),
    };
  }

  /** Whether the invocation failed as Lambda sees it (a crash also kills one that made all its calls). */
  public finish(): 'crash' | 'timeout' | undefined {
    if (!this.stopped && this.spec.crashAfter !== undefined) this.stopped = 'crash';
    return this.stopped;
  }

  private async call<T>(command: string, apply: () => T | Promise<T>): Promise<Awaited<T>> {
    const { injector } = this.env;
    const { fn, crashAfter, overlapMs, startedAt, timeoutMs } = this.spec;
    if (this.stopped) throw new InvocationStoppedError(this.stopped, fn);
    if (crashAfter !== undefined && this.calls >= crashAfter) {
      this.stopped = 'crash';
      throw new InvocationStoppedError('crash', fn);
    }
    this.calls += 1;
    const write = isWrite(command);
    if (write && overlapMs !== undefined && !this.held) {
      this.held = true;
      await this.env.holdUntil(startedAt + overlapMs);
    }
    const now = this.env.now();
    // Throttling, retried by the SDK: each attempt throttled at the rate; the waits take the invocation's time.
    let throttled = 0;
    while (throttled < SDK_MAX_ATTEMPTS && injector.strikes('throttle', now)) {
      throttled += 1;
      injector.counts.throttledAttempts += 1;
      if (throttled < SDK_MAX_ATTEMPTS) this.elapsedMs += Math.floor(injector.random('throttle-backoff') * Math.min(SDK_THROTTLE_BACKOFF_BASE_MS * 2 ** (throttled - 1), SDK_MAX_BACKOFF_MS));
    }
    this.elapsedMs += CALL_MS * (1 + Math.min(throttled, SDK_MAX_ATTEMPTS - 1));
    if (this.elapsedMs > timeoutMs) {
      this.stopped = 'timeout';
      injector.counts.timeouts += 1;
      throw new InvocationStoppedError('timeout', fn);
    }
    if (throttled === SDK_MAX_ATTEMPTS) {
      injector.counts.throttle += 1;
      throw new SimulatedServiceError('ThrottlingException', `Rate exceeded (${command}, injected: ${SDK_MAX_ATTEMPTS} attempts throttled)`);
    }
    if (injector.strikes('api-error', now)) {
      injector.counts['api-error'] += 1;
      throw new SimulatedServiceError('InternalFailure', `injected: ${command} failed before it applied`, 'server');
    }
    const answer = await apply();
    if (write && injector.strikes('lost-response', now)) {
      injector.counts['lost-response'] += 1;
      throw new SimulatedServiceError('TimeoutError', `injected: ${command} applied, its response lost`, 'server');
    }
    return answer;
  }
}
