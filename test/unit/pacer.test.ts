import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ThrottlingError } from '../../lambdas/shared/errors';
import { LocalBuckets, SharedBuckets } from '../../lambdas/shared/pacing/buckets';
import { Pacer } from '../../lambdas/shared/pacing/pacer';
import { draw } from '../../lambdas/shared/pacing/token-bucket';
import { limitFor, RATE_LIMITS } from '../../lambdas/shared/rate-limits';
import { createTable } from '../../lambdas/shared/store/table';

/** A clock the test owns, and a sleep that only moves it (and records how long it was asked to wait). */
function fakeTime() {
  let now = Date.parse('2026-11-22T15:32:00Z');
  const slept: number[] = [];
  return {
    clock: () => new Date(now),
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
    slept,
  };
}

describe('the rate-limit model', () => {
  it('names a source for every bucket, or says it is an assumption', () => {
    for (const limit of RATE_LIMITS) {
      expect({ bucket: limit.bucket, source: limit.source }).toEqual({
        bucket: limit.bucket,
        source: expect.stringMatching(/^(https:\/\/docs\.aws\.amazon\.com\/|assumption: )/),
      });
    }
  });

  it('covers the calls the drivers make that change something', () => {
    for (const [service, operation] of [
      ['ec2', 'StopInstances'],
      ['ec2', 'StartInstances'],
      ['ecs', 'UpdateService'],
      ['rds', 'StopDBInstance'],
      ['rds', 'StartDBCluster'],
      ['autoscaling', 'SuspendProcesses'],
      ['application-autoscaling', 'RegisterScalableTarget'],
      ['kms', 'DescribeKey'],
      ['dynamodb', 'BatchWriteItem'],
    ] as const) {
      expect({ operation, limit: limitFor(service, operation) }).toEqual({
        operation,
        limit: expect.anything(),
      });
    }
  });
});

describe('a token bucket', () => {
  it('lets a full burst go at once, then makes each caller wait for the tokens it owes', () => {
    const bucket = { burst: 10, refillPerSecond: 2 };
    const first = draw(bucket, undefined, 10, 0);
    expect(first.waitMs).toBe(0);
    const second = draw(bucket, first.level, 4, 0);
    expect(second.waitMs).toBe(2_000);
    // A second later 2 tokens came back; the next caller queues behind the debt.
    expect(draw(bucket, second.level, 1, 1_000).waitMs).toBe(1_500);
    // Never more than a full bucket, however long it rested.
    expect(draw(bucket, second.level, 10, 3_600_000).waitMs).toBe(0);
  });
});

describe('the pacer', () => {
  it("paces a burst of StartInstances by EC2's resource bucket once its 1,000 instances are spent", async () => {
    // Prepare
    const time = fakeTime();
    const pacer = new Pacer({
      buckets: new LocalBuckets(),
      clock: time.clock,
      sleep: time.sleep,
      maxWaitMs: 60_000,
    });

    // Act: twelve calls of 100 instances, as a start step's chunks would make them.
    for (let call = 0; call < 12; call++) await pacer.acquire('ec2', 'StartInstances', 100);

    // Assess: ten go at once; each later one waits for 100 tokens at 2 a second.
    expect(time.slept).toEqual([50_000, 50_000]);
  });

  it('paces calls by the request bucket too, and leaves operations the model does not know alone', async () => {
    const time = fakeTime();
    const pacer = new Pacer({ buckets: new LocalBuckets(), clock: time.clock, sleep: time.sleep });

    for (let call = 0; call < 51; call++) await pacer.acquire('ecs', 'UpdateService');
    for (let call = 0; call < 500; call++) await pacer.acquire('ecs', 'CreateCluster');

    expect(time.slept).toEqual([200]);
  });

  it('never sleeps past its longest wait: the step fails with ThrottlingError, which its Task retries', async () => {
    const time = fakeTime();
    const pacer = new Pacer({ buckets: new LocalBuckets(), clock: time.clock, sleep: time.sleep });
    for (let call = 0; call < 10; call++) await pacer.acquire('ec2', 'StartInstances', 100);

    await expect(pacer.acquire('ec2', 'StartInstances', 100)).rejects.toBeInstanceOf(ThrottlingError);
    expect(time.slept).toEqual([]);
  });
});

describe('the shared buckets', () => {
  const documents = mockClient(DynamoDBDocumentClient);
  beforeEach(() => documents.reset());
  const time = fakeTime();
  const table = createTable(new DynamoDBClient({}), 'key-reactor-test', time.clock);
  const bucket = { burst: 1000, refillPerSecond: 2 };

  it('draws from the REACTOR partition, written on condition that nobody drew in between', async () => {
    // Prepare: another execution drew 990 tokens a second ago.
    const now = time.clock().getTime();
    documents.on(GetCommand).resolves({ Item: { tokens: 10, at: now - 1_000 } });
    documents.on(PutCommand).resolves({});

    // Act
    const waitMs = await new SharedBuckets(table).take('ec2:StartInstances:resource', bucket, 100, {
      now,
      maxWaitMs: 60_000,
    });

    // Assess: 12 tokens there, 88 owed at 2 a second.
    expect(waitMs).toBe(44_000);
    expect(documents).toHaveReceivedCommandWith(GetCommand, {
      Key: { pk: 'REACTOR', sk: 'PACER#ec2:StartInstances:resource' },
      ConsistentRead: true,
    });
    expect(documents).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({
        pk: 'REACTOR',
        sk: 'PACER#ec2:StartInstances:resource',
        tokens: -88,
        at: now,
      }),
      ConditionExpression: '#at = :at',
      ExpressionAttributeValues: { ':at': now - 1_000 },
    });
  });

  it('reads again when another execution drew first', async () => {
    const now = time.clock().getTime();
    documents
      .on(GetCommand)
      .resolvesOnce({ Item: { tokens: 1000, at: now } })
      .resolves({ Item: { tokens: 0, at: now } });
    documents
      .on(PutCommand)
      .rejectsOnce(Object.assign(new Error('raced'), { name: 'ConditionalCheckFailedException' }))
      .resolves({});

    const waitMs = await new SharedBuckets(table).take('b', bucket, 10, { now, maxWaitMs: 60_000 });

    expect(waitMs).toBe(5_000);
    expect(documents).toHaveReceivedCommandTimes(GetCommand, 2);
  });

  it('falls back to its own buckets when the table cannot be reached', async () => {
    documents.on(GetCommand).rejects(Object.assign(new Error('down'), { name: 'ServiceUnavailable' }));
    const shared = new SharedBuckets(table);
    const now = time.clock().getTime();

    const first = await shared.take('b', bucket, 1000, { now, maxWaitMs: 60_000 });
    const second = await shared.take('b', bucket, 10, { now, maxWaitMs: 60_000 });

    expect([first, second]).toEqual([0, 5_000]);
  });
});
