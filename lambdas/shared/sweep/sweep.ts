import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { parseArn } from '../arn';
import { eventBridge } from '../clients/eventbridge';
import { chunk } from '../concurrency';
import { config } from '../config';
import { DRIFT_DETAIL_TYPE, DRIFT_EVENT_SOURCE, type DriftDetail } from '../contract';
import { observeAll } from '../converge';
import { renderKeyWarning } from '../email/render';
import { recipientsFor, sendEmail } from '../email/send';
import { KeyAccessDeniedError } from '../errors';
import { describeKey, type KeyDescription } from '../kms-key';
import { logger } from '../observability';
import type { KeyInventory } from '../store/inventory';
import { claimWarning, warningSent } from '../store/warning-log';
import { type Finding, findDrift } from './drift';
import { dueWarnings } from './warnings';

/** What the sweep made of one key. */
export type KeyOutcome =
  | {
      readonly keyArn: string;
      readonly outcome: 'in-sync' | 'busy' | 'drift';
      /** Present for `drift`: the event to put. */
      readonly drift?: DriftDetail;
      readonly warningsSent: number;
      /** Why a due warning could not be sent; the next sweep tries again. */
      readonly warningError?: string;
    }
  | { readonly keyArn: string; readonly outcome: 'unreadable' | 'failed'; readonly reason: string };

/** PutEvents takes at most 10 entries per call. */
const PUT_EVENTS_LIMIT = 10;

/**
 * Sweeps one key: reads it with DescribeKey, says whether its resources match its state, and sends the
 * early warnings that are due. Never throws: a key the sweep cannot read or handle is reported, and the
 * other keys are swept all the same; a warning that could not be sent does not hide the key's drift.
 */
export async function sweepKey(key: KeyInventory, sweepId: string, now: Date): Promise<KeyOutcome> {
  const { keyArn } = key;
  let described: KeyDescription;
  let finding: Finding;
  try {
    described = await describeKey(keyArn);
    finding = await findDrift(key, described, observeAll, now);
  } catch (error) {
    const reason = describeError(error);
    if (error instanceof KeyAccessDeniedError) {
      logger.warn('Key unreadable: the platform may not describe it', { keyArn, reason });
      return { keyArn, outcome: 'unreadable', reason };
    }
    logger.error('Key not swept', { keyArn, error });
    return { keyArn, outcome: 'failed', reason };
  }

  const warnings = await sendDueWarnings(key, described, now).then(
    (sent) => ({ warningsSent: sent }),
    (error: unknown) => {
      logger.error('Early warning not sent', { keyArn, error });
      return { warningsSent: 0, warningError: describeError(error) };
    },
  );
  if (finding.kind === 'busy') logger.info('Key left alone this sweep', { keyArn, reason: finding.reason });
  if (finding.kind !== 'drift') return { keyArn, outcome: finding.kind, ...warnings };
  const drift: DriftDetail = {
    keyArn,
    keyState: described.keyState,
    workflow: finding.workflow,
    reason: finding.reason,
    sweepId,
  };
  logger.warn('Drift found: the key and its resources do not match', { ...drift });
  return { keyArn, outcome: 'drift', drift, ...warnings };
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Emails the key's administrators and the operators each warning that is due and not yet sent. */
async function sendDueWarnings(key: KeyInventory, described: KeyDescription, now: Date): Promise<number> {
  let sent = 0;
  for (const due of dueWarnings(described, config.warningDays(), now)) {
    const record = { keyArn: key.keyArn, ...due };
    if (!(await claimWarning(record, now))) continue;
    const recipients = recipientsFor(key.policy.administrators);
    const email = renderKeyWarning({
      ...due,
      keyArn: key.keyArn,
      region: parseArn(key.keyArn)?.region ?? '',
      resources: key.resources,
      action: key.policy.action,
      now,
    });
    await sendEmail(recipients, email);
    await warningSent(record);
    logger.info('Early warning sent', { ...record, subject: email.subject, recipients: recipients.length });
    sent += 1;
  }
  return sent;
}

/**
 * Puts the drift events on the platform bus, where the drift rule hands them to the dispatcher. Returns
 * the keys whose event EventBridge did not take; the next sweep finds them again.
 */
export async function publishDrift(drifts: readonly DriftDetail[], now: Date): Promise<string[]> {
  const refused: string[] = [];
  for (const batch of chunk(drifts, PUT_EVENTS_LIMIT)) {
    const entries: PutEventsRequestEntry[] = batch.map((drift) => ({
      EventBusName: config.eventBusName(),
      Source: DRIFT_EVENT_SOURCE,
      DetailType: DRIFT_DETAIL_TYPE,
      Resources: [drift.keyArn],
      Detail: JSON.stringify(drift),
      Time: now,
    }));
    const { Entries = [] } = await eventBridge.send(new PutEventsCommand({ Entries: entries }));
    batch.forEach((drift, index) => {
      const entry = Entries[index];
      if (entry?.EventId) return;
      refused.push(drift.keyArn);
      logger.error('EventBridge did not take a drift event', {
        keyArn: drift.keyArn,
        errorCode: entry?.ErrorCode,
        errorMessage: entry?.ErrorMessage,
      });
    });
  }
  return refused;
}
