import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keyPartition, SORT_KEYS } from '../contract';
import type { Audience, EmailTemplate } from '../email/types';
import type { KeyEvent } from '../model';
import type { PolicyAction } from './policy';
import { epochSeconds, type Item, queryPartition, type Table, writeIf } from './table';

/**
 * The news SES did not accept, one item per key and slot (`NEWS#story`, `NEWS#failure`), for the sweep
 * to send again until SES takes it. An item keeps what the email is rendered from (the template and the
 * step's inputs), not the rendered email, so that the retry tells the facts as they are when it is sent.
 *
 * Which news supersedes which: within a slot the latest attempt wins, sent or not. Every workflow email
 * is written from later facts than the one before it (a shutdown report after a grace-period notice, a
 * restore after a shutdown, a new grace period after a restore), so once a newer one was attempted the
 * older one is stale: if SES took the newer one, the slot is emptied; if not, the newer one takes its
 * place. The `story` slot holds what the key's administrators are told (every template but
 * `workflow-failed`); the `failure` slot holds a failed run, which only the operators are told and which
 * no later email about the key makes untrue.
 */

export const NEWS_SLOTS = ['story', 'failure'] as const;
export type NewsSlot = (typeof NEWS_SLOTS)[number];

export const slotOf = (template: EmailTemplate): NewsSlot =>
  template === 'workflow-failed' ? 'failure' : 'story';

/** What the notify step was given, and what an email is rendered from again. */
export interface NewsInputs {
  readonly keyArn: string;
  readonly template: EmailTemplate;
  readonly executionName: string;
  readonly executionArn: string;
  readonly event: KeyEvent;
  readonly graceSeconds?: number;
  readonly action?: PolicyAction;
  readonly heldBack?: 'paused' | 'breaker' | 'unconfirmed';
  readonly skipped?: readonly { readonly resourceArn: string; readonly reason: string }[];
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}

/** An email nobody of some audience has received yet. */
export interface UndeliveredNews extends NewsInputs {
  /** The execution and template it came from: a retry clears or updates it only while it is still there. */
  readonly id: string;
  /** When the workflow first tried to send it (ISO 8601): the time its facts were checked. */
  readonly attemptedAt: string;
  /** The audiences whose copy SES has not accepted yet. */
  readonly pending: readonly Audience[];
  readonly attempts: number;
  /** Why SES did not take the last attempt. */
  readonly lastError: string;
  /** When the operators were paged about it; absent until SNS took a page. */
  readonly pagedAt?: string;
}

/** How long an emptied slot stays before the table's TTL removes it. */
const EMPTY_SLOT_TTL_SECONDS = 24 * 60 * 60;

export const newsId = (executionName: string, template: EmailTemplate): string =>
  `${executionName}#${template}`;

const newsKey = (keyArn: string, slot: NewsSlot) => ({
  pk: keyPartition(keyArn),
  sk: `${SORT_KEYS.newsPrefix}${slot}`,
});

/** A NEWS item's `news` attribute, as stored. */
export function newsOf(item: Item): UndeliveredNews | undefined {
  const news = item.news as UndeliveredNews | undefined;
  return news && typeof news.id === 'string' && typeof news.template === 'string' ? news : undefined;
}

/** The news each key's emails could not deliver yet. */
export class NewsLog {
  constructor(private readonly table: Table) {}

  /** Keeps `news` as its slot's news, in place of whatever was there (it is newer). */
  async keep(news: UndeliveredNews): Promise<void> {
    await this.table.documents.send(
      new PutCommand({
        TableName: this.table.name,
        Item: { ...newsKey(news.keyArn, slotOf(news.template)), type: 'news', keyArn: news.keyArn, news },
      }),
    );
  }

  /** Empties the slot: a newer email of the slot was delivered, so what waited there is stale. */
  async supersede(keyArn: string, template: EmailTemplate): Promise<void> {
    await this.table.documents.send(this.emptying(keyArn, slotOf(template)));
  }

  /** Removes `news` once delivered or stale, unless a newer attempt has replaced it since. */
  async clear(news: UndeliveredNews): Promise<void> {
    await this.conditionally(
      this.emptying(news.keyArn, slotOf(news.template), {
        ConditionExpression: '#news.id = :id',
        ExpressionAttributeValues: { ':id': news.id },
      }),
    );
  }

  /**
   * An update that empties the slot, and leaves the empty item to the table's TTL: the functions that
   * email never delete an item (least privilege), and a slot written again before then is simply reused.
   */
  private emptying(
    keyArn: string,
    slot: NewsSlot,
    condition?: { ConditionExpression: string; ExpressionAttributeValues: Record<string, unknown> },
  ): UpdateCommand {
    return new UpdateCommand({
      TableName: this.table.name,
      Key: newsKey(keyArn, slot),
      UpdateExpression: 'REMOVE #news SET #ttl = :ttl',
      ExpressionAttributeNames: { '#news': 'news', '#ttl': 'ttl' },
      ...condition,
      ExpressionAttributeValues: {
        ':ttl': epochSeconds(this.table.clock()) + EMPTY_SLOT_TTL_SECONDS,
        ...condition?.ExpressionAttributeValues,
      },
    });
  }

  /** Records another attempt SES did not fully take, unless a newer attempt has replaced `news` since. */
  async retried(news: UndeliveredNews, pending: readonly Audience[], lastError: string): Promise<void> {
    await this.conditionally(
      new UpdateCommand({
        TableName: this.table.name,
        Key: newsKey(news.keyArn, slotOf(news.template)),
        UpdateExpression:
          'SET #news.pending = :pending, #news.lastError = :error, #news.attempts = #news.attempts + :one',
        ConditionExpression: '#news.id = :id',
        ExpressionAttributeNames: { '#news': 'news' },
        ExpressionAttributeValues: { ':id': news.id, ':pending': pending, ':error': lastError, ':one': 1 },
      }),
    );
  }

  /** Records that the operators were paged about `news`, so that they are paged once, not every sweep. */
  async paged(news: UndeliveredNews): Promise<void> {
    await this.conditionally(
      new UpdateCommand({
        TableName: this.table.name,
        Key: newsKey(news.keyArn, slotOf(news.template)),
        UpdateExpression: 'SET #news.pagedAt = :at',
        ConditionExpression: '#news.id = :id',
        ExpressionAttributeNames: { '#news': 'news' },
        ExpressionAttributeValues: { ':id': news.id, ':at': this.table.clock().toISOString() },
      }),
    );
  }

  /** The key's undelivered news, by slot. */
  async read(keyArn: string): Promise<UndeliveredNews[]> {
    const items = await queryPartition(this.table, keyArn, SORT_KEYS.newsPrefix);
    return items.flatMap((item) => newsOf(item) ?? []);
  }

  private async conditionally(command: UpdateCommand): Promise<void> {
    // Refused: a newer attempt replaced it; that one is the slot's news now, and its own attempt decides.
    await writeIf(this.table.documents.send(command));
  }
}
