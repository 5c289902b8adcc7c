import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lambdas/ledger';
import { ENV } from '../../lambdas/shared/contract';
import { metrics } from '../../lambdas/shared/observability';

// The ledger step records how long a key change took to reach the resources, for the dashboard.

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const documents = mockClient(DynamoDBDocumentClient);

const context = {
  functionName: 'key-reactor-ledger',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:key-reactor-ledger',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

beforeEach(() => {
  documents.reset();
  documents.on(QueryCommand).resolves({ Items: [] });
  documents.on(UpdateCommand).resolves({});
  process.env[ENV.tableName] = 'key-reactor-test';
  jest.restoreAllMocks();
});

const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();

describe('the ledger step', () => {
  it.each([
    ['shutdown-complete', 'SecondsToShutdown'],
    ['restored', 'SecondsToRestore'],
  ] as const)('records %s as %s: the seconds since the key changed', async (action, metricName) => {
    // Prepare
    const addMetric = jest.spyOn(metrics, 'addMetric');

    // Act
    await handler({ keyArn: KEY_ARN, executionName: 'run-1', action, eventTime: secondsAgo(620) }, context);

    // Assess
    expect(addMetric).toHaveBeenCalledWith(metricName, 'Seconds', expect.any(Number));
    const seconds = addMetric.mock.calls.find(([name]) => name === metricName)?.[2] ?? 0;
    expect(seconds).toBeGreaterThanOrEqual(620);
    expect(seconds).toBeLessThan(630);
    expect(documents).toHaveReceivedCommandWith(UpdateCommand, {
      ExpressionAttributeValues: expect.objectContaining({
        ':status': action === 'restored' ? 'restored' : 'shut-down',
      }),
    });
  });

  it('records no time without a readable event time, and none for a failure', async () => {
    const addMetric = jest.spyOn(metrics, 'addMetric');

    await handler({ keyArn: KEY_ARN, executionName: 'run-1', action: 'shutdown-complete' }, context);
    await handler(
      { keyArn: KEY_ARN, executionName: 'run-1', action: 'restored', eventTime: 'yesterday' },
      context,
    );
    await handler(
      {
        keyArn: KEY_ARN,
        executionName: 'run-1',
        action: 'failed',
        eventTime: secondsAgo(5),
        error: { Error: 'X' },
      },
      context,
    );

    expect(addMetric).not.toHaveBeenCalled();
  });
});
