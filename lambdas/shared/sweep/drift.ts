import type { KeyDescription } from '../key-reader';
import type { LedgerEntry, RegisteredResource, Workflow } from '../model';
import type { KeyInventory } from '../store/inventory';

/**
 * After a workflow failed for a key, the sweep leaves the key alone this long before it tries again:
 * long enough not to repeat a failure every sweep, short enough that a passing fault costs minutes.
 */
export const RETRY_AFTER_FAILURE_MS = 10 * 60 * 1000;
/** At most this many resource ARNs are named in a drift reason. */
const NAMED_IN_REASON = 3;

export type Finding =
  | { readonly kind: 'in-sync' }
  | { readonly kind: 'busy'; readonly reason: string }
  | { readonly kind: 'drift'; readonly workflow: Workflow; readonly reason: string };

/** Which of these resources the stop step would stop now, or the start step move now (decision.ts), by ARN. */
export interface Movable {
  stop(resources: readonly RegisteredResource[]): Promise<readonly string[]>;
  restore(entries: readonly LedgerEntry[]): Promise<readonly string[]>;
}

/**
 * Whether a key's resources match its state, and if not which workflow brings them in line:
 *
 * - a workflow holds the key's lease: it is acting on the key now, so nothing to say;
 * - the last workflow failed less than RETRY_AFTER_FAILURE_MS ago: wait (its failure was emailed;
 *   retrying every sweep would only repeat it);
 * - the key is usable and the ledger still holds resources the reactor stopped that can be started or
 *   finished now: `enable` (one that cannot, untagged or gone, waits in the ledger until it can);
 * - the key is unusable and, under a shutdown policy, a registered resource runs that the stop step
 *   would stop (a missed event, or an RDS database AWS started by itself after 7 days stopped): `disable`;
 * - the key is unusable, its policy is alert-only, and the administrators were not told yet: `disable`,
 *   which only emails.
 *
 * Resources are observed only for unusable keys under a shutdown policy and for keys whose ledger is
 * not empty, so a sweep of a healthy fleet costs one DescribeKey per key and nothing more.
 */
export async function findDrift(
  key: KeyInventory,
  described: KeyDescription,
  movable: Movable,
  now: Date,
): Promise<Finding> {
  if (key.lease && key.lease.expires * 1000 > now.getTime()) {
    return { kind: 'busy', reason: `the lease is held by ${key.lease.owner}` };
  }
  const failedAt = Date.parse(key.lastFailureAt ?? '');
  const lastOutcomeAt = Date.parse(key.lastOutcomeAt ?? '');
  if (
    failedAt > now.getTime() - RETRY_AFTER_FAILURE_MS &&
    !(lastOutcomeAt >= failedAt) // a later success clears it
  ) {
    return {
      kind: 'busy',
      reason: `its last workflow failed at ${key.lastFailureAt}; retried ${RETRY_AFTER_FAILURE_MS / 60_000} minutes later`,
    };
  }

  if (described.usable) {
    if (key.ledgerCount === 0) return { kind: 'in-sync' };
    // What cannot be started now (untagged, gone) waits in the ledger until it can: no run for it.
    const startable = await movable.restore(key.ledger);
    if (startable.length === 0) return { kind: 'in-sync' };
    return {
      kind: 'drift',
      workflow: 'enable',
      reason: `the key is ${described.keyState}, and ${count(startable.length)} the reactor stopped ${startable.length === 1 ? 'is' : 'are'} still to be restarted`,
    };
  }
  if (key.resources.length === 0) return { kind: 'in-sync' };
  // Revoked access acts as the key's onAccessDenied says; the disable run confirms the denial first.
  const action = described.access === 'denied' ? key.policy.onAccessDenied : key.policy.action;
  if (action === 'alert-only') {
    if (key.alertOnlySent) return { kind: 'in-sync' };
    return {
      kind: 'drift',
      workflow: 'disable',
      reason: `the key is ${stateOf(described)} and its administrators were not told (alert-only policy)`,
    };
  }
  const running = await movable.stop(key.resources);
  if (running.length === 0) return { kind: 'in-sync' };
  const named = running.slice(0, NAMED_IN_REASON);
  const more = running.length > named.length ? ` and ${running.length - named.length} more` : '';
  return {
    kind: 'drift',
    workflow: 'disable',
    reason: `the key is ${stateOf(described)} but ${count(running.length)} ${running.length === 1 ? 'runs' : 'run'}: ${named.join(', ')}${more}`,
  };
}

/** `Disabled`, or `refused to the platform (access revoked)` when the probe or DescribeKey was denied. */
function stateOf(described: KeyDescription): string {
  return described.access === 'denied' ? 'refused to the platform (access revoked)' : described.keyState;
}

function count(resources: number): string {
  return `${resources} resource${resources === 1 ? '' : 's'}`;
}
