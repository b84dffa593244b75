/**
 * The SDK retry behaviour ecs-pilot's clients are configured with (src/aws/clients.ts): the adaptive
 * mode, 5 attempts. The behaviour is the SDK's own AdaptiveRetryStrategy over a fake HTTP handler; its
 * two clocks are injected so nothing sleeps: the back-off (random up to an exponential ceiling) through
 * the strategy's `backoff` option, and the client-side rate limiter through a clock the test moves.
 */
import { Readable } from 'node:stream';
import { ECSClient, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { AdaptiveRetryStrategy, DefaultRateLimiter, Retry } from '@smithy/core/retry';
import type { RetryStrategyV2, StandardRetryBackoffStrategy } from '@smithy/types';
import { readFileSync } from 'node:fs';
import { awsClients, CLIENT_OPTIONS } from '../../src/aws/clients.js';

type Answer = { statusCode: number; body: string };
const THROTTLED: Answer = { statusCode: 400, body: '{"__type":"ThrottlingException","message":"Rate exceeded"}' };
const UNAVAILABLE: Answer = { statusCode: 503, body: '{"__type":"ServerException","message":"unavailable"}' };
const DENIED: Answer = { statusCode: 400, body: '{"__type":"AccessDeniedException","message":"not authorized"}' };
const OK: Answer = { statusCode: 200, body: '{"containerInstanceArns":["arn:ci/1"]}' };

/** A fake HTTP handler: the answers in order (the last repeated), counting the attempts. */
function httpAnswers(answers: Answer[]) {
  const handler = {
    attempts: 0,
    handle: async () => {
      const a = answers[Math.min(handler.attempts++, answers.length - 1)]!;
      return { response: { statusCode: a.statusCode, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: Readable.from([Buffer.from(a.body)]) } };
    },
  };
  return handler;
}

/**
 * The SDK's back-off, recorded instead of slept: each retry's delay base (throttling or not) and the
 * ceiling its random delay is drawn under (base × 2^retry, at most 20 s).
 */
function recordedBackoff() {
  const ceilings: Array<{ base: number; ceiling: number }> = [];
  let base = Retry.delay();
  const backoff: StandardRetryBackoffStrategy = {
    setDelayBase: (delay) => {
      base = delay;
    },
    computeNextBackoffDelay: (retry) => {
      ceilings.push({ base, ceiling: Math.min(base * 2 ** retry, 20_000) });
      return 0;
    },
  };
  return { backoff, ceilings };
}

/** The SDK's adaptive rate limiter on a clock that moves only when the limiter waits (the waits recorded). */
function virtualRateLimiter() {
  const clock = { seconds: 1_000_000, waits: [] as number[] };
  const Limiter = DefaultRateLimiter as unknown as new () => object;
  class VirtualClockLimiter extends Limiter {
    getCurrentTimeInSeconds() {
      return clock.seconds;
    }
  }
  const statics = DefaultRateLimiter as unknown as { setTimeoutFn: (fn: () => void, ms: number) => unknown };
  const realTimeout = statics.setTimeoutFn;
  statics.setTimeoutFn = (fn, ms) => {
    clock.waits.push(ms);
    clock.seconds += ms / 1000;
    fn();
  };
  return { limiter: new VirtualClockLimiter() as unknown as DefaultRateLimiter, clock, restore: () => (statics.setTimeoutFn = realTimeout) };
}

/** ecs-pilot's configured attempts in the SDK's adaptive strategy, as the SDK builds it for `retryMode: 'adaptive'`, with the clocks injected. */
function ecsClient(answers: Answer[]) {
  const http = httpAnswers(answers);
  const { backoff, ceilings } = recordedBackoff();
  const rate = virtualRateLimiter();
  const maxAttempts = CLIENT_OPTIONS.maxAttempts;
  const retryStrategy = new AdaptiveRetryStrategy(maxAttempts, { maxAttempts, baseDelay: Retry.delay(), backoff, rateLimiter: rate.limiter });
  const client = new ECSClient({ ...CLIENT_OPTIONS, retryStrategy, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, requestHandler: http });
  cleanups.push(() => {
    rate.restore();
    client.destroy();
  });
  return { client, http, ceilings, waits: rate.clock.waits };
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const list = (client: ECSClient) => client.send(new ListContainerInstancesCommand({ cluster: 'demo' }));

describe('SDK clients (awsClients): retry configuration', () => {
  it('every client uses the SDK\'s adaptive retry mode with 5 attempts', async () => {
    const clients = awsClients('us-east-1');
    for (const client of [clients.ecs, clients.ec2, clients.autoscaling, clients.cloudwatch]) {
      const config = (client as unknown as { config: { retryStrategy(): Promise<RetryStrategyV2 & { mode: string }>; maxAttempts(): Promise<number> } }).config;
      const strategy = await config.retryStrategy();
      expect(strategy).toBeInstanceOf(AdaptiveRetryStrategy);
      expect(strategy.mode).toBe('adaptive');
      expect(await config.maxAttempts()).toBe(5);
      expect(await (strategy as AdaptiveRetryStrategy).maxAttemptsProvider()).toBe(5);
    }
    expect(CLIENT_OPTIONS).toEqual({ retryMode: 'adaptive', maxAttempts: 5 });
  });
});

describe('SDK adaptive retries with ecs-pilot\'s attempts (no real sleeping)', () => {
  it('retries a throttling and a 5xx answer, then succeeds on the third attempt', async () => {
    const { client, http, ceilings } = ecsClient([THROTTLED, UNAVAILABLE, OK]);
    const out = await list(client);
    expect(out.containerInstanceArns).toEqual(['arn:ci/1']);
    expect(http.attempts).toBe(3);
    expect(out.$metadata.attempts).toBe(3);
    // The throttling answer backs off from the throttling base, the 5xx from the default base, exponentially.
    expect(ceilings).toEqual([
      { base: Retry.throttlingDelay(), ceiling: Retry.throttlingDelay() },
      { base: Retry.delay(), ceiling: Retry.delay() * 2 },
    ]);
  });

  it('slows the client\'s own sending rate after a throttling answer (the adaptive part), not after a 5xx', async () => {
    const throttled = ecsClient([THROTTLED, OK]);
    await list(throttled.client);
    expect(throttled.waits.length).toBeGreaterThan(0);
    expect(throttled.waits.every((ms) => ms > 0)).toBe(true);

    const unavailable = ecsClient([UNAVAILABLE, OK]);
    await list(unavailable.client);
    expect(unavailable.http.attempts).toBe(2);
    expect(unavailable.waits).toEqual([]);
  });

  it('does not retry a client error such as AccessDenied', async () => {
    const { client, http, ceilings } = ecsClient([DENIED, OK]);
    await expect(list(client)).rejects.toThrow('not authorized');
    expect(http.attempts).toBe(1);
    expect(ceilings).toEqual([]);
  });

  it('gives up after 5 attempts of throttling, its worst-case wait well inside the Lambda timeout', async () => {
    const { client, http, ceilings, waits } = ecsClient([THROTTLED]);
    const error = (await list(client).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error & { $metadata: { attempts?: number } };
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('Rate exceeded');
    expect(http.attempts).toBe(CLIENT_OPTIONS.maxAttempts);
    expect(error.$metadata.attempts).toBe(5);
    // 4 retries: back-off ceilings 1 + 2 + 4 + 8 s, plus what the rate limiter waited.
    expect(ceilings.map((c) => c.ceiling)).toEqual([1000, 2000, 4000, 8000]);
    const worstCaseMs = ceilings.reduce((sum, c) => sum + c.ceiling, 0) + waits.reduce((sum, ms) => sum + ms, 0);
    const lambdaTimeoutMs = Number(/^provider:[\s\S]*?^ {2}timeout: (\d+)$/m.exec(readFileSync('serverless.yml', 'utf8'))?.[1]) * 1000;
    expect(lambdaTimeoutMs).toBe(60_000);
    expect(worstCaseMs).toBeLessThan(lambdaTimeoutMs / 2);
  });
});
