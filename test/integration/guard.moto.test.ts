import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Guard } from '../../lambdas/shared/guard';
import { createStore, type Store } from '../../lambdas/shared/store';
import { createReactorTable, DEMO, SANDBOX_CREDENTIALS, worldClients } from '../../sandbox/world';
import { workerMoto } from '../support/moto';

// The pause switch and the circuit breaker on a moto table: conditional writes, the count Query and
// the registered-keys Scan as DynamoDB answers them.

const REGION = 'us-east-1';
const keyArn = (n: number): string =>
  `arn:aws:kms:${REGION}:111122223333:key/${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
const START = Date.parse('2026-11-22T10:00:00Z');

describe('Guard', () => {
  let endpoint: string;
  let now = START;
  const clock = () => new Date(now);
  let store: Store;
  const guard = (breakerLimit?: number) => new Guard(store, { breakerLimit, clock });
  const minutes = (count: number) => {
    now += count * 60_000;
  };

  beforeAll(async () => {
    endpoint = (await workerMoto()).endpoint;
  });

  beforeEach(async () => {
    const moto = await workerMoto();
    await createReactorTable(worldClients(moto.endpoint, REGION));
    now = START;
    store = createStore(
      new DynamoDBClient({ endpoint, region: REGION, credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 }),
      { tableName: DEMO.tableName, leaseSeconds: 900, clock },
    );
  });

  describe('pause and resume', () => {
    it('records who paused, when and why, and who resumed', async () => {
      // Prepare
      const subject = guard();
      expect(await subject.status()).toEqual({ paused: false });

      // Act
      await subject.pause('alice', 'a bad change rolling out');
      const paused = await subject.status();
      minutes(5);
      const lifted = await subject.resume('bob');

      // Assess
      expect(paused).toEqual({
        paused: true,
        reason: 'operator',
        since: '2026-11-22T10:00:00.000Z',
        by: 'alice',
        why: 'a bad change rolling out',
      });
      expect(lifted).toMatchObject({ paused: true, by: 'alice' });
      expect(await subject.status()).toEqual({
        paused: false,
        resumedAt: '2026-11-22T10:05:00.000Z',
        resumedBy: 'bob',
      });
    });

    it('holds every shutdown and start back while an operator has paused it, counting nothing', async () => {
      // Prepare
      const subject = guard(1);
      await subject.pause('alice', 'maintenance');

      // Act
      const shutdown = await subject.admitShutdown(keyArn(1));
      const start = await subject.admitStart();

      // Assess
      expect(shutdown).toEqual({ act: false, reason: 'paused' });
      expect(start).toEqual({ act: false, reason: 'paused' });
      expect(await store.guard.shutdownsSince(new Date(0))).toBe(0);
    });
  });

  describe('circuit breaker', () => {
    it('trips when more keys than the limit turn unusable within the hour, and pages once', async () => {
      // Prepare
      const subject = guard(2);

      // Act
      const answers = [];
      for (const n of [1, 2, 3, 4]) answers.push(await subject.admitShutdown(keyArn(n)));

      // Assess
      expect(answers).toEqual([
        { act: true, counted: 1, limit: 2 },
        { act: true, counted: 2, limit: 2 },
        { act: false, reason: 'breaker', tripped: true, counted: 3, limit: 2 },
        { act: false, reason: 'breaker' },
      ]);
      expect(await subject.status()).toMatchObject({
        paused: true,
        reason: 'breaker',
        by: 'circuit breaker',
        why: '3 keys turned unusable within 60 minutes, more than the limit of 2',
      });
      // A breaker holds back shutdowns, not the starts of keys confirmed usable.
      expect(await subject.admitStart()).toEqual({ act: true });
    });

    it('counts a key once per hour, however often its disable run comes back', async () => {
      // Prepare
      const subject = guard(1);

      // Act
      const first = await subject.admitShutdown(keyArn(1));
      minutes(10);
      const again = await subject.admitShutdown(keyArn(1));
      minutes(55);
      const nextHour = await subject.admitShutdown(keyArn(1));

      // Assess
      expect([first, again, nextHour].map(({ act, counted }) => ({ act, counted }))).toEqual([
        { act: true, counted: 1 },
        { act: true, counted: 1 },
        { act: true, counted: 1 },
      ]);
    });

    it('forgets keys older than the hour', async () => {
      // Prepare
      const subject = guard(1);
      await subject.admitShutdown(keyArn(1));
      minutes(61);

      // Act
      const answer = await subject.admitShutdown(keyArn(2));

      // Assess
      expect(answer).toMatchObject({ act: true, counted: 1 });
    });

    it('after resume, lets the held-back keys act and counts only keys that turn unusable afterwards', async () => {
      // Prepare
      const subject = guard(1);
      await subject.admitShutdown(keyArn(1));
      expect(await subject.admitShutdown(keyArn(2))).toMatchObject({ act: false, tripped: true });
      minutes(1);
      await subject.resume('alice');
      minutes(1);

      // Act
      const heldBack = await subject.admitShutdown(keyArn(2));
      const newKey = await subject.admitShutdown(keyArn(3));
      const oneMore = await subject.admitShutdown(keyArn(4));

      // Assess
      expect(heldBack).toMatchObject({ act: true, counted: 0 });
      expect(newKey).toMatchObject({ act: true, counted: 1 });
      expect(oneMore).toMatchObject({ act: false, reason: 'breaker', tripped: true, counted: 2 });
    });

    it('by default allows the larger of 10 keys and 10 % of the registered keys', async () => {
      // Prepare: 150 keys with resources registered, so the limit is 15.
      const subject = guard();
      for (let n = 0; n < 150; n++) {
        await store.registry.register({
          keyArn: keyArn(1000 + n),
          resourceArn: `arn:aws:ec2:${REGION}:111122223333:instance/i-${n.toString(16).padStart(17, '0')}`,
          layer: 'server',
        });
      }

      // Act
      const answers = [];
      for (let n = 1; n <= 16; n++) answers.push(await subject.admitShutdown(keyArn(n)));

      // Assess
      expect(answers.slice(0, 10).every((answer) => answer.act && answer.limit === 10)).toBe(true);
      expect(answers.slice(10, 15).every((answer) => answer.act && answer.limit === 15)).toBe(true);
      expect(answers[15]).toEqual({ act: false, reason: 'breaker', tripped: true, counted: 16, limit: 15 });
    });

    it('by default trips past 10 keys when few keys are registered', async () => {
      // Prepare
      const subject = guard();

      // Act
      const answers = [];
      for (let n = 1; n <= 11; n++) answers.push(await subject.admitShutdown(keyArn(n)));

      // Assess
      expect(answers.filter((answer) => answer.act)).toHaveLength(10);
      expect(answers[10]).toMatchObject({ act: false, reason: 'breaker', limit: 10 });
    });
  });
});
