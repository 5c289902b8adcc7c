import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keyPartition, SORT_KEYS } from '../contract';
import { epochSeconds, isConditionFailure, type Table } from './table';

/**
 * When the sweep first saw each RDS database of a key in `inaccessible-encryption-credentials-recoverable`
 * (`COUNTDOWN#<resourceArn>`): RDS makes it unrecoverable 7 days later, and the daily warnings count down
 * from there. Cleared once the database is seen in any other state, so the next time starts afresh.
 */

/** Long past the 7 days, in case no sweep ever sees the database again (unregistered, deleted). */
const KEEP_SECONDS = 30 * 24 * 60 * 60;

export interface Countdown {
  readonly resourceArn: string;
  readonly firstSeenAt: Date;
}

const recordKey = (keyArn: string, resourceArn: string) => ({
  pk: keyPartition(keyArn),
  sk: `${SORT_KEYS.countdownPrefix}${resourceArn}`,
});

export class Countdowns {
  constructor(private readonly table: Table) {}

  /**
   * When the database was first seen recoverable: `seenAt` if this is the first time, the date recorded
   * by an earlier sweep otherwise. One conditional-free update, so concurrent sweeps agree on the date.
   */
  async firstSeen(keyArn: string, resourceArn: string, seenAt: Date): Promise<Date> {
    const { Attributes } = await this.table.documents.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: recordKey(keyArn, resourceArn),
        UpdateExpression:
          'SET #type = :type, keyArn = :keyArn, resourceArn = :resourceArn, ' +
          'firstSeenAt = if_not_exists(firstSeenAt, :at), #ttl = :ttl',
        ExpressionAttributeNames: { '#type': 'type', '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':type': 'countdown',
          ':keyArn': keyArn,
          ':resourceArn': resourceArn,
          ':at': seenAt.toISOString(),
          ':ttl': epochSeconds(seenAt) + KEEP_SECONDS,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return new Date(String(Attributes?.firstSeenAt ?? seenAt.toISOString()));
  }

  /**
   * The database was seen in another state: its countdown is over, and the next one starts afresh. An
   * update, not a delete: the sweep never deletes (its role has no DeleteItem); the TTL removes the item.
   */
  async clear(keyArn: string, resourceArn: string): Promise<void> {
    await this.table.documents
      .send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: recordKey(keyArn, resourceArn),
          UpdateExpression: 'REMOVE firstSeenAt',
          ConditionExpression: 'attribute_exists(pk)',
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }
}
