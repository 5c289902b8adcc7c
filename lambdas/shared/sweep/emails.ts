import { parseArn } from '../arn';
import type { Clock } from '../clock';
import { Courier, relevance } from '../email/courier';
import { EmailNotAcceptedError, type Mailer, refusalOf, refusedAudiences } from '../email/mailer';
import { undeliveredPage } from '../email/pages';
import { renderKeyWarning } from '../email/render';
import type { RenderedEmail } from '../email/types';
import type { KeyDescription, KeyMaterial } from '../key-reader';
import type { KeyResources } from '../key-resources';
import type { Notifier } from '../notifier';
import { logger } from '../observability';
import type { EventPublisher } from '../publisher';
import { type ReactorEvent, warningEvent, warningResources } from '../reactor-events';
import type { Store } from '../store';
import type { KeyInventory } from '../store/inventory';
import type { PolicyLanguage } from '../store/policy';
import type { WarningRecord } from '../store/warning-log';
import { dueWarnings } from './warnings';

/** Whose copy of a warning: the key's administrators read the key's language, the operators English. */
export interface WarningCopy {
  readonly language?: PolicyLanguage;
  /** The key's alias, shown beside its ID. */
  readonly keyAlias?: string;
}

/**
 * A warning due now: its record in the warning log (one email per record), the email in each copy's
 * language, and the event that goes with it once SES accepted it.
 */
export interface PendingWarning {
  readonly record: WarningRecord;
  readonly render: (copy: WarningCopy) => RenderedEmail;
  readonly event: () => ReactorEvent;
}

export interface SweepMailParts {
  readonly store: Store;
  /** What a key's resources are, for the workflows' emails sent again. */
  readonly resources: Pick<KeyResources, 'list'>;
  readonly mailer: Mailer;
  readonly notifier: Notifier;
  readonly publisher: EventPublisher;
  readonly warningDays: readonly number[];
  readonly clock: Clock;
  /** The key's alias, best effort (CourierParts.aliasOf). */
  readonly aliasOf?: (keyArn: string) => Promise<string | undefined>;
}

/** What became of a key's undelivered emails in one sweep. */
export interface Resent {
  /** Sent at last: SES accepted them. */
  readonly resent: number;
  /** Still waiting: refused again, or not the time to send them. */
  readonly left: number;
}

/** The sweep's email: the early warnings that are due, and the workflows' emails SES has not accepted yet. */
export class SweepMail {
  private readonly courier: Courier;

  constructor(private readonly parts: SweepMailParts) {
    this.courier = new Courier(parts);
  }

  /**
   * Emails the key's administrators and the operators (each their own message) each warning that is
   * due and not yet sent, and puts the warning on the platform bus once SES accepted it (the warning
   * log sends it once). A warning SES does not accept is left for the next sweep, the operators are
   * paged about it once, and EmailNotAcceptedError says the sweep missed it.
   */
  async sendWarnings(key: KeyInventory, warnings: readonly PendingWarning[]): Promise<number> {
    const { store, mailer, notifier } = this.parts;
    let sent = 0;
    for (const { record, render, event } of warnings) {
      if (!(await store.warningLog.claim(record))) continue;
      const keyAlias = this.parts.aliasOf ? await this.parts.aliasOf(key.keyArn) : undefined;
      const alias = keyAlias ? { keyAlias } : {};
      // The operators read English; the key's administrators, the key's language.
      const email = render(alias);
      const copies = {
        operators: email,
        administrators: render({ ...alias, language: key.policy.language }),
      };
      const administrators = await this.courier.administratorsOf(key.keyArn, key.policy, email.subject);
      const delivery = await mailer.deliver(copies, { administrators, operators: true });
      const pending = refusedAudiences(delivery);
      if (pending.length === 0) {
        await store.warningLog.markSent(record);
        logger.info('Early warning sent', { ...record, subject: email.subject });
        await this.parts.publisher.publish([event()]);
        sent += 1;
        continue;
      }
      const lastError = refusalOf(delivery);
      const { paged } = await store.warningLog.refused(record, lastError);
      if (!paged) {
        const page = undeliveredPage({ keyArn: key.keyArn, pending, lastError }, email, delivery);
        if (await notifier.page(page.subject, page.message)) await store.warningLog.markPaged(record);
      }
      throw new EmailNotAcceptedError(`SES did not accept the ${record.warning} warning: ${lastError}`);
    }
    return sent;
  }

  /** The key's material and deletion warnings that are due now, sent (sendWarnings). */
  sendDueWarnings(
    key: KeyInventory,
    described: KeyDescription,
    now: Date,
    materials: readonly KeyMaterial[] = [],
  ): Promise<number> {
    return this.sendWarnings(key, this.keyWarnings(key, described, materials, now));
  }

  /** The key's material and deletion warnings that are due now (warnings.ts), ready for sendWarnings. */
  keyWarnings(
    key: KeyInventory,
    described: KeyDescription,
    materials: readonly KeyMaterial[],
    now: Date,
  ): PendingWarning[] {
    return dueWarnings(described, this.parts.warningDays, now, materials).map((due) => ({
      record: {
        keyArn: key.keyArn,
        warning: due.warning,
        dueAt: due.dueAt,
        thresholdDays: due.thresholdDays,
        ...(due.material ? { about: due.material.keyMaterialId } : {}),
      },
      render: (copy) =>
        renderKeyWarning({
          ...due,
          keyArn: key.keyArn,
          region: parseArn(key.keyArn)?.region ?? '',
          resources: key.resources,
          action: key.policy.action,
          now,
          ...copy,
        }),
      event: () =>
        warningEvent({
          warning: due.warning,
          dueAt: due.dueAt,
          thresholdDays: due.thresholdDays,
          keyArn: key.keyArn,
          resources: warningResources(key.resources, key.policy.action),
          occurredAt: now,
        }),
    }));
  }

  /**
   * Sends again the workflows' emails SES has not accepted yet, those that still tell the truth
   * (courier.ts `relevance`), rendered from the facts as they are now; drops those that no longer do.
   * `keyUsable` is undefined when the key could not be read: only a failed run's email is sent then.
   */
  async resendUndelivered(key: KeyInventory, keyUsable: boolean | undefined): Promise<Resent> {
    const { store } = this.parts;
    let resent = 0;
    let left = 0;
    for (const news of key.undelivered ?? []) {
      const context = { template: news.template, executionName: news.executionName };
      const verdict = relevance(news, keyUsable, this.parts.clock());
      if (verdict.verdict === 'stale') {
        logger.info('Undelivered email dropped: it is no longer true', {
          ...context,
          reason: verdict.reason,
        });
        await store.news.clear(news);
        continue;
      }
      if (verdict.verdict === 'wait') {
        left += 1;
        continue;
      }
      const decision = await store.emailLog.claim({
        keyArn: key.keyArn,
        executionName: news.executionName,
        template: news.template,
        eventTime: news.event.eventTime,
        keyUsable: async () => keyUsable ?? false,
      });
      if (!decision.send) {
        logger.info('Undelivered email dropped: sent already', { ...context, reason: decision.reason });
        await store.news.clear(news);
        continue;
      }
      const report = await this.courier.retry(news, decision);
      if (report.undelivered.length === 0) resent += 1;
      else left += 1;
    }
    return { resent, left };
  }
}
