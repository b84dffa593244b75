/**
 * A token bucket, the shape of ECS's own request throttling (docs/api-budget.md): `capacity` tokens at
 * most, refilled at `refillPerSecond`. Pure: the caller passes the time, in milliseconds.
 */
export interface TokenBucket {
  readonly capacity: number;
  readonly refillPerSecond: number;
  tokens: number;
  /** When `tokens` was last brought up to date (ms). */
  at: number;
}

export function tokenBucket(capacity: number, refillPerSecond: number, nowMs: number): TokenBucket {
  return { capacity, refillPerSecond, tokens: capacity, at: nowMs };
}

/**
 * Takes one token: 0 when one was there, else how many ms until one will be (the token is then
 * already spent, so callers queued behind wait their own turn).
 */
export function take(bucket: TokenBucket, nowMs: number): number {
  const elapsed = Math.max(0, nowMs - bucket.at);
  bucket.tokens = Math.min(bucket.capacity, bucket.tokens + (elapsed * bucket.refillPerSecond) / 1000);
  bucket.at = Math.max(bucket.at, nowMs);
  bucket.tokens -= 1;
  return bucket.tokens >= 0 ? 0 : Math.ceil((-bucket.tokens * 1000) / bucket.refillPerSecond);
}
