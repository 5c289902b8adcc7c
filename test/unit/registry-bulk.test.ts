import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockedStore, TEST_TABLE } from './mocked-store';

// Registry.registerAll, the bulk path the bench's sweep of 10,000 keys registers its rows with: the same
// items as `register`, 25 to a BatchWriteItem, what DynamoDB left unprocessed sent again.

const { documents, store } = mockedStore();

const keyArn = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const instance = (n: number) =>
  `arn:aws:ec2:us-east-1:111122223333:instance/i-${String(n).padStart(17, '0')}`;

describe('Registry.registerAll', () => {
  it('writes each resource once, 25 to a call, and sends again what DynamoDB left unprocessed', async () => {
    const resources = Array.from({ length: 30 }, (_, n) => ({
      keyArn,
      resourceArn: instance(n),
      layer: 'server' as const,
    }));
    // The last resource twice: one batch may not write the same item twice.
    resources.push({ ...resources[29], layer: 'server' } as (typeof resources)[number]);
    let first = true;
    documents.on(BatchWriteCommand).callsFake(({ RequestItems }) => {
      const requests = RequestItems[TEST_TABLE] as unknown[];
      if (first && requests.length === 25) {
        first = false;
        return { UnprocessedItems: { [TEST_TABLE]: requests.slice(0, 2) } };
      }
      return { UnprocessedItems: {} };
    });

    await store.registry.registerAll(resources);

    const sizes = documents
      .commandCalls(BatchWriteCommand)
      .map((call) => (call.args[0].input.RequestItems?.[TEST_TABLE] ?? []).length);
    expect([...sizes].sort((a, b) => b - a)).toEqual([25, 5, 2]);
    const items = documents
      .commandCalls(BatchWriteCommand)
      .flatMap((call) => call.args[0].input.RequestItems?.[TEST_TABLE] ?? [])
      .map((request) => request.PutRequest?.Item);
    expect(new Set(items.map((item) => item?.sk)).size).toBe(30);
    expect(items[0]).toEqual({
      pk: `KEY#${keyArn}`,
      sk: `RESOURCE#${instance(0)}`,
      type: 'resource',
      keyArn,
      resourceArn: instance(0),
      kind: 'ec2-instance',
      layer: 'server',
      registeredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });
});
