import type { MiddlewareObj } from '@middy/core';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { ThrottlingError, TransientError } from './errors';

type SdkError = Parameters<typeof isThrottlingError>[0];

/**
 * KMS errors that say KMS or a custom key store is failing, not that the key or our access to it
 * changed: KMS answers KMSInvalidStateException or KeyUnavailableException to a cryptographic call on
 * an Enabled key whose CloudHSM or external key store is disconnected or failing, and
 * CustomKeyStoreInvalidStateException when the store is not connected. They may pass on their own.
 */
const KMS_OUTAGE_ERRORS: ReadonlySet<string> = new Set([
  'KMSInternalException',
  'KeyUnavailableException',
  'DependencyTimeoutException',
  'KMSInvalidStateException',
  'CustomKeyStoreInvalidStateException',
  'XksProxyUriUnreachableException',
  'XksProxyInvalidResponseException',
  // The reactor's own names for the same, once a step has classified them.
  'KeyUnavailableError',
  'ThrottlingError',
  'TransientError',
]);

/**
 * What a KMS error says about a key, the one place the reactor decides it:
 * - `denied`: the platform's access was revoked (key policy, grant), or our own role broke: key loss
 *   once confirmed, and the circuit breaker bounds the second case;
 * - `not-found`: KMS cannot find the key, which counts as deleted only with evidence (key-check.ts);
 * - `outage`: throttling, 5xx, timeouts, network errors, a failing custom key store: never key loss;
 * - `other`: a bug or bad input, left to fail the step like any other error.
 */
export type KmsErrorKind = 'denied' | 'not-found' | 'outage' | 'other';

export function kmsErrorKind(error: unknown): KmsErrorKind {
  if (!(error instanceof Error)) return 'other';
  if (error.name === 'AccessDeniedException' || error.name === 'AccessDenied') return 'denied';
  if (error.name === 'NotFoundException') return 'not-found';
  if (KMS_OUTAGE_ERRORS.has(error.name)) return 'outage';
  // The SDK's transient class covers timeouts and network errors (ECONNRESET, ETIMEDOUT...) too.
  const sdkError = error as SdkError;
  return isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError)
    ? 'outage'
    : 'other';
}

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
  if (isTransientError(sdkError) || isServerError(sdkError) || KMS_OUTAGE_ERRORS.has(error.name)) {
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
