import type { MiddlewareObj } from '@middy/core';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { ThrottlingError, TransientError } from './errors';

type SdkError = Parameters<typeof isThrottlingError>[0];

/**
 * Maps an AWS SDK error to ThrottlingError or TransientError when the SDK's own classification (the one
 * its retry strategy uses) says it is one, so the state machine's Retry can match it by name; any other
 * error is returned as it is. The SDK has already retried it a few times by then.
 */
export function classifyAwsError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const sdkError = error as SdkError;
  const label = `${error.name || (error as { code?: string }).code}: ${error.message}`;
  if (isThrottlingError(sdkError)) return new ThrottlingError(label, { cause: error });
  if (isTransientError(sdkError) || isServerError(sdkError)) {
    return new TransientError(label, { cause: error });
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
