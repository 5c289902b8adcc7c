import type { TokenBucket } from '../rate-limits';

/** A bucket's level when it was last drawn from. Tokens below zero are owed: callers queue behind them. */
export interface BucketLevel {
  readonly tokens: number;
  /** Epoch milliseconds. */
  readonly at: number;
}

/** What drawing from a bucket did: its new level, and how long the caller must wait before its call. */
export interface Draw {
  readonly level: BucketLevel;
  readonly waitMs: number;
}

/**
 * Draws `count` tokens from a bucket last seen at `level` (a full bucket when never seen), refilled for
 * the time since. The tokens are taken at once, even those not there yet: the caller waits until they
 * would have come back, and whoever draws next queues behind it, so concurrent callers keep to the
 * sustained rate together. A request larger than the bucket is counted as a full bucket, or it could
 * never go.
 */
export function draw(bucket: TokenBucket, level: BucketLevel | undefined, count: number, now: number): Draw {
  const elapsedMs = level === undefined ? 0 : Math.max(0, now - level.at);
  const before =
    level === undefined
      ? bucket.burst
      : Math.min(bucket.burst, level.tokens + (elapsedMs / 1000) * bucket.refillPerSecond);
  const after = before - Math.min(count, bucket.burst);
  const waitMs = after >= 0 ? 0 : Math.ceil((-after / bucket.refillPerSecond) * 1000);
  return { level: { tokens: after, at: now }, waitMs };
}
