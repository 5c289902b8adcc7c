import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { REACTOR_PARTITION } from '../contract';
import { logger, metrics } from '../observability';
import type { TokenBucket } from '../rate-limits';
import type { Table } from '../store/table';
import { type BucketLevel, draw } from './token-bucket';

/**
 * Where the pacer keeps its buckets' levels. `take` draws `count` tokens and says how long to wait before
 * the call, or undefined (and takes nothing) when that wait would pass `maxWaitMs`.
 */
export interface Buckets {
  take(
    name: string,
    bucket: TokenBucket,
    count: number,
    options: { readonly now: number; readonly maxWaitMs: number },
  ): Promise<number | undefined>;
  /**
   * How long, from `now`, until `count` tokens would be there, taking nothing: what a caller that `take`
   * turned away waits before it asks again. Optional: without it the caller waits `maxWaitMs`.
   */
  owedMs?(name: string, bucket: TokenBucket, count: number, now: number): Promise<number>;
}

/** Buckets in this process's memory: one Lambda container's calls, or every run of the local sandbox. */
export class LocalBuckets implements Buckets {
  private readonly levels = new Map<string, BucketLevel>();

  async take(
    name: string,
    bucket: TokenBucket,
    count: number,
    { now, maxWaitMs }: { readonly now: number; readonly maxWaitMs: number },
  ): Promise<number | undefined> {
    const drawn = draw(bucket, this.levels.get(name), count, now);
    if (drawn.waitMs > maxWaitMs) return undefined;
    this.levels.set(name, drawn.level);
    return drawn.waitMs;
  }

  async owedMs(name: string, bucket: TokenBucket, count: number, now: number): Promise<number> {
    return draw(bucket, this.levels.get(name), count, now).waitMs;
  }
}

/** Concurrent writers of one bucket item retry their draw this many times, then fall back to local. */
const MAX_RACES = 5;

/** The sort key of a bucket's item in the reactor's partition. */
export const pacerSortKey = (name: string): string => `PACER#${name}`;

/**
 * Buckets shared by every execution of the account, as items of the reactor's table
 * (pk = REACTOR, sk = PACER#<bucket>): each draw reads the level and writes the new one on condition
 * that nobody wrote in between. When the table cannot be reached the draw falls back to this
 * container's own buckets, and says so with the `PacerFellBackToLocal` metric: pacing on a part of the
 * traffic is better than none, and AWS's own throttling, retried, is the last guard.
 */
export class SharedBuckets implements Buckets {
  private readonly local = new LocalBuckets();

  constructor(private readonly table: Table) {}

  async take(
    name: string,
    bucket: TokenBucket,
    count: number,
    options: { readonly now: number; readonly maxWaitMs: number },
  ): Promise<number | undefined> {
    const key = { pk: REACTOR_PARTITION, sk: pacerSortKey(name) };
    try {
      for (let race = 0; race < MAX_RACES; race++) {
        const { Item } = await this.table.documents.send(
          new GetCommand({ TableName: this.table.name, Key: key, ConsistentRead: true }),
        );
        const seen =
          typeof Item?.tokens === 'number' && typeof Item?.at === 'number'
            ? { tokens: Item.tokens, at: Item.at }
            : undefined;
        const drawn = draw(bucket, seen, count, options.now);
        if (drawn.waitMs > options.maxWaitMs) return undefined;
        try {
          await this.table.documents.send(
            new PutCommand({
              TableName: this.table.name,
              Item: { ...key, type: 'pacer', tokens: drawn.level.tokens, at: drawn.level.at },
              ...(seen === undefined
                ? { ConditionExpression: 'attribute_not_exists(pk)' }
                : { ConditionExpression: '#at = :at', ExpressionAttributeNames: { '#at': 'at' } }),
              ...(seen === undefined ? {} : { ExpressionAttributeValues: { ':at': seen.at } }),
            }),
          );
          return drawn.waitMs;
        } catch (error) {
          if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
        }
      }
      throw new Error(`${MAX_RACES} concurrent draws in a row won the race for ${name}`);
    } catch (error) {
      logger.warn('Pacer: the shared bucket is out of reach, pacing with this function alone', {
        bucket: name,
        error: `${(error as Error).name}: ${(error as Error).message}`,
      });
      metrics.addMetric('PacerFellBackToLocal', MetricUnit.Count, 1);
      return this.local.take(name, bucket, count, options);
    }
  }

  async owedMs(name: string, bucket: TokenBucket, count: number, now: number): Promise<number> {
    try {
      const { Item } = await this.table.documents.send(
        new GetCommand({
          TableName: this.table.name,
          Key: { pk: REACTOR_PARTITION, sk: pacerSortKey(name) },
          ConsistentRead: true,
        }),
      );
      const seen =
        typeof Item?.tokens === 'number' && typeof Item?.at === 'number'
          ? { tokens: Item.tokens, at: Item.at }
          : undefined;
      return draw(bucket, seen, count, now).waitMs;
    } catch {
      // The table out of reach: the draw fell back to this container's buckets, so they know the debt.
      return this.local.owedMs(name, bucket, count, now);
    }
  }
}
