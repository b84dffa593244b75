/**
 * How AWS delivers to ecs-pilot's functions, read from the deployment itself (serverless.yml), so the
 * simulated redelivery follows what is deployed: each function's timeout, its asynchronous-invocation
 * retry settings, the queues' visibility timeout and receive count before the dead-letter queue.
 * The AWS behaviour around these settings (docs/simulation.md, "Faults"):
 * - Lambda asynchronous invocation (EventBridge → function): on a function error, timeouts included,
 *   two more attempts, one minute before the first retry and two minutes before the second
 *   (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html); an event older
 *   than `maximumEventAge` or out of attempts goes to the on-failure destination (the DLQ).
 * - SQS event source mapping: a failed batch (or the failed messages of a partial batch response)
 *   becomes visible again after the queue's visibility timeout; after `maxReceiveCount` receives SQS
 *   moves the message to the dead-letter queue
 *   (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
 * - SDK retries (CLIENT_OPTIONS, src/aws/clients.ts): adaptive mode, 5 attempts; back-off before retry
 *   i (from 0) is a uniform jitter up to min(base × 2^i, 20 s), base 1 s for throttling
 *   (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html; the pinned
 *   @smithy/core retry constants).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Route } from '../../duties/routes.js';

/** Lambda's async retry waits (documented): 1 min before the first retry, 2 min before the second. */
export const ASYNC_RETRY_DELAYS_MS = [60_000, 120_000] as const;
/** The SDK's back-off (pinned @smithy/core): throttling base and the cap of one wait. */
export const SDK_THROTTLE_BACKOFF_BASE_MS = 1_000;
export const SDK_MAX_BACKOFF_MS = 20_000;
export const SDK_MAX_ATTEMPTS = 5;
/**
 * What one AWS call takes from an invocation's time: a model figure, not an AWS one (a regional API
 * round trip of tens of milliseconds), so that long reads count against the function's timeout.
 */
export const CALL_MS = 50;

export interface FunctionDelivery {
  timeoutMs: number;
  /** Asynchronous invocation: retries after a failure and the oldest event still tried. */
  retries: number;
  maxEventAgeMs: number;
}

export interface QueueDelivery {
  visibilityTimeoutMs: number;
  maxReceiveCount: number;
}

export interface Deployment {
  functions: Record<Route | 'state', FunctionDelivery>;
  capacityQueue: QueueDelivery;
  stateQueue: QueueDelivery;
}

interface ServerlessYml {
  provider: { timeout?: number };
  functions: Record<string, { timeout?: number; maximumRetryAttempts?: number; maximumEventAge?: number }>;
  resources: Array<string | { Resources?: Record<string, { Properties?: { VisibilityTimeout?: number; RedrivePolicy?: { maxReceiveCount?: number } } }> }>;
}

/** Lambda's defaults when a function sets none: 2 retries, events kept 6 hours (documented). */
const DEFAULT_RETRIES = 2;
const DEFAULT_EVENT_AGE_S = 6 * 3600;

export function readDeployment(path = 'serverless.yml'): Deployment {
  const yml = parse(readFileSync(path, 'utf8'), { merge: true }) as ServerlessYml;
  const fn = (name: string): FunctionDelivery => {
    const f = yml.functions[name];
    if (!f) throw new Error(`${path} has no function ${name}`);
    return { timeoutMs: (f.timeout ?? yml.provider.timeout ?? 6) * 1000, retries: f.maximumRetryAttempts ?? DEFAULT_RETRIES, maxEventAgeMs: (f.maximumEventAge ?? DEFAULT_EVENT_AGE_S) * 1000 };
  };
  const resources = Object.assign({}, ...yml.resources.flatMap((r) => (typeof r === 'object' && r.Resources ? [r.Resources] : [])));
  const queue = (name: string): QueueDelivery => {
    const p = resources[name]?.Properties;
    if (!p?.VisibilityTimeout || !p.RedrivePolicy?.maxReceiveCount) throw new Error(`${path}: ${name} has no VisibilityTimeout or RedrivePolicy.maxReceiveCount`);
    return { visibilityTimeoutMs: p.VisibilityTimeout * 1000, maxReceiveCount: p.RedrivePolicy.maxReceiveCount };
  };
  const names = ['spot', 'rebalance', 'lifecycle', 'capacity', 'reconcile', 'batch', 'scaling', 'state'] as const;
  return { functions: Object.fromEntries(names.map((n) => [n, fn(n)])) as Deployment['functions'], capacityQueue: queue('CapacityQueue'), stateQueue: queue('StateQueue') };
}
