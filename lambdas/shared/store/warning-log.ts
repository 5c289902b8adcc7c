import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keyPartition, SORT_KEYS } from '../contract';
import { epochSeconds, isConditionFailure, type Table } from './table';

/**
 * Which early warnings were sent, one record per key, warning, date and threshold
 * (`WARNING#material-expiring#2026-12-24T10:00:00.000Z#7`). The date is part of the record, so new key
 * material with a new expiry, or a deletion scheduled again, is warned about afresh.
 *
 * A claim is `sending` before the SES call and `sent` after it. A claim left `sending` by a sweep that
 * crashed before SES answered may be taken again after CLAIM_STALE_SECONDS, so a warning is not lost to
 * one crash; every other sweep finds the record and sends nothing.
 */
const CLAIM_STALE_SECONDS = 15 * 60;
/** Kept well past the date warned about, then removed by the table's TTL. */
const KEEP_AFTER_DUE_SECONDS = 60 * 24 * 60 * 60;

export interface WarningRecord {
  readonly keyArn: string;
  readonly warning: string;
  readonly dueAt: Date;
  readonly thresholdDays: number;
}

const recordKey = ({ keyArn, warning, dueAt, thresholdDays }: WarningRecord) => ({
  pk: keyPartition(keyArn),
  sk: `${SORT_KEYS.warningPrefix}${warning}#${dueAt.toISOString()}#${thresholdDays}`,
});

/** The early warnings the sweep sent, so each is sent once. */
export class WarningLog {
  constructor(private readonly table: Table) {}

  /** Takes the warning for this sweep; false when it was sent already, or another sweep is sending it. */
  async claim(record: WarningRecord): Promise<boolean> {
    const nowSeconds = epochSeconds(this.table.clock());
    try {
      await this.table.documents.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            ...recordKey(record),
            type: 'warning',
            keyArn: record.keyArn,
            warning: record.warning,
            dueAt: record.dueAt.toISOString(),
            thresholdDays: record.thresholdDays,
            status: 'sending',
            claimedAt: nowSeconds,
            ttl: Math.floor(record.dueAt.getTime() / 1000) + KEEP_AFTER_DUE_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(sk) OR (#status = :sending AND claimedAt < :stale)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sending': 'sending', ':stale': nowSeconds - CLAIM_STALE_SECONDS },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
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
