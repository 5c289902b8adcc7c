/**
 * What the dispatcher does with a call that may have revoked the platform's access to a key (a key
 * policy put, a grant revoked or retired) or disconnected a custom key store: it probes at once
 * instead of waiting for the sweep, and starts the workflow the probe's answer calls for.
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { kmsErrorKind } from '../shared/aws-errors';
import { KeyNotFoundError } from '../shared/errors';
import type { Pager } from '../shared/guard';
import { checkKey } from '../shared/key-check';
import type { KeyEvent } from '../shared/model';
import { logger, metrics } from '../shared/observability';
import type { ReactorParts } from '../shared/reactor';
import type { KeyStoreEvent } from './key-event';

export type AccessParts = Pick<ReactorParts, 'keys' | 'store'> & { readonly notifier: Pager };

/** The workflow to start for an access call, or why none is. */
export type AccessRoute =
  | { readonly start: true; readonly event: KeyEvent }
  | { readonly start: false; readonly reason: string };

/**
 * Probes the key of an access call. Denied: the disable workflow starts with the trigger
 * KeyAccessRevoked, the first denial recorded, so that its check after the grace period confirms it.
 * Granted, while the ledger holds what the reactor stopped: the enable workflow starts (access came
 * back). An outage starts nothing: the operators are paged and the next check decides.
 */
export async function routeAccessCall(parts: AccessParts, event: KeyEvent): Promise<AccessRoute> {
  let key: Awaited<ReturnType<typeof checkKey>>;
  try {
    key = await checkKey(parts, event.keyArn, { deletionEvent: false });
  } catch (error) {
    if (error instanceof KeyNotFoundError) return { start: false, reason: error.message };
    if (kmsErrorKind(error) !== 'outage') throw error;
    await reportOutage(parts.notifier, event.keyArn, error);
    return {
      start: false,
      reason: `KMS could not be asked about the key after ${event.trigger} (an outage, not a revocation): nothing starts, the next check decides`,
    };
  }
  if (key.access === 'denied') {
    logger.warn('Access to the key denied after an access call', {
      call: event.trigger,
      keyState: key.keyState,
      deniedSince: key.deniedSince?.toISOString(),
    });
    return { start: true, event: { ...event, trigger: 'KeyAccessRevoked', workflow: 'disable' } };
  }
  if (!key.usable) {
    return {
      start: false,
      reason: `the key is ${key.keyState}: the event of that change, or the sweep, acts on it`,
    };
  }
  if ((await parts.store.ledger.list(event.keyArn)).length > 0) {
    return { start: true, event: { ...event, trigger: 'KeyAccessRestored', workflow: 'enable' } };
  }
  return {
    start: false,
    reason: `the probe after ${event.trigger} succeeded: the platform can still use the key, nothing to do`,
  };
}

/** A KMS outage seen by a check: counted (the KmsOutage alarm) and paged; never key loss. */
export async function reportOutage(notifier: Pager, keyArn: string, error: unknown): Promise<void> {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  logger.warn('KMS outage while checking a key: nothing stops', { keyArn, reason });
  metrics.addMetric('KmsOutages', MetricUnit.Count, 1);
  await notifier.page(
    'Key-lifecycle reactor: KMS outage while checking a key, nothing stopped',
    [
      `KMS could not be asked whether the platform may use ${keyArn}:`,
      reason,
      'Throttling, KMS errors, timeouts and disconnected custom key stores are outages, not revocations:',
      'the reactor stops nothing for them. The next check (the sweep, or the next KMS event) decides.',
    ].join('\n'),
  );
}

/** A custom key store disconnected: its keys turn Unavailable, an outage. The operators are paged. */
export async function reportKeyStoreCall(notifier: Pager, event: KeyStoreEvent): Promise<string> {
  const reason =
    `${event.eventName} of custom key store ${event.customKeyStoreId} in ${event.account}` +
    ` by ${event.actorArn ?? 'an unknown caller'}: its keys are Unavailable, an outage; nothing stops`;
  logger.warn('Custom key store disconnected', { ...event });
  metrics.addMetric('KmsOutages', MetricUnit.Count, 1);
  await notifier.page(
    'Key-lifecycle reactor: a custom key store was disconnected, nothing stopped',
    [
      reason,
      'The reactor treats a disconnected key store as an outage: it stops nothing for its keys.',
      'If the customer meant to cut the platform off, they can disable the keys or revoke access instead.',
    ].join('\n'),
  );
  return reason;
}
