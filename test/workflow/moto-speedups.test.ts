import {
  type AttributeValue,
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  CreateTagsCommand,
  DescribeImagesCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  GetPublicKeyCommand,
  KMSClient,
  SignCommand,
  VerifyCommand,
} from '@aws-sdk/client-kms';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { type MotoServer, startMoto } from '../../sandbox/moto';
import { SANDBOX_CREDENTIALS } from '../../sandbox/world';

// sandbox/moto_speedups.py replaces moto's algorithms for a few operations, never their answers: the
// same calls on a patched server and on a plain one (SANDBOX_MOTO_PLAIN=1), both seeded alike so that
// they make up the same IDs, must answer the same.

const REGION = 'us-east-1';
const SEED = 1234;

interface Side {
  readonly moto: MotoServer;
  readonly ec2: EC2Client;
  readonly dynamodb: DynamoDBClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly kms: KMSClient;
}

async function side(plain: boolean): Promise<Side> {
  const moto = await startMoto({ env: plain ? { SANDBOX_MOTO_PLAIN: '1' } : {} });
  const response = await fetch(`${moto.endpoint}/moto-api/seed?a=${SEED}`, { method: 'POST' });
  if (!response.ok) throw new Error(`moto seed failed: HTTP ${response.status}`);
  const config = { endpoint: moto.endpoint, region: REGION, credentials: SANDBOX_CREDENTIALS };
  return {
    moto,
    ec2: new EC2Client(config),
    dynamodb: new DynamoDBClient(config),
    tagging: new ResourceGroupsTaggingAPIClient(config),
    kms: new KMSClient(config),
  };
}

/** The answer without what differs from one call to the next whatever the server: request IDs, clocks (an AMI's date is the server's start). */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value instanceof Date || (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)))
    return 'a date';
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== '$metadata')
        .map(([key, inner]) => [key, comparable(inner)]),
    );
  }
  return value;
}

const S = (value: string): AttributeValue => ({ S: value });

/** Items of every attribute type, in two partitions, one of them larger than a Limit. */
function items(): Record<string, AttributeValue>[] {
  const all: Record<string, AttributeValue>[] = [];
  for (const pk of ['KEY#a', 'KEY#b']) {
    for (let index = 0; index < 7; index++) {
      all.push({
        pk: S(pk),
        sk: S(`${index % 2 === 0 ? 'RESOURCE' : 'LEDGER'}#${index}`),
        gsi: S(`g${index % 3}`),
        count: { N: String(index * 1.5) },
        flag: { BOOL: index % 2 === 0 },
        none: { NULL: true },
        names: { SS: [`n${index}`, 'z'] },
        numbers: { NS: ['1', String(index + 2)] },
        blob: { B: new Uint8Array([index, 255, 0]) },
        nested: { M: { list: { L: [S('x'), { N: '3' }, { M: { deep: { BOOL: false } } }] }, empty: S('') } },
      });
    }
  }
  return all;
}

/**
 * Keys, whose key pairs the patched server makes on first use: the same metadata, and a signing key
 * whose pair, made when first asked for, signs and verifies. Key material is random on both servers,
 * so the public key and the signature are compared by what they are, not their bytes.
 */
async function exerciseKms(kms: KMSClient): Promise<unknown[]> {
  const answers: unknown[] = [];
  const symmetric = await kms.send(new CreateKeyCommand({ Description: 'symmetric' }));
  answers.push(symmetric);
  answers.push(await kms.send(new DescribeKeyCommand({ KeyId: symmetric.KeyMetadata?.Arn })));
  const signing = await kms.send(
    new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY', Description: 'signing' }),
  );
  answers.push(signing);
  const KeyId = signing.KeyMetadata?.KeyId;
  const { PublicKey, ...publicKey } = await kms.send(new GetPublicKeyCommand({ KeyId }));
  answers.push(publicKey, { hasPublicKey: (PublicKey?.length ?? 0) > 0 });
  const Message = new TextEncoder().encode('speedups');
  const SigningAlgorithm = 'RSASSA_PSS_SHA_256';
  const { Signature, ...signed } = await kms.send(new SignCommand({ KeyId, Message, SigningAlgorithm }));
  answers.push(signed);
  answers.push(await kms.send(new VerifyCommand({ KeyId, Message, Signature, SigningAlgorithm })));
  return answers;
}

async function exercise({ ec2, dynamodb, tagging, kms }: Side): Promise<unknown[]> {
  const answers: unknown[] = await exerciseKms(kms);
  const { Images = [] } = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  const ImageId = Images[0]?.ImageId ?? '';
  const reservation = await ec2.send(
    new RunInstancesCommand({ ImageId, MinCount: 6, MaxCount: 6, ClientToken: 'speedups-1' }),
  );
  await ec2.send(new RunInstancesCommand({ ImageId, MinCount: 2, MaxCount: 2, ClientToken: 'speedups-2' }));
  const ids = (reservation.Instances ?? []).map((instance) => instance.InstanceId ?? '');
  await ec2.send(new CreateTagsCommand({ Resources: ids.slice(0, 4), Tags: [{ Key: 'k', Value: 'v' }] }));
  await ec2.send(new CreateTagsCommand({ Resources: ids.slice(2), Tags: [{ Key: 'other', Value: 'w' }] }));
  answers.push(reservation);
  answers.push(await ec2.send(new DescribeInstancesCommand({ InstanceIds: [ids[3] ?? '', ids[1] ?? ''] })));
  answers.push(await ec2.send(new DescribeInstancesCommand({})));
  answers.push(await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:k', Values: ['v'] }] })));
  answers.push(await ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId] })));
  // One instance by ID (moto's get_instance), and one that does not exist.
  answers.push(
    await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: ids[4], Attribute: 'instanceType' })),
  );
  answers.push(
    await ec2
      .send(
        new DescribeInstanceAttributeCommand({
          InstanceId: 'i-00000000000000000',
          Attribute: 'instanceType',
        }),
      )
      .catch((error: Error) => error.name),
  );
  answers.push(
    await ec2
      .send(new DescribeInstancesCommand({ InstanceIds: ['i-00000000000000000'] }))
      .catch((error: Error) => error.name),
  );
  answers.push(
    await tagging.send(
      new GetResourcesCommand({
        TagFilters: [{ Key: 'k', Values: ['v'] }],
        ResourceTypeFilters: ['ec2:instance'],
      }),
    ),
  );

  await dynamodb.send(
    new CreateTableCommand({
      TableName: 'speedups',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gsi', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'by-gsi',
          KeySchema: [{ AttributeName: 'gsi', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  for (const Item of items()) await dynamodb.send(new PutItemCommand({ TableName: 'speedups', Item }));
  const queries: Omit<QueryCommandInput, 'TableName'>[] = [
    { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': S('KEY#a') } },
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': S('KEY#b'), ':prefix': S('RESOURCE#') },
    },
    {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': S('KEY#a') },
      Limit: 3,
      ScanIndexForward: false,
    },
    {
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'flag = :yes',
      ExpressionAttributeValues: { ':pk': S('KEY#b'), ':yes': { BOOL: true } },
      ProjectionExpression: 'sk, nested, #blob',
      ExpressionAttributeNames: { '#blob': 'blob' },
    },
    { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': S('KEY#none') } },
    { IndexName: 'by-gsi', KeyConditionExpression: 'gsi = :g', ExpressionAttributeValues: { ':g': S('g1') } },
  ];
  for (const query of queries) {
    const first = await dynamodb.send(new QueryCommand({ TableName: 'speedups', ...query }));
    answers.push(first);
    if (first.LastEvaluatedKey) {
      answers.push(
        await dynamodb.send(
          new QueryCommand({ TableName: 'speedups', ...query, ExclusiveStartKey: first.LastEvaluatedKey }),
        ),
      );
    }
  }
  return answers.map(comparable);
}

let patched: Side;
let plain: Side;

beforeAll(async () => {
  [patched, plain] = await Promise.all([side(false), side(true)]);
}, 60_000);

afterAll(async () => {
  await Promise.all([patched?.moto.stop(), plain?.moto.stop()]);
});

test('the patched moto answers KMS, EC2, tagging and DynamoDB queries exactly as plain moto does', async () => {
  const [fast, slow] = await Promise.all([exercise(patched), exercise(plain)]);
  expect(fast).toHaveLength(slow.length);
  // Each answer on its own, so that a difference names the call.
  for (const [index, answer] of fast.entries()) {
    expect({ call: index, answer }).toEqual({ call: index, answer: slow[index] });
  }
  // What the comparison relies on: the fleet was described, and the queries found items of every type.
  expect(JSON.stringify(fast)).toContain('"B"');
  expect(JSON.stringify(fast)).toContain('"deep"');
  expect(JSON.stringify(fast)).toContain('"SignatureValid":true');
}, 120_000);
