import type { MiddlewareObj } from '@middy/core';
import { ThrottlingError, TransientError } from './errors';

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'SlowDown',
]);

const TRANSIENT = new Set([
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
]);

interface AwsLikeError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

/**
 * Maps an AWS SDK error to ThrottlingError or TransientError when it is one, so the state machine's
 * Retry can match it by name; any other error is returned as it is.
 */
export function classifyAwsError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const aws = error as AwsLikeError;
  const name = aws.name ?? '';
  const code = aws.code ?? '';
  const status = aws.$metadata?.httpStatusCode ?? 0;
  if (THROTTLING.has(name) || aws.$retryable?.throttling || status === 429) {
    return new ThrottlingError(`${name}: ${error.message}`, { cause: error });
  }
  if (TRANSIENT.has(name) || TRANSIENT.has(code) || status >= 500) {
    return new TransientError(`${name || code}: ${error.message}`, { cause: error });
  }
  return error;
}

/** Rethrows throttling and transient AWS errors under the names the state machines retry on. */
export function translateAwsErrors(): MiddlewareObj {
  return {
    onError: (request) => {
      request.error = classifyAwsError(request.error) as Error;
    },
  };
}
