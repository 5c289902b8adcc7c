import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createLedgerHandler } from '../../lambdas/ledger/ledger-handler';
import { systemClock } from '../../lambdas/shared/clock';
import { metrics } from '../../lambdas/shared/observability';
import { lambdaContext } from '../support/lambda-context';
import { mockedStore } from './mocked-store';

// The ledger step records how long a key change took to reach the resources, for the dashboard.

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const { documents, store } = mockedStore();
const handler = createLedgerHandler({ store, clock: systemClock });
const context = lambdaContext('ledger');

beforeEach(() => {
  documents.on(QueryCommand).resolves({ Items: [] });
  documents.on(UpdateCommand).resolves({});
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
