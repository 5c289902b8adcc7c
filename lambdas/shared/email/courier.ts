import type { Clock } from '../clock';
import type { KeyResources } from '../key-resources';
import type { Notifier } from '../notifier';
import { logger } from '../observability';
import type { Store } from '../store';
import type { EmailDecision } from '../store/email-log';
import { type NewsInputs, newsId, type UndeliveredNews } from '../store/news';
import type { KeyPolicy } from '../store/policy';
import { type Copies, type Delivery, type Mailer, refusalOf, refusedAudiences } from './mailer';
import { invalidAddressesPage, undeliveredPage } from './pages';
import { renderEmail } from './render';
import {
  AUDIENCES,
  type Audience,
  type EmailContext,
  type EmailResource,
  type EmailTemplate,
  type RenderedEmail,
} from './types';

/**
 * Takes the workflows' emails to SES off their critical path. An email is marked sent only once SES
 * accepted it. One SES did not accept (refused, throttled past the SDK's retries, unreachable) is kept
 * as the key's undelivered news (store/news.ts) for the sweep to send again, and the operators are
 * paged through SNS, which does not depend on SES. Nothing here throws for SES or SNS: a workflow step
 * that emails goes on whatever SES says. It still throws when the table fails, as any step does.
 */

export interface CourierParts {
  readonly store: Store;
  /** What the key's resources are (tags merged with table rows), for the emails that list them. */
  readonly resources: Pick<KeyResources, 'list'>;
  readonly mailer: Mailer;
  readonly notifier: Notifier;
  readonly clock: Clock;
  /**
   * The key's alias, shown beside its ID; undefined when it has none or it could not be read. Best
   * effort: it must resolve, never reject, and never hold an email back (KeyReader.alias).
   */
  readonly aliasOf?: (keyArn: string) => Promise<string | undefined>;
}

/** The email log's go-ahead for one email. */
export type Sending = Extract<EmailDecision, { send: true }>;

export interface CourierReport {
  readonly subject: string;
  /** Recipients SES accepted the email for, both audiences together. */
  readonly sent: number;
  /** Audiences whose copy SES did not accept: kept for the sweep. */
  readonly undelivered: readonly Audience[];
  /** Whether SNS took a page about it (false also when none was needed). */
  readonly paged: boolean;
  /** Nobody to email: no administrators registered and no operators configured. */
  readonly nobody?: true;
}

/** A workflow's email, sent: the report, and the resources it named (for the event that goes with it). */
export interface SentReport extends CourierReport {
  readonly resources: readonly EmailResource[];
}

/** Whether a pending email still tells the truth, when the sweep comes to send it again. */
export type Relevance =
  | { readonly verdict: 'send' }
  /** Not now: the run it came from will supersede it, or the key could not be read. */
  | { readonly verdict: 'wait'; readonly reason: string }
  /** Never: what it says is over, and a later email tells (or told) what happened instead. */
  | { readonly verdict: 'stale'; readonly reason: string };

const SEND: Relevance = { verdict: 'send' };

/** The emails that concern a shutdown: they name what the reactor cannot stop (templates/cannot-stop.ts). */
const NAME_WHAT_CANNOT_STOP: ReadonlySet<EmailTemplate> = new Set([
  'grace-started',
  'shutdown-complete',
  'alert-only',
  'service-restored',
]);

/**
 * What still matters of a pending email, given the key's state now (undefined: unreadable). A
 * grace-period notice matters until its stop time and while the key is unusable; the reports of an
 * unusable key (shutdown-complete, alert-only) while it is unusable; those of a usable key
 * (key-usable-again, service-restored) while it is usable; a failed run until the operators know.
 */
export function relevance(news: UndeliveredNews, keyUsable: boolean | undefined, now: Date): Relevance {
  if (news.template === 'workflow-failed') return SEND;
  if (keyUsable === undefined) return { verdict: 'wait', reason: 'the key could not be read' };
  switch (news.template) {
    case 'grace-started':
      if (stopAt(news) <= now.getTime()) {
        return {
          verdict: 'stale',
          reason: 'the grace period is over: the run that follows it reports what happened instead',
        };
      }
      return keyUsable
        ? {
            verdict: 'wait',
            reason: 'the key is usable again: the run will say so at the end of the grace period',
          }
        : SEND;
    case 'shutdown-complete':
    case 'alert-only':
      return keyUsable
        ? { verdict: 'stale', reason: 'the key is usable again: the restore run tells the current story' }
        : SEND;
    case 'key-usable-again':
    case 'service-restored':
    case 'start-held-back':
      return keyUsable
        ? SEND
        : { verdict: 'stale', reason: 'the key is unusable again: the new run tells the current story' };
  }
}

/** When a grace period announced by `news` ends, as epoch milliseconds. */
function stopAt(news: UndeliveredNews): number {
  return Date.parse(news.attemptedAt) + (news.graceSeconds ?? 0) * 1000;
}

export class Courier {
  constructor(private readonly parts: CourierParts) {}

  /**
   * A workflow's email, sent now. Whatever became of it, it supersedes what its slot held: the slot is
   * emptied when SES took it, and holds it when SES did not.
   */
  async send(inputs: NewsInputs, sending: Sending): Promise<SentReport> {
    const now = this.parts.clock();
    const news: UndeliveredNews = {
      ...inputs,
      id: newsId(inputs.executionName, inputs.template),
      attemptedAt: now.toISOString(),
      pending: AUDIENCES,
      attempts: 0,
      lastError: '',
    };
    const { email, delivery, resources } = await this.deliver(news, {
      now,
      graceSeconds: inputs.graceSeconds,
    });
    const refused = refusedAudiences(delivery);
    if (refused.length === 0) {
      if (isNobody(delivery)) return { ...this.nobody(news, email), resources };
      await this.markSent(sending, news);
      // SES took it: a failure past this point must not fail the step, or its retry would send it again.
      await this.parts.store.news.supersede(news.keyArn, news.template).catch((error: unknown) =>
        logger.warn('Email sent, older news not cleared', {
          template: news.template,
          error: String(error),
        }),
      );
      return { ...report(email, delivery, false), resources };
    }
    const reason = refusalOf(delivery);
    // One audience got it: this change's email is sent (no other run sends it again, so nobody gets
    // it twice), and only the audience SES refused waits for the sweep. None got it: another run may.
    if (AUDIENCES.some((audience) => delivery[audience].status === 'sent'))
      await this.markSent(sending, news);
    else await sending.refused(reason);
    const kept: UndeliveredNews = { ...news, pending: refused, attempts: 1, lastError: reason };
    const someoneGotIt = AUDIENCES.some((audience) => delivery[audience].status === 'sent');
    // Failing the step would resend to whoever got it; with nobody served, its retry is the better retry.
    await this.parts.store.news.keep(kept).catch((error: unknown) => {
      if (!someoneGotIt) throw error;
      logger.error('Email refused for some, and not kept for the sweep', {
        template: news.template,
        undelivered: refused,
        error: String(error),
      });
    });
    logger.warn('Email not accepted by SES: kept for the sweep to send again', {
      template: news.template,
      undelivered: refused,
      reason,
    });
    return { ...report(email, delivery, await this.page(kept, email, delivery)), resources };
  }

  /**
   * The sweep's retry of a pending email, to the audiences that have not had it, rendered from the
   * facts as they are now: the resources registered (or restored) now, the time left in a grace period.
   */
  async retry(news: UndeliveredNews, sending: Sending): Promise<CourierReport> {
    const now = this.parts.clock();
    const render =
      news.template === 'grace-started'
        ? { now, graceSeconds: Math.max(0, Math.round((stopAt(news) - now.getTime()) / 1000)) }
        : // The other emails tell what the run saw when it checked, at the time it tried to send.
          { now: new Date(news.attemptedAt), graceSeconds: news.graceSeconds };
    const { email, delivery } = await this.deliver(news, render);
    const refused = refusedAudiences(delivery);
    if (refused.length === 0) {
      await this.markSent(sending, news);
      await this.parts.store.news.clear(news);
      logger.info('Undelivered email sent at last', {
        template: news.template,
        subject: email.subject,
        attempts: news.attempts + 1,
      });
      return report(email, delivery, false);
    }
    const reason = refusalOf(delivery);
    await sending.refused(reason);
    await this.parts.store.news.retried(news, refused, reason);
    const retried: UndeliveredNews = { ...news, pending: refused, lastError: reason };
    // Paged once per email, not at every sweep: unless no page has reached the operators yet.
    const paged = news.pagedAt ? false : await this.page(retried, email, delivery);
    return report(email, delivery, paged);
  }

  /**
   * Renders each pending audience its copy and sends it: the administrators' in the key's language, the
   * operators' in English (the platform's own language) with the console link. `email` is the operators'
   * copy, which the operators' pages quote.
   */
  private async deliver(
    news: UndeliveredNews,
    render: { readonly now: Date; readonly graceSeconds?: number },
  ): Promise<{ email: RenderedEmail; delivery: Delivery; resources: readonly EmailResource[] }> {
    const { store } = this.parts;
    const { keyArn, template } = news;
    // A restore email lists what its run saw restored (what could not be, it names as skipped); a start
    // held back, what the reactor stopped and has not restored; the others, what is registered.
    const resources =
      template === 'service-restored'
        ? await store.ledger.restoredBy(keyArn, news.executionName)
        : template === 'start-held-back'
          ? await store.ledger.list(keyArn)
          : await this.parts.resources.list(keyArn);
    const keyAlias = this.parts.aliasOf ? await this.parts.aliasOf(keyArn) : undefined;
    const unstoppable = NAME_WHAT_CANNOT_STOP.has(template) ? await this.cannotStop(keyArn) : {};
    const context: Omit<EmailContext, 'audience'> = {
      template,
      event: news.event,
      resources,
      graceSeconds: render.graceSeconds,
      action: news.action,
      heldBack: news.heldBack,
      skipped: news.skipped,
      error: news.error,
      executionArn: news.executionArn,
      now: render.now,
      ...(keyAlias ? { keyAlias } : {}),
      ...unstoppable,
    };
    const email = renderEmail({ ...context, audience: 'operators' });
    // Failures go to the platform's operators only; everything else also to the key's administrators.
    const policy =
      template !== 'workflow-failed' && news.pending.includes('administrators')
        ? await this.parts.store.registry.policy(keyArn)
        : undefined;
    const copies: Copies = {
      operators: email,
      administrators: policy
        ? renderEmail({ ...context, audience: 'administrators', language: policy.language })
        : email,
    };
    const administrators = policy ? await this.administratorsOf(keyArn, policy, email.subject) : [];
    const delivery = await this.parts.mailer.deliver(copies, {
      administrators,
      operators: news.pending.includes('operators'),
    });
    return { email, delivery, resources };
  }

  /**
   * What the sweep last recorded the reactor cannot stop for the key: one item read. Best effort: an
   * email that cannot read it goes out all the same, saying where to see the list.
   */
  private async cannotStop(keyArn: string): Promise<Pick<EmailContext, 'cannotStop' | 'cannotStopUnread'>> {
    try {
      const record = await this.parts.store.unstoppables.read(keyArn);
      return record && record.resources.length > 0 ? { cannotStop: record.resources } : {};
    } catch (error) {
      logger.warn('What the reactor cannot stop was not read: the email says where to see it', {
        error: String(error),
      });
      return { cannotStopUnread: true };
    }
  }

  /** The valid administrators of a policy already read; operators are paged about the invalid ones. */
  async administratorsOf(keyArn: string, policy: KeyPolicy, subject: string): Promise<readonly string[]> {
    const invalid = policy.invalidAdministrators ?? [];
    if (invalid.length > 0) {
      logger.warn('Invalid administrator addresses left out of the email', { invalid: invalid.length });
      const page = invalidAddressesPage(keyArn, invalid, subject);
      await this.parts.notifier.page(page.subject, page.message);
    }
    return policy.administrators;
  }

  private async page(news: UndeliveredNews, email: RenderedEmail, delivery: Delivery): Promise<boolean> {
    const page = undeliveredPage(news, email, delivery);
    const paged = await this.parts.notifier.page(page.subject, page.message);
    if (paged) await this.parts.store.news.paged(news);
    return paged;
  }

  private async markSent(sending: Sending, news: UndeliveredNews): Promise<void> {
    // SES took it: a failure to record that must not fail the step, or its retry would send it again.
    await sending
      .sent()
      .catch((error: unknown) =>
        logger.warn('Email sent but not recorded as sent', { template: news.template, error: String(error) }),
      );
  }

  private nobody(news: UndeliveredNews, email: RenderedEmail): CourierReport {
    logger.warn('Nobody to email: no administrators registered for the key and no operators configured', {
      template: news.template,
    });
    return { subject: email.subject, sent: 0, undelivered: [], paged: false, nobody: true };
  }
}

function isNobody(delivery: Delivery): boolean {
  return AUDIENCES.every((audience) => delivery[audience].status === 'nobody');
}

function report(email: RenderedEmail, delivery: Delivery, paged: boolean): CourierReport {
  const sent = AUDIENCES.reduce((sum, audience) => {
    const copy = delivery[audience];
    return sum + (copy.status === 'sent' ? copy.recipients : 0);
  }, 0);
  return { subject: email.subject, sent, undelivered: refusedAudiences(delivery), paged };
}
