import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keyPartition, SORT_KEYS } from '../contract';
import type { Table } from './table';

/** The key's last outcome, for operators and the CLI: shut down, restored, or the last failure. */
export interface KeyOutcome {
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

const stateKey = (keyArn: string) => ({ pk: keyPartition(keyArn), sk: SORT_KEYS.state });

/** What the workflows last concluded for each key, on its STATE item. */
export class Outcomes {
  constructor(private readonly table: Table) {}

  async record(keyArn: string, status: 'shut-down' | 'restored', executionName: string): Promise<void> {
    await this.table.documents.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: stateKey(keyArn),
        UpdateExpression:
          'SET #type = :type, keyArn = :keyArn, #status = :status, updatedAt = :at, executionName = :execution',
        ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
        ExpressionAttributeValues: {
          ':type': 'state',
          ':keyArn': keyArn,
          ':status': status,
          ':at': this.table.clock().toISOString(),
          ':execution': executionName,
        },
      }),
    );
  }

  async recordFailure(keyArn: string, executionName: string, error: string, cause: string): Promise<void> {
    await this.table.documents.send(
      new UpdateCommand({
        TableName: this.table.name,
        Key: stateKey(keyArn),
        UpdateExpression: 'SET #type = :type, keyArn = :keyArn, lastFailure = :failure',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':type': 'state',
          ':keyArn': keyArn,
          ':failure': {
            error,
            cause: cause.slice(0, 4000),
            executionName,
            at: this.table.clock().toISOString(),
          },
        },
      }),
    );
  }

  async read(keyArn: string): Promise<KeyOutcome> {
    const { Item } = await this.table.documents.send(
      new GetCommand({ TableName: this.table.name, Key: stateKey(keyArn) }),
    );
    return (Item ?? {}) as KeyOutcome;
  }
}
