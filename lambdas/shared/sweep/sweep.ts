import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { kmsErrorKind } from '../aws-errors';
import type { Clock } from '../clock';
import { chunk } from '../concurrency';
import { DRIFT_DETAIL_TYPE, DRIFT_EVENT_SOURCE, type DriftDetail, type ManagedTag } from '../contract';
import { type Drivers, observeAll } from '../converge';
import { decide, type Member, type Target, type Verdict } from '../decision';
import type { Mailer } from '../email/mailer';
import { KeyNotFoundError } from '../errors';
import { checkKey } from '../key-check';
import type { KeyDescription, KeyMaterial, KeyReader } from '../key-reader';
import type { KeyResources } from '../key-resources';
import type { Notifier } from '../notifier';
import { logger, metrics } from '../observability';
import type { EventPublisher } from '../publisher';
import type { Store } from '../store';
import type { KeyInventory } from '../store/inventory';
import { DatabaseCountdowns } from './countdown';
import { type Finding, findDrift, type Movable } from './drift';
import { type PendingWarning, type Resent, SweepMail } from './emails';

/**
 * What a sweep needs: the table, the keys, the drivers (read only), SES, the operators' page and the
 * platform bus, for its drift events and, through the publisher, the reactor's own events.
 */
export interface SweepParts {
  readonly store: Store;
  /** What the keys' resources are: the account's tags merged with the table's rows. */
  readonly resources: Pick<KeyResources, 'list' | 'inventory'>;
  readonly keys: KeyReader;
  readonly drivers: Drivers;
  readonly mailer: Mailer;
  readonly notifier: Notifier;
  readonly publisher: EventPublisher;
  readonly eventBridge: EventBridgeClient;
  readonly eventBusName: string;
  readonly warningDays: readonly number[];
  readonly managedTag: ManagedTag;
  readonly clock: Clock;
}

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
      /** The workflows' emails SES had not accepted: sent at last, or still waiting. */
      readonly undelivered?: Resent;
      /** Why they could not be tried (the table failed); the next sweep tries again. */
      readonly resendError?: string;
    }
  | {
      readonly keyArn: string;
      readonly outcome: 'unreadable' | 'failed';
      readonly reason: string;
      readonly undelivered?: Resent;
      readonly resendError?: string;
    };

/** PutEvents takes at most 10 entries per call. */
const PUT_EVENTS_LIMIT = 10;

/** The sweep's work on each key, and its drift events. */
export class Sweeper {
  private readonly mail: SweepMail;
  private readonly countdowns: DatabaseCountdowns;

  constructor(readonly parts: SweepParts) {
    this.mail = new SweepMail({ ...parts, aliasOf: (keyArn) => parts.keys.alias(keyArn) });
    this.countdowns = new DatabaseCountdowns(parts);
  }

  /**
   * Sweeps one key: reads it with DescribeKey, says whether its resources match its state, and sends the
   * early warnings that are due. Never throws: a key the sweep cannot read or handle is reported, and the
   * other keys are swept all the same; a warning that could not be sent does not hide the key's drift.
   */
  async sweepKey(key: KeyInventory, sweepId: string, now: Date): Promise<KeyOutcome> {
    const { keyArn } = key;
    let described: KeyDescription;
    let finding: Finding;
    try {
      described = await checkKey(this.parts, keyArn, {
        deletionEvent: false,
        deniedOnRecord: key.accessDeniedOnRecord ?? true,
      });
      finding = await findDrift(key, described, this.movable, now);
    } catch (error) {
      const reason = describeError(error);
      if (error instanceof KeyNotFoundError) {
        // Never taken for an unusable key: a wrong Region or account look the same.
        logger.warn('Key unreadable: KMS cannot find it, and nothing shows it was deleted', {
          keyArn,
          reason,
        });
        return { keyArn, outcome: 'unreadable', reason, ...(await this.resend(key, undefined)) };
      }
      if (kmsErrorKind(error) === 'outage') {
        // Never key loss: counted for the KmsOutages alarm, which tells the operators; the next sweep decides.
        metrics.addMetric('KmsOutages', MetricUnit.Count, 1);
        logger.warn('KMS outage: key not checked, nothing stops', { keyArn, reason });
        return { keyArn, outcome: 'failed', reason, ...(await this.resend(key, undefined)) };
      }
      logger.error('Key not swept', { keyArn, error });
      return { keyArn, outcome: 'failed', reason, ...(await this.resend(key, undefined)) };
    }

    const resent = await this.resend(key, described.usable);
    const warnings = await this.dueWarnings(key, described, finding, now)
      .then((due) => this.mail.sendWarnings(key, due))
      .then(
        (sent) => ({ warningsSent: sent }),
        (error: unknown) => {
          logger.error('Early warning not sent', { keyArn, error });
          return { warningsSent: 0, warningError: describeError(error) };
        },
      );
    if (finding.kind === 'busy') logger.info('Key left alone this sweep', { keyArn, reason: finding.reason });
    if (finding.kind !== 'drift') return { keyArn, outcome: finding.kind, ...warnings, ...resent };
    const drift: DriftDetail = {
      keyArn,
      keyState: described.keyState,
      workflow: finding.workflow,
      reason: finding.reason,
      sweepId,
      ...(finding.workflow === 'disable' && described.access === 'denied' ? { accessRevoked: true } : {}),
    };
    logger.warn('Drift found: the key and its resources do not match', { ...drift });
    return { keyArn, outcome: 'drift', drift, ...warnings, ...resent };
  }

  /**
   * The warnings due for the key now: its key materials' expiry and its deletion (warnings.ts), and its
   * RDS databases' countdown (countdown.ts) unless a workflow is acting on the key.
   */
  private async dueWarnings(
    key: KeyInventory,
    described: KeyDescription,
    finding: Finding,
    now: Date,
  ): Promise<PendingWarning[]> {
    const materials = described.origin === 'EXTERNAL' ? await this.materialsOf(key.keyArn) : [];
    return [
      ...this.mail.keyWarnings(key, described, materials, now),
      // A busy key is left alone, its databases undescribed: a later sweep of the same day counts them.
      ...(finding.kind === 'busy' ? [] : await this.countdowns.due(key, described, now)),
    ];
  }

  /**
   * The key's materials, or none when they cannot be listed (a key policy that allows DescribeKey but
   * not ListKeyRotations): the current material's expiry, from DescribeKey, is still warned about.
   */
  private async materialsOf(keyArn: string): Promise<KeyMaterial[]> {
    try {
      return await this.parts.keys.materials(keyArn);
    } catch (error) {
      logger.warn("Key materials not listed: only the current material's expiry is warned about", {
        keyArn,
        reason: describeError(error),
      });
      return [];
    }
  }

  /** The key's undelivered emails, sent again; never throws, so that they never hide the key's drift. */
  private async resend(
    key: KeyInventory,
    keyUsable: boolean | undefined,
  ): Promise<{ undelivered?: Resent; resendError?: string }> {
    if (!key.undelivered?.length) return {};
    return this.mail.resendUndelivered(key, keyUsable).then(
      (undelivered) => ({ undelivered }),
      (error: unknown) => {
        logger.error('Undelivered emails not tried again', { keyArn: key.keyArn, error });
        return { resendError: describeError(error) };
      },
    );
  }

  /** What the stop step would stop now, and what the start step would move now, by ARN (decision.ts). */
  private readonly movable: Movable = {
    stop: (resources) => this.decided('stopped', resources, ['stop']),
    restore: (entries) => this.decided('running', entries, ['start', 'finish', 'wait']),
  };

  private async decided(
    target: Target,
    members: readonly (Member & { readonly keyArn: string })[],
    verdicts: readonly Verdict[],
  ) {
    // One key's resources or ledger: the key whose role would act on them.
    const keyArn = members[0]?.keyArn;
    if (keyArn === undefined) return [];
    const { drivers, managedTag } = this.parts;
    const seen = await observeAll(drivers, members);
    return decide({ target, members, seen, managedTag, keyArn })
      .filter((decision) => verdicts.includes(decision.verdict))
      .map(({ member }) => member.resourceArn);
  }

  /**
   * Puts the drift events on the platform bus, where the drift rule hands them to the dispatcher. Returns
   * the keys whose event EventBridge did not take; the next sweep finds them again.
   */
  async publishDrift(drifts: readonly DriftDetail[], now: Date): Promise<string[]> {
    const refused: string[] = [];
    for (const batch of chunk(drifts, PUT_EVENTS_LIMIT)) {
      const entries: PutEventsRequestEntry[] = batch.map((drift) => ({
        EventBusName: this.parts.eventBusName,
        Source: DRIFT_EVENT_SOURCE,
        DetailType: DRIFT_DETAIL_TYPE,
        Resources: [drift.keyArn],
        Detail: JSON.stringify(drift),
        Time: now,
      }));
      const { Entries = [] } = await this.parts.eventBridge.send(new PutEventsCommand({ Entries: entries }));
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
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
