import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  paginateQuery,
  paginateScan,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../clock';
import { keyPartition } from '../contract';

export type Item = Record<string, unknown>;

/** The reactor's table as every store part uses it: the document client, its name, and the time. */
export interface Table {
  readonly documents: DynamoDBDocumentClient;
  readonly name: string;
  readonly clock: Clock;
}

export function createTable(dynamodb: DynamoDBClient, name: string, clock: Clock): Table {
  // Optional attributes are left out of an item rather than written as NULL.
  const documents = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { documents, name, clock };
}

/** Every item of a key's partition whose sort key starts with `prefix`, across all pages. */
export async function queryPartition(table: Table, keyArn: string, prefix: string): Promise<Item[]> {
  const items: Item[] = [];
  const pages = paginateQuery(
    { client: table.documents },
    {
      TableName: table.name,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keyPartition(keyArn), ':prefix': prefix },
    },
  );
  for await (const page of pages) items.push(...((page.Items ?? []) as Item[]));
  return items;
}

/** Every item of the table the scan selects, across all pages. */
export async function scanTable(
  table: Table,
  input: Omit<ScanCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of paginateScan({ client: table.documents }, { ...input, TableName: table.name })) {
    items.push(...((page.Items ?? []) as Item[]));
  }
  return items;
}

/**
 * Awaits a guarded write (a send with a ConditionExpression): true when DynamoDB wrote it, false when its condition refused it (the expected
 * outcome of a guarded write, not an error); any other failure is thrown.
 */
export async function writeIf(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** True when a DynamoDB write was refused by its condition: the expected outcome of a guarded write. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** The time as epoch seconds, as DynamoDB's TTL and the lease compare it. */
export const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);
