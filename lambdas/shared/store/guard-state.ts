import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { LIMITS, REACTOR_PARTITION, SORT_KEYS } from '../contract';
import { epochSeconds, scanTable, type Table, writeIf } from './table';

/** Who paused the reactor: an operator (`key-reactor pause`), or the circuit breaker. */
export const PAUSE_REASONS = ['operator', 'breaker'] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];

/** The GUARD item: whether the reactor is paused, and the last pause and resume. */
export interface GuardRecord {
  readonly paused: boolean;
  readonly reason?: PauseReason;
  /** When the current pause began (ISO 8601). */
  readonly since?: string;
  readonly by?: string;
  /** The operator's words, or what tripped the breaker. */
  readonly why?: string;
  /** When an operator last resumed: the breaker counts only keys that turned unusable after it. */
  readonly resumedAt?: string;
  readonly resumedBy?: string;
}

/** What a pause records. */
export interface PauseRecord {
  readonly reason: PauseReason;
  readonly by: string;
  readonly why: string;
}

const guardKey = { pk: REACTOR_PARTITION, sk: SORT_KEYS.guard };
const shutdownKey = (keyArn: string) => ({
  pk: REACTOR_PARTITION,
  sk: `${SORT_KEYS.shutdownPrefix}${keyArn}`,
});
/** A counted key is kept a day past its window, then TTL removes it; the count reads only the window. */
const KEEP_COUNTED_SECONDS = LIMITS.breakerWindowSeconds + 24 * 60 * 60;

function recordOf(item: Record<string, unknown> | undefined): GuardRecord {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const reason = PAUSE_REASONS.find((known) => known === item?.reason);
  return {
    paused: item?.paused === true,
    ...(reason ? { reason } : {}),
    ...(text(item?.since) ? { since: text(item?.since) } : {}),
    ...(text(item?.by) ? { by: text(item?.by) } : {}),
    ...(text(item?.why) ? { why: text(item?.why) } : {}),
    ...(text(item?.resumedAt) ? { resumedAt: text(item?.resumedAt) } : {}),
    ...(text(item?.resumedBy) ? { resumedBy: text(item?.resumedBy) } : {}),
  };
}

/**
 * The reactor-wide items of the table: the pause switch (GUARD) and the keys the circuit breaker counted
 * (SHUTDOWN#<keyArn>, one per key, so a key that a sweep or a redelivery sends through the disable
 * workflow again within the hour is counted once). Policy (when to trip, who pages) is lambdas/shared/guard.ts.
 */
export class GuardState {
  constructor(private readonly table: Table) {}

  async read(): Promise<GuardRecord> {
    const { Item } = await this.table.documents.send(
      new GetCommand({ TableName: this.table.name, Key: guardKey, ConsistentRead: true }),
    );
    return recordOf(Item);
  }

  /** Pauses the reactor (an operator's pause replaces a breaker's: it is now the operator's to lift). */
  async pause({ reason, by, why }: PauseRecord): Promise<GuardRecord> {
    const { Attributes } = await this.table.documents.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: guardKey,
        UpdateExpression:
          'SET #type = :type, paused = :true, reason = :reason, since = :now, #by = :by, why = :why',
        ExpressionAttributeNames: { '#type': 'type', '#by': 'by' },
        ExpressionAttributeValues: {
          ':type': 'guard',
          ':true': true,
          ':reason': reason,
          ':now': this.table.clock().toISOString(),
          ':by': by,
          ':why': why,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return recordOf(Attributes);
  }

  /**
   * Pauses the reactor for the breaker unless it is paused already; true when this call paused it, so
   * that operators are paged once per trip however many runs are held back.
   */
  async trip(why: string): Promise<boolean> {
    return writeIf(
      this.table.documents.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: guardKey,
          UpdateExpression:
            'SET #type = :type, paused = :true, reason = :reason, since = :now, #by = :by, why = :why',
          ConditionExpression: 'attribute_not_exists(paused) OR paused = :false',
          ExpressionAttributeNames: { '#type': 'type', '#by': 'by' },
          ExpressionAttributeValues: {
            ':type': 'guard',
            ':true': true,
            ':false': false,
            ':reason': 'breaker',
            ':now': this.table.clock().toISOString(),
            ':by': 'circuit breaker',
            ':why': why,
          },
        }),
      ),
    );
  }

  /** Lifts the pause, whoever set it; returns the record as it was, to say what was lifted. */
  async resume(by: string): Promise<GuardRecord> {
    const { Attributes } = await this.table.documents.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: guardKey,
        UpdateExpression:
          'SET #type = :type, paused = :false, resumedAt = :now, resumedBy = :by REMOVE reason, since, #by, why',
        ExpressionAttributeNames: { '#type': 'type', '#by': 'by' },
        ExpressionAttributeValues: {
          ':type': 'guard',
          ':false': false,
          ':now': this.table.clock().toISOString(),
          ':by': by,
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return recordOf(Attributes);
  }

  /**
   * Counts the key as turned unusable now, unless it was counted after `windowStart`; true when counted
   * by this call.
   */
  async countShutdown(keyArn: string, windowStart: Date): Promise<boolean> {
    const now = this.table.clock();
    return writeIf(
      this.table.documents.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            ...shutdownKey(keyArn),
            type: 'shutdown',
            keyArn,
            at: now.toISOString(),
            ttl: epochSeconds(now) + KEEP_COUNTED_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(sk) OR #at < :windowStart',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':windowStart': windowStart.toISOString() },
        }),
      ),
    );
  }

  /** How many keys were counted at or after `since`: one Query of the REACTOR partition, counting only. */
  async shutdownsSince(since: Date): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.table.documents.send(
        new QueryCommand({
          TableName: this.table.name,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          FilterExpression: '#at >= :since',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: {
            ':pk': REACTOR_PARTITION,
            ':prefix': SORT_KEYS.shutdownPrefix,
            ':since': since.toISOString(),
          },
          Select: 'COUNT',
          ExclusiveStartKey: start,
        }),
      );
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return count;
  }

  /**
   * How many keys have resources registered: a Scan of the table, made only when the breaker's floor
   * is passed (guard.ts), so an ordinary shutdown never pays for it.
   */
  async registeredKeys(): Promise<number> {
    const items = await scanTable(this.table, {
      FilterExpression: '#type = :resource',
      ProjectionExpression: 'keyArn',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':resource': 'resource' },
    });
    return new Set(items.map((item) => item.keyArn).filter((keyArn) => typeof keyArn === 'string')).size;
  }
}
