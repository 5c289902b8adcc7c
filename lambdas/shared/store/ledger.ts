import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { kindOf } from '../arn';
import { documents } from '../clients/dynamodb';
import { mapWithConcurrency } from '../concurrency';
import { config } from '../config';
import type { Layer, LedgerEntry, RestoreState } from '../model';
import { keyPartition, SORT_KEYS } from './schema';
import { isConditionFailure, queryPartition } from './table';

const WRITE_CONCURRENCY = 10;
const BATCH_WRITE_LIMIT = 25;

/**
 * Remembers, before the stop call is made, what each resource needs to come back. An entry that
 * already exists is kept as it is: it holds the state from before the first stop, which a retried or
 * repeated stop must not overwrite with the stopped state.
 */
export async function recordStopping(entries: readonly LedgerEntry[]): Promise<void> {
  await mapWithConcurrency(entries, WRITE_CONCURRENCY, async (entry) => {
    try {
      await documents.send(
        new PutCommand({
          TableName: config.tableName(),
          Item: {
            pk: keyPartition(entry.keyArn),
            sk: `${SORT_KEYS.ledgerPrefix}${entry.resourceArn}`,
            type: 'ledger',
            ...entry,
          },
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  });
}

/** What the reactor stopped for a key and has not restored yet, optionally of one layer. */
export async function listLedger(keyArn: string, layer?: Layer): Promise<LedgerEntry[]> {
  const items = await queryPartition(keyArn, SORT_KEYS.ledgerPrefix);
  return items
    .map(
      (item): LedgerEntry => ({
        keyArn,
        resourceArn: String(item.resourceArn),
        kind: kindOf(String(item.resourceArn)),
        layer: item.layer === 'server' ? 'server' : 'service',
        restore: (item.restore ?? {}) as RestoreState,
        stoppedAt: String(item.stoppedAt ?? ''),
        stoppedBy: String(item.stoppedBy ?? ''),
      }),
    )
    .filter((entry) => layer === undefined || entry.layer === layer);
}

/** Forgets resources once they run again. */
export async function clearLedger(keyArn: string, resourceArns: readonly string[]): Promise<void> {
  for (let start = 0; start < resourceArns.length; start += BATCH_WRITE_LIMIT) {
    let requests: Record<string, unknown[]> | undefined = {
      [config.tableName()]: resourceArns.slice(start, start + BATCH_WRITE_LIMIT).map((resourceArn) => ({
        DeleteRequest: { Key: { pk: keyPartition(keyArn), sk: `${SORT_KEYS.ledgerPrefix}${resourceArn}` } },
      })),
    };
    // BatchWrite may leave some requests unprocessed under load; they are sent again until none remain.
    for (let attempt = 0; requests && Object.keys(requests).length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
      const result = await documents.send(new BatchWriteCommand({ RequestItems: requests as never }));
      requests = result.UnprocessedItems as Record<string, unknown[]> | undefined;
    }
  }
}
