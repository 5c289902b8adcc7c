import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { chunk, mapWithConcurrency } from '../concurrency';
import type { Table } from './table';

/** DynamoDB's cap: 25 requests per BatchWriteItem. */
export const BATCH_WRITE_LIMIT = 25;
/**
 * Batch calls in flight at once. All of a key's items share one partition, which takes about 1,000
 * write units a second: four batches of 25 stay well under it.
 */
export const BATCH_CONCURRENCY = 4;

/** Waits a little longer after each round that DynamoDB left work unprocessed (it does so under load). */
export async function backoff(round: number): Promise<void> {
  if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** round)));
}

/** Sends the write requests in batches, resending what DynamoDB left unprocessed until none remain. */
export async function batchWrite(
  table: Table,
  requests: readonly Record<string, unknown>[],
  concurrency = BATCH_CONCURRENCY,
): Promise<void> {
  await mapWithConcurrency(chunk(requests, BATCH_WRITE_LIMIT), concurrency, async (batch) => {
    let pending: Record<string, unknown[]> | undefined = { [table.name]: batch };
    for (let round = 0; pending && Object.keys(pending).length > 0; round++) {
      await backoff(round);
      const result = await table.documents.send(new BatchWriteCommand({ RequestItems: pending as never }));
      pending = result.UnprocessedItems as Record<string, unknown[]> | undefined;
    }
  });
}
