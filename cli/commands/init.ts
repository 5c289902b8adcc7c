import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type KeySchemaElement,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { awsClient } from '../../lambdas/shared/aws';
import { TABLE_SCHEMA } from '../../lambdas/shared/contract';
import type { CliSession } from '../context';
import { CliError, EXIT, type ExitCode, UsageError } from '../errors';

/** The key schema the construct deploys (lib/key-lifecycle-reactor.ts), from the same TABLE_SCHEMA. */
const KEY_SCHEMA: KeySchemaElement[] = [
  { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
  { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
];

const sameKeys = (found: readonly KeySchemaElement[] | undefined) =>
  KEY_SCHEMA.every((element) =>
    found?.some(
      (other) => other.AttributeName === element.AttributeName && other.KeyType === element.KeyType,
    ),
  ) && found?.length === KEY_SCHEMA.length;

/**
 * Creates the reactor's table for local use (moto, DynamoDB Local), with the schema the stack deploys:
 * the same keys, on-demand billing, TTL on `ttl`. Idempotent: a table that exists with that schema is
 * left as it is. Refused without an endpoint, since in an AWS account the stack owns the table.
 */
export async function init(session: CliSession): Promise<ExitCode> {
  const { table, endpoint } = session.target;
  if (!endpoint) {
    throw new UsageError(
      'init creates the table for local use only: pass --endpoint-url (or set AWS_ENDPOINT_URL); ' +
        'in an AWS account, cdk deploy creates it',
    );
  }
  if (!table) throw new UsageError('no table given: pass --table <name> or set TABLE_NAME');
  const dynamodb = awsClient(DynamoDBClient, session.aws);
  const created = await createTable(dynamodb, table);
  if (created) {
    await waitUntilTableExists({ client: dynamodb, maxWaitTime: 60 }, { TableName: table });
    await dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.timeToLiveAttribute, Enabled: true },
      }),
    );
  } else {
    await checkSchema(dynamodb, table);
  }
  const { out } = session;
  if (out.json) out.data({ table, endpoint, created });
  else {
    out.line(
      created
        ? `Created the table ${table} at ${endpoint} (keys ${TABLE_SCHEMA.partitionKey}, ${TABLE_SCHEMA.sortKey}; TTL on ${TABLE_SCHEMA.timeToLiveAttribute}).`
        : `The table ${table} already exists at ${endpoint}, with the reactor's schema: nothing to do.`,
    );
  }
  return EXIT.ok;
}

/** Whether the table was created; false when it was already there. */
async function createTable(dynamodb: DynamoDBClient, table: string): Promise<boolean> {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: KEY_SCHEMA.map((element) => ({
          AttributeName: element.AttributeName,
          AttributeType: 'S',
        })),
        KeySchema: KEY_SCHEMA,
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ResourceInUseException') return false;
    throw error;
  }
}

/** A table of that name with other keys is not the reactor's: say so rather than call it done. */
async function checkSchema(dynamodb: DynamoDBClient, table: string): Promise<void> {
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: table }));
  if (!sameKeys(Table?.KeySchema)) {
    const found = (Table?.KeySchema ?? []).map((element) => `${element.AttributeName} ${element.KeyType}`);
    throw new CliError(
      `the table ${table} exists but its keys are ${found.join(', ') || 'unknown'}, not ` +
        `${TABLE_SCHEMA.partitionKey} HASH, ${TABLE_SCHEMA.sortKey} RANGE: choose another --table name`,
      EXIT.usage,
      'bad-input',
    );
  }
}
