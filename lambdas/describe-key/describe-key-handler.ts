import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import type { Guard, HeldBack, Pager } from '../shared/guard';
import { accessLossConfirmed, type CheckedKey, checkKey } from '../shared/key-check';
import { logger, metrics, observability } from '../shared/observability';
import type { ReactorParts } from '../shared/reactor';
import { StepInput } from '../shared/step-input';
import { POLICY_ACTIONS, type PolicyAction } from '../shared/store/policy';
import { type TakenLease, takeLease } from '../shared/take-lease';

const DescribeKeyInput = StepInput.extend({
  /** The execution's trigger: a CMK Deletion event is the evidence that a key KMS cannot find was deleted. */
  trigger: z.string().min(1),
  /**
   * The key's policy as read before the grace period. Only the disable workflow passes it, so it also
   * tells the two workflows apart when `workflow` is not given.
   */
  policyAction: z.enum(POLICY_ACTIONS).optional(),
  /** The workflow asking (the execution input's `workflow`). */
  workflow: z.enum(['disable', 'enable']).optional(),
  /**
   * The run's grace period and when it ended (disable only): revoked access stops the fleet only if it
   * was already denied when the grace period began. Without them, only a denial at least
   * `graceSeconds` (or else 0) old is confirmed.
   */
  graceSeconds: z.number().int().min(0).optional(),
  stopAt: z.iso.datetime({ offset: true }).optional(),
  /**
   * Given by the workflows: take the key's lease first, in this same step, so that no Lambda hop of its
   * own stands between the run and its first stop or start. The execution is the lease's owner; a
   * change newer than `eventTime` makes the run stale. Without it the key is only read.
   */
  lease: z.object({ executionArn: z.string().min(1), eventTime: z.string().min(1) }).optional(),
  /** Count what the reactor stopped, from the key's ledger (the enable run: nothing stopped, nothing to start). */
  countStopped: z.boolean().optional(),
});
type DescribeKeyInput = z.infer<typeof DescribeKeyInput>;

/** What the reactor stopped and has not yet seen back, per layer. */
export interface StoppedCounts {
  readonly services: number;
  readonly servers: number;
  readonly total: number;
}

/** Why a run that could stop the key's resources only emails: the guard, or a denial not yet confirmed. */
export type RunHeldBack = HeldBack | 'unconfirmed';

export interface DescribeKeyParts
  extends Pick<ReactorParts, 'keys' | 'store' | 'guard' | 'clock' | 'stepFunctions'> {
  /** Pages the operators when this step trips the circuit breaker; without it, only the alarm tells. */
  readonly notifier?: Pager;
}

/**
 * Takes the key's lease when asked (`lease`), in the step that reads the key, so no hop of its own
 * stands before the first stop or start. A run made stale by a newer change of the key gets the lease
 * alone (`current: false`) and reads nothing more: it neither counts in the circuit breaker nor ends
 * an episode.
 *
 * Reads the key's real state, which decides what the workflow does: events are only hints. Only an
 * Enabled key the platform can use is usable; Disabled, PendingDeletion, PendingImport, a deleted key
 * and a key whose access was revoked are not. Revoked access stops the resources only once confirmed
 * (denied now and at least the grace period ago), and then as the key's `onAccessDenied` says; an
 * unconfirmed denial holds the shutdown back (`unconfirmed`) until the next check.
 * Seeing the key usable also ends its unusable episode, so that the next change that makes it unusable
 * is announced again (store/email-log.ts).
 *
 * Says what the workflow may do now (`action`): a run the guard holds back acts as alert-only and says
 * why (`heldBack`). A disable run about to stop a key's resources is counted by the circuit breaker;
 * an enable run about to start them waits while an operator has paused the reactor. An enable run
 * also gets the counts of what the reactor stopped (`countStopped`), read beside the key.
 */
export function createDescribeKeyHandler(parts: DescribeKeyParts) {
  const { store, stepFunctions } = parts;
  const lambdaHandler = async (input: DescribeKeyInput) => {
    const { keyArn, executionName, lease: asked, countStopped } = input;
    let lease: TakenLease | undefined;
    if (asked) {
      lease = await takeLease({ store, stepFunctions }, { keyArn, executionName, ...asked });
      logger.info(lease.current ? 'Lease taken' : 'Lease taken, but a newer change of the key arrived', {
        expiresAt: lease.expiresAt,
      });
      if (!lease.current) return { lease };
    }
    // The ledger and the key are read at once: the enable run's first start waits for the slower only.
    const [state, stopped] = await Promise.all([
      readKey(parts, input),
      countStopped ? countLedger(store, keyArn) : undefined,
    ]);
    return { ...(lease ? { lease } : {}), ...state, ...(stopped ? { stopped } : {}) };
  };
  return middy(lambdaHandler)
    .use(observability())
    .use(parser({ schema: DescribeKeyInput }));
}

/** What the reactor stopped, per layer, as its ledger remembers: counts only, lists stay out of the state. */
async function countLedger(store: DescribeKeyParts['store'], keyArn: string): Promise<StoppedCounts> {
  const entries = await store.ledger.list(keyArn);
  const services = entries.filter((entry) => entry.layer === 'service').length;
  const counts = { services, servers: entries.length - services, total: entries.length };
  logger.info('Resources the reactor stopped counted', counts);
  return counts;
}

/** The key's state and what the run may do now (`action`), with why the guard holds it back. */
async function readKey({ keys, store, guard, notifier, clock }: DescribeKeyParts, input: DescribeKeyInput) {
  const { keyArn, trigger, policyAction, workflow } = input;
  const key = await checkKey({ keys, store }, keyArn, { deletionEvent: trigger === 'KMS CMK Deletion' });
  if (key.usable) await store.emailLog.keySeenUsable(keyArn);

  const disabling = (workflow ?? (policyAction === undefined ? 'enable' : 'disable')) === 'disable';
  let action: PolicyAction = policyAction ?? 'shutdown';
  let heldBack: RunHeldBack | null = null;
  if (disabling && key.access === 'denied') {
    ({ action, heldBack } = await onAccessDenied(store, keyArn, key, graceStart(input, clock())));
  }
  if (disabling && !key.usable && action === 'shutdown') {
    heldBack = await admitShutdown(guard, notifier, keyArn);
  } else if (!disabling && key.usable) {
    const admission = await guard.admitStart();
    heldBack = admission.act ? null : (admission.reason ?? 'paused');
  }
  if (heldBack) {
    action = 'alert-only';
    metrics.addMetric('RunsHeldBack', MetricUnit.Count, 1);
  }

  const state = {
    keyState: key.keyState,
    usable: key.usable,
    access: key.access ?? 'unprobed',
    deleted: key.deleted,
    action,
    heldBack,
  };
  logger.info(key.deleted ? 'Key deleted' : 'Key state read', state);
  return state;
}

/**
 * A disable run that finds the platform's access denied: the key's `onAccessDenied` once the denial is
 * confirmed; alert-only, held back as `unconfirmed`, while it is not (the first denial was seen less
 * than a grace period ago, so a key policy being fixed is given its grace period too).
 */
async function onAccessDenied(
  store: DescribeKeyParts['store'],
  keyArn: string,
  key: CheckedKey,
  graceStartedAt: Date,
): Promise<{ action: PolicyAction; heldBack: RunHeldBack | null }> {
  if (!accessLossConfirmed(key, graceStartedAt)) {
    logger.warn('Access denied, not yet confirmed: nothing stops until the next check', {
      deniedSince: key.deniedSince?.toISOString(),
      graceStartedAt: graceStartedAt.toISOString(),
    });
    return { action: 'alert-only', heldBack: 'unconfirmed' };
  }
  const { onAccessDenied } = await store.registry.policy(keyArn);
  return { action: onAccessDenied, heldBack: null };
}

/** When the run's grace period began: its end less its length, or else `graceSeconds` before now. */
function graceStart({ stopAt, graceSeconds = 0 }: DescribeKeyInput, now: Date): Date {
  const end = stopAt === undefined ? now.getTime() : Date.parse(stopAt);
  return new Date(end - graceSeconds * 1000);
}

/** Asks the guard whether the key's resources may stop; pages the operators when this run trips the breaker. */
async function admitShutdown(
  guard: Guard,
  notifier: Pager | undefined,
  keyArn: string,
): Promise<HeldBack | null> {
  const admission = await guard.admitShutdown(keyArn);
  if (admission.act) return null;
  logger.warn('Shutdown held back', {
    reason: admission.reason,
    counted: admission.counted,
    limit: admission.limit,
  });
  if (admission.tripped) {
    // The alarm on this metric reaches the operators even when the page cannot.
    metrics.addMetric('BreakerTripped', MetricUnit.Count, 1);
    await page(notifier, keyArn, admission.counted ?? 0, admission.limit ?? 0);
  }
  return admission.reason ?? 'paused';
}

/** A page is a side channel: it never fails the run, which holds the shutdown back either way. */
async function page(
  notifier: Pager | undefined,
  keyArn: string,
  counted: number,
  limit: number,
): Promise<void> {
  const subject = 'Key-lifecycle reactor: circuit breaker tripped, shutdowns held back';
  const message = [
    `${counted} keys turned unusable within an hour, more than the limit of ${limit}.`,
    `The last one was ${keyArn}.`,
    'New shutdowns wait as alert-only until an operator runs `key-reactor resume`; the sweep keeps',
    'reporting drift, and acts on it once resumed. `key-reactor pause` keeps the reactor paused by hand.',
  ].join('\n');
  if (!notifier) {
    logger.error('Circuit breaker tripped and no notifier to page with', { subject });
    return;
  }
  try {
    await notifier.page(subject, message);
  } catch (error) {
    logger.error('Could not page the operators about the circuit breaker', { error });
  }
}
