import type { RetryErrorInfo, RetryErrorType, RetryStrategyV2, RetryToken } from '@smithy/types';
import {
  type AwsCredentials,
  awsClient,
  type ClientInstrument,
  type InstrumentableClient,
} from '../lambdas/shared/aws';

/**
 * How the baselines' SDK clients retry: as a script written for AWS's rate limits would, not as the SDK
 * does by default. The standard mode gives up on a throttled call after 3 attempts, and sooner once its
 * retry quota (500 tokens, 5 a throttled retry, shared by every call of the client) is spent: at N = 10,000
 * the batched script's 8 StartInstances of 1,000 IDs wait most of an hour for EC2's resource bucket
 * (2 a second), and gave up within a minute. So:
 *
 * - Throttled attempts are retried for as long as the script's `patienceMs` (from the call's first
 *   attempt), with no retry quota: capped exponential backoff with full jitter, the SDK's own figures
 *   (1 s doubling, capped at 20 s), so a call gets through once the service's bucket has refilled.
 * - Any other error fails fast, as in the standard mode: a transient one (a reset connection, a timeout)
 *   is retried up to 3 attempts in all, the others (a client or server error) not at all.
 *
 * Every wait is a `setTimeout` of whole milliseconds and every time a `Date.now()`, looked up when called,
 * so in modelled runs the virtual clock controls them all. Not the SDK's `adaptive` mode, which AWS
 * recommends for scripts: its rate limiter (`DefaultRateLimiter`) sleeps fractions of a millisecond, which
 * the fake timers fire at once without moving the clock, so it spins for ever at one instant.
 */

/** Backoff bases: the SDK's (its `Retry.throttlingDelay()` and `Retry.delay()`). */
const THROTTLING_BASE_MS = 1_000;
const TRANSIENT_BASE_MS = 50;
/** The SDK's cap on one backoff (`MAXIMUM_RETRY_DELAY`). */
const MAX_DELAY_MS = 20_000;
/** Attempts of a call that keeps failing transiently: the SDK's default. */
const TRANSIENT_ATTEMPTS = 3;

export interface BaselineRetryOptions {
  /** How long, from a call's first attempt, its throttled attempts are retried. */
  readonly patienceMs: number;
}

/** Why a failed attempt is not retried; the SDK throws the attempt's own error in its place. */
export class RetryRefusedError extends Error {
  constructor(errorType: RetryErrorType, attempts: number) {
    super(`Not retrying a ${errorType} error after ${attempts} attempt(s)`);
    this.name = 'RetryRefusedError';
  }
}

class BaselineRetryToken implements RetryToken {
  readonly $retryLog: { acquisitionDelay: number };

  constructor(
    /** Retries so far. */
    readonly retries: number,
    /** Of those, retries of transient errors. */
    readonly transientRetries: number,
    /** When the call's first attempt was made (epoch ms). */
    readonly since: number,
    waitedMs: number,
  ) {
    this.$retryLog = { acquisitionDelay: waitedMs };
  }

  getRetryCount(): number {
    return this.retries;
  }

  /** Zero: the strategy has already waited the backoff before handing the token back, as the SDK's does. */
  getRetryDelay(): number {
    return 0;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Full jitter: a uniform draw up to the capped exponential backoff of the `retry`-th retry. */
function backoffMs(baseMs: number, retry: number): number {
  return Math.floor(Math.random() * Math.min(baseMs * 2 ** retry, MAX_DELAY_MS));
}

export class BaselineRetryStrategy implements RetryStrategyV2 {
  /** The SDK mode it stands in for, sent in the user agent. */
  readonly mode = 'standard';

  constructor(private readonly options: BaselineRetryOptions) {}

  async acquireInitialRetryToken(): Promise<RetryToken> {
    return new BaselineRetryToken(0, 0, Date.now(), 0);
  }

  async refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    const previous =
      token instanceof BaselineRetryToken
        ? token
        : new BaselineRetryToken(token.getRetryCount(), 0, Date.now(), 0);
    const { errorType } = errorInfo;
    const attempts = previous.retries + 1;
    const throttledInTime =
      errorType === 'THROTTLING' && Date.now() - previous.since < this.options.patienceMs;
    const transientLeft = errorType === 'TRANSIENT' && previous.transientRetries + 1 < TRANSIENT_ATTEMPTS;
    if (!throttledInTime && !transientLeft) throw new RetryRefusedError(errorType, attempts);

    const delayMs = throttledInTime
      ? backoffMs(THROTTLING_BASE_MS, previous.retries)
      : backoffMs(TRANSIENT_BASE_MS, previous.transientRetries);
    // A Retry-After the service sent is honoured, within the cap.
    const hinted = errorInfo.retryAfterHint ? errorInfo.retryAfterHint.getTime() - Date.now() : 0;
    const waitMs = Math.max(delayMs, Math.min(hinted, MAX_DELAY_MS));
    await sleep(waitMs);
    return new BaselineRetryToken(
      attempts,
      previous.transientRetries + (throttledInTime ? 0 : 1),
      previous.since,
      waitMs,
    );
  }

  /** Nothing to record: no retry quota to refill. */
  recordSuccess(): void {}
}

/** What a baseline's clients are built from: the reactor's AWS options, and the retry above. */
export interface BaselineAwsOptions {
  readonly region?: string;
  readonly endpoint?: string;
  readonly credentials?: AwsCredentials;
  readonly instrument?: readonly ClientInstrument[];
  readonly retry: BaselineRetryOptions;
}

/** A client of `Client` built as every client is (awsClient), with the baselines' retry strategy. */
export function baselineClient<C extends InstrumentableClient>(
  Client: new (config: { retryStrategy?: RetryStrategyV2 }) => C,
  { retry, ...options }: BaselineAwsOptions,
): C {
  return awsClient(Client, { ...options, retryStrategy: new BaselineRetryStrategy(retry) });
}
