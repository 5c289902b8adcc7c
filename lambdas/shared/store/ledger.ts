import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { kindOf } from '../arn';
import { chunk, mapWithConcurrency } from '../concurrency';
import { keyPartition, SORT_KEYS } from '../contract';
import type { Layer, LedgerEntry, RestoreState } from '../model';
import { BATCH_CONCURRENCY, backoff, batchWrite } from './batch-write';
import { epochSeconds, type Item, queryPartition, type Table } from './table';

/** A restored entry is kept this long, for the restore email and for operators, then TTL removes it. */
const KEEP_RESTORED_SECONDS = 30 * 24 * 60 * 60;

/** A LEDGER item as its entry. */
export function entryOf(keyArn: string, item: Item): LedgerEntry {
  return {
    keyArn,
    resourceArn: String(item.resourceArn),
    kind: kindOf(String(item.resourceArn)),
    layer: item.layer === 'server' ? 'server' : 'service',
    restore: (item.restore ?? {}) as RestoreState,
    stoppedAt: String(item.stoppedAt ?? ''),
    stoppedBy: String(item.stoppedBy ?? ''),
  };
}

/** DynamoDB's cap: 100 keys per BatchGetItem. */
const BATCH_GET_LIMIT = 100;

type Key = { pk: string; sk: string };
const ledgerKey = (keyArn: string, resourceArn: string): Key => ({
  pk: keyPartition(keyArn),
  sk: `${SORT_KEYS.ledgerPrefix}${resourceArn}`,
});
const sortKeyOf = (key: Key): string => `${key.pk}\n${key.sk}`;

/** Which of `keys` hold an entry the reactor has not seen restored yet. */
async function existing(table: Table, keys: readonly Key[]): Promise<Set<string>> {
  const found = new Set<string>();
  await mapWithConcurrency(chunk(keys, BATCH_GET_LIMIT), BATCH_CONCURRENCY, async (batch) => {
    let requests: Record<string, { Keys: Key[]; ProjectionExpression: string }> | undefined = {
      [table.name]: { Keys: batch, ProjectionExpression: 'pk, sk, restoredAt' },
    };
    for (let round = 0; requests && Object.keys(requests).length > 0; round++) {
      await backoff(round);
      const result = await table.documents.send(new BatchGetCommand({ RequestItems: requests }));
      for (const item of Object.values(result.Responses ?? {}).flat()) {
        if ((item as { restoredAt?: unknown }).restoredAt === undefined) found.add(sortKeyOf(item as Key));
      }
      requests = result.UnprocessedKeys as typeof requests;
    }
  });
  return found;
}

/** What the reactor stopped for each key, with what each resource needs to come back. */
export class Ledger {
  constructor(private readonly table: Table) {}

  /**
   * Remembers, before the stop call is made, what each resource needs to come back. An entry that
   * already exists is kept as it is: it holds the state from before the first stop, which a retried or
   * repeated stop must not overwrite with the stopped state.
   *
   * Batched: one BatchGetItem per 100 entries finds those already there, and one BatchWriteItem per 25
   * writes the others (BatchWriteItem takes no condition, hence the read first). Only the workflow that
   * holds the key's lease writes its ledger, so nothing else writes between that read and the write.
   */
  async recordStopping(entries: readonly LedgerEntry[]): Promise<void> {
    const unique = new Map(
      entries.map((entry) => [sortKeyOf(ledgerKey(entry.keyArn, entry.resourceArn)), entry]),
    );
    const present = await existing(
      this.table,
      [...unique.values()].map((entry) => ledgerKey(entry.keyArn, entry.resourceArn)),
    );
    await batchWrite(
      this.table,
      [...unique.entries()]
        .filter(([id]) => !present.has(id))
        .map(([, entry]) => ({
          PutRequest: { Item: { ...ledgerKey(entry.keyArn, entry.resourceArn), type: 'ledger', ...entry } },
        })),
    );
  }

  /**
   * What the reactor stopped for a key and has not seen restored yet, optionally of one layer: what the
   * way up starts, and what the sweep keeps retrying.
   */
  async list(keyArn: string, layer?: Layer): Promise<LedgerEntry[]> {
    const items = await queryPartition(this.table, keyArn, SORT_KEYS.ledgerPrefix);
    return items
      .filter((item) => item.restoredAt === undefined)
      .map((item) => entryOf(keyArn, item))
      .filter((entry) => layer === undefined || entry.layer === layer);
  }

  /** The entries `executionName` saw restored: what its restore email lists. */
  async restoredBy(keyArn: string, executionName: string): Promise<LedgerEntry[]> {
    const items = await queryPartition(this.table, keyArn, SORT_KEYS.ledgerPrefix);
    return items.filter((item) => item.restoredBy === executionName).map((item) => entryOf(keyArn, item));
  }

  /**
   * Marks entries restored: their resources were observed back as they were (running, with their desired
   * count). Only this takes an entry out of the ledger, so nothing the reactor stopped is forgotten
   * before it runs again, and nothing an operator stops after that is ever started by the reactor.
   */
  async markRestored(entries: readonly LedgerEntry[], executionName: string): Promise<void> {
    const now = this.table.clock();
    await batchWrite(
      this.table,
      entries.map((entry) => ({
        PutRequest: {
          Item: {
            ...ledgerKey(entry.keyArn, entry.resourceArn),
            type: 'ledger',
            ...entry,
            restoredAt: now.toISOString(),
            restoredBy: executionName,
            ttl: epochSeconds(now) + KEEP_RESTORED_SECONDS,
          },
        },
      })),
    );
  }
}
