import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keyPartition, SORT_KEYS } from '../contract';
import { epochSeconds, type Table, writeIf } from './table';

/**
 * Which early warnings were sent, one record per key, warning, date and threshold
 * (`WARNING#material-expiring#2026-12-24T10:00:00.000Z#7`). The date is part of the record, so new key
 * material with a new expiry, or a deletion scheduled again, is warned about afresh.
 *
 * A claim is `sending` before the SES call, `sent` once SES accepted it, and `refused` when SES did not:
 * the next sweep takes a refused warning again, until SES accepts it. A claim left `sending` by a sweep
 * that crashed before SES answered may be taken again after CLAIM_STALE_SECONDS, so a warning is not
 * lost to one crash; every other sweep finds the record and sends nothing. The record keeps when the
 * operators were paged about a refusal, so that they are paged once, not at every sweep.
 */
const CLAIM_STALE_SECONDS = 15 * 60;
/** Kept well past the date warned about, then removed by the table's TTL. */
const KEEP_AFTER_DUE_SECONDS = 60 * 24 * 60 * 60;

export interface WarningRecord {
  readonly keyArn: string;
  readonly warning: string;
  readonly dueAt: Date;
  readonly thresholdDays: number;
  /**
   * What the warning is about when a key has several of its kind: a key material's ID, a database's
   * ARN. Absent, the record keeps the shape it always had.
   */
  readonly about?: string;
}

const recordKey = ({ keyArn, warning, dueAt, thresholdDays, about }: WarningRecord) => ({
  pk: keyPartition(keyArn),
  sk: `${SORT_KEYS.warningPrefix}${warning}#${dueAt.toISOString()}#${thresholdDays}${about ? `#${about}` : ''}`,
});

/** The early warnings the sweep sent, so each is sent once. */
export class WarningLog {
  constructor(private readonly table: Table) {}

  /**
   * Takes the warning for this sweep; false when it was sent already, or another sweep is sending it.
   * An update rather than a put, so that a warning taken again keeps when the operators were paged.
   */
  async claim(record: WarningRecord): Promise<boolean> {
    const nowSeconds = epochSeconds(this.table.clock());
    return writeIf(
      this.table.documents.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: recordKey(record),
          UpdateExpression:
            'SET #type = :type, keyArn = :keyArn, warning = :warning, dueAt = :dueAt, ' +
            'thresholdDays = :days, #status = :sending, claimedAt = :now, #ttl = :ttl',
          ConditionExpression:
            'attribute_not_exists(sk) OR #status = :refused OR (#status = :sending AND claimedAt < :stale)',
          ExpressionAttributeNames: { '#type': 'type', '#status': 'status', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':type': 'warning',
            ':keyArn': record.keyArn,
            ':warning': record.warning,
            ':dueAt': record.dueAt.toISOString(),
            ':days': record.thresholdDays,
            ':sending': 'sending',
            ':refused': 'refused',
            ':now': nowSeconds,
            ':stale': nowSeconds - CLAIM_STALE_SECONDS,
            ':ttl': Math.floor(record.dueAt.getTime() / 1000) + KEEP_AFTER_DUE_SECONDS,
          },
        }),
      ),
    );
  }

  /**
   * Marks a claimed warning refused by SES, for the next sweep to send again. Returns whether the
   * operators were paged about it already.
   */
  async refused(record: WarningRecord, reason: string): Promise<{ readonly paged: boolean }> {
    const { Attributes } = await this.table.documents.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: recordKey(record),
        UpdateExpression: 'SET #status = :refused, refusal = :reason',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':refused': 'refused', ':reason': reason },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return { paged: typeof Attributes?.pagedAt === 'string' };
  }

  /** Records that the operators were paged about a refused warning. */
  async markPaged(record: WarningRecord): Promise<void> {
    await this.table.documents.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: recordKey(record),
        UpdateExpression: 'SET pagedAt = :at',
        ExpressionAttributeValues: { ':at': this.table.clock().toISOString() },
      }),
    );
  }

  /** Marks a claimed warning sent, once SES has accepted the email. */
  async markSent(record: WarningRecord): Promise<void> {
    await this.table.documents.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: recordKey(record),
        UpdateExpression: 'SET #status = :sent, sentAt = :at',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sent': 'sent', ':at': this.table.clock().toISOString() },
      }),
    );
  }
}
