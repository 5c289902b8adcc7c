/**
 * Named errors. Step Functions matches Retry and Catch on the error's name, so every error a
 * workflow step can throw on purpose has a class here, and the name is the class name.
 */

abstract class ReactorError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** AWS asked us to slow down (ThrottlingException, RequestLimitExceeded, TooManyRequests...). Retried. */
export class ThrottlingError extends ReactorError {}

/** AWS failed in a way that may pass (5xx, ServiceUnavailable, a network error). Retried. */
export class TransientError extends ReactorError {}

/** Another workflow holds the key's lease. Retried with backoff until the lease is free or expires. */
export class LeaseTakenError extends ReactorError {}

/**
 * This workflow's lease on the key was taken over (it expired while the workflow was stalled): another
 * run acts on the key now, so this one stops acting. Never retried.
 */
export class LeaseLostError extends ReactorError {}

/**
 * DescribeKey says the key does not exist, and nothing shows that it was deleted (no CMK Deletion event,
 * not seen pending deletion past its date): a wrong Region, account or restored table looks just like
 * this, so nothing is stopped. A human decides.
 */
export class KeyNotFoundError extends ReactorError {}

/** The platform may not read the key (its policy or a grant no longer lets us). A human decides. */
export class KeyAccessDeniedError extends ReactorError {}

/** A workflow step got input it does not understand. Never retried. */
export class InvalidInputError extends ReactorError {}

/** An ARN that names no resource kind the reactor supports. */
export class UnsupportedResourceError extends ReactorError {}

/** Required configuration (an environment variable) is missing or malformed. */
export class ConfigurationError extends ReactorError {}

/** An event the dispatcher will not act on: malformed, forged, denied or not for us. Logged, never retried. */
export class RejectedEventError extends ReactorError {}

/** The sweep could not check every key, or EventBridge refused a drift event. The next sweep tries again. */
export class SweepIncompleteError extends ReactorError {}

/** The weekly digest found keys at risk but SES or EventBridge did not take it. The operators' alarm says so. */
export class DigestNotDeliveredError extends ReactorError {}

/**
 * KMS or the key's custom key store is failing: the key is Unavailable (its CloudHSM or external key
 * store is disconnected). An outage, never key loss: nothing stops, the operators are told, and the next
 * check decides.
 */
export class KeyUnavailableError extends ReactorError {}
