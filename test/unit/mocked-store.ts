import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { systemClock } from '../../lambdas/shared/clock';
import { LIMITS } from '../../lambdas/shared/contract';
import { createStore, type Store } from '../../lambdas/shared/store';

export const TEST_TABLE = 'key-reactor-test';

/**
 * The reactor's store on a DynamoDB client whose document commands are mocked (aws-sdk-client-mock on
 * the DynamoDBDocumentClient class, reset before each test of the calling file): the test answers and
 * inspects `documents`.
 */
export function mockedStore() {
  const documents = mockClient(DynamoDBDocumentClient);
  beforeEach(() => {
    documents.reset();
  });
  const store: Store = createStore(new DynamoDBClient({}), {
    tableName: TEST_TABLE,
    leaseSeconds: LIMITS.leaseSeconds,
    clock: systemClock,
  });
  return { documents, store };
}

/** The table takes every write, and a key's registry (any Query) holds one ECS service, orders-api. */
export function oneRegisteredService(documents: ReturnType<typeof mockedStore>['documents']): void {
  documents.onAnyCommand().resolves({});
  documents.on(QueryCommand).resolves({
    Items: [
      {
        resourceArn: 'arn:aws:ecs:us-east-1:111122223333:service/prod/orders-api',
        layer: 'service',
        registeredAt: '2026-11-01T00:00:00Z',
      },
    ],
  });
}
