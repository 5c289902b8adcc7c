import { randomUUID } from 'node:crypto';
import { keyIdOf } from '../lambdas/shared/arn';
import { LIMITS } from '../lambdas/shared/contract';
import type { KeyEvent, Workflow } from '../lambdas/shared/model';
import { DEPLOYED_PACING, type PacingMode } from '../lambdas/shared/settings';
import type { LocalPlace } from '../sandbox/local-workflows';

/** The settings of a scenario's sides in modelled runs, and the key events the reactor's runs start from. */

/**
 * The reactor's pacing in modelled runs: the deployed one, buckets shared by every execution of the account
 * through DynamoDB, so that K keys at once pace as they would in AWS.
 */
export const MODELLED_PACING: PacingMode = DEPLOYED_PACING;

/**
 * How long, modelled, a baseline polls for its fleet to reach its end state, and retries a throttled call,
 * before giving up.
 */
export const BASELINE_PATIENCE_MS = 2 * 60 * 60 * 1000;

/**
 * The circuit breaker's limit for a run whose largest scenario disables `keyCounts` keys at once: an
 * operator who expects that many keys to go at once raises it (the construct's `breakerKeys`), or the
 * breaker holds all but the first 10 % of them back and the scenario measures the breaker, not the
 * shutdown. Undefined keeps the deployed default (the larger of 10 and 10 % of the registered keys).
 */
export function benchBreakerKeys(keyCounts: readonly number[]): number | undefined {
  const most = Math.max(0, ...keyCounts);
  return most > LIMITS.breakerFloorKeys ? most : undefined;
}

export function keyEvent(place: LocalPlace, keyArn: string, workflow: Workflow): KeyEvent {
  return {
    keyArn,
    keyId: keyIdOf(keyArn),
    account: place.account,
    region: place.region,
    trigger: workflow === 'disable' ? 'DisableKey' : 'EnableKey',
    workflow,
    urgent: false,
    eventId: randomUUID(),
    eventTime: new Date().toISOString(),
    actor: { arn: `arn:aws:iam::${place.account}:user/bench`, sourceIp: '203.0.113.10', userAgent: 'bench' },
  };
}
