import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../clients/dynamodb';
import { config } from '../config';
import { keyPartition, SORT_KEYS } from '../contract';

/** The key's last outcome, for operators and the CLI: shut down, restored, or the last failure. */
export interface KeyStateRecord {
  readonly status?: 'shut-down' | 'restored';
  readonly updatedAt?: string;
  readonly executionName?: string;
  readonly lastFailure?: {
    readonly error: string;
    readonly cause: string;
    readonly executionName: string;
    readonly at: string;
  };
}

export async function recordOutcome(
  keyArn: string,
  status: 'shut-down' | 'restored',
  executionName: string,
): Promise<void> {
  await documents.send(
    new UpdateCommand({
      TableName: config.tableName(),
      Key: { pk: keyPartition(keyArn), sk: SORT_KEYS.state },
      UpdateExpression:
        'SET #type = :type, keyArn = :keyArn, #status = :status, updatedAt = :at, executionName = :execution',
      ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
      ExpressionAttributeValues: {
        ':type': 'state',
        ':keyArn': keyArn,
        ':status': status,
        ':at': new Date().toISOString(),
        ':execution': executionName,
      },
    }),
  );
}

export async function recordFailure(
  keyArn: string,
  executionName: string,
  error: string,
  cause: string,
): Promise<void> {
  await documents.send(
    new UpdateCommand({
      TableName: config.tableName(),
      Key: { pk: keyPartition(keyArn), sk: SORT_KEYS.state },
      UpdateExpression: 'SET #type = :type, keyArn = :keyArn, lastFailure = :failure',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: {
        ':type': 'state',
        ':keyArn': keyArn,
        ':failure': { error, cause: cause.slice(0, 4000), executionName, at: new Date().toISOString() },
      },
    }),
  );
}

export async function readKeyState(keyArn: string): Promise<KeyStateRecord> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: config.tableName(), Key: { pk: keyPartition(keyArn), sk: SORT_KEYS.state } }),
  );
  return (Item ?? {}) as KeyStateRecord;
}
