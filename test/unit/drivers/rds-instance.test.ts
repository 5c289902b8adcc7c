import {
  type DBInstance,
  DescribeDBInstancesCommand,
  RDSClient,
  StartDBInstanceCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
// For the matcher types; jest.config's setupFilesAfterEnv registers the matchers at run time.
import 'aws-sdk-client-mock-jest';
import { RdsInstanceDriver } from '../../../lambdas/shared/drivers/rds-instance';
import { UnsupportedResourceError } from '../../../lambdas/shared/errors';

const TAG = { key: 'key-reactor:managed', value: 'true' };
const MANAGED = [{ Key: 'key-reactor:managed', Value: 'true' }];

const arnOf = (id: string): string => `arn:aws:rds:us-east-1:111122223333:db:${id}`;
const db = (id: string, status: string, extra: Partial<DBInstance> = {}): DBInstance => ({
  DBInstanceIdentifier: id,
  DBInstanceStatus: status,
  TagList: MANAGED,
  ...extra,
});

describe('RdsInstanceDriver', () => {
  const rdsMock = mockClient(RDSClient);
  const driver = new RdsInstanceDriver(TAG, new RDSClient({}));

  beforeEach(() => {
    rdsMock.reset();
  });

  describe('status', () => {
    it('maps RDS statuses, reads the tags from the answer, and keeps the order of the input', async () => {
      // Prepare
      rdsMock.on(DescribeDBInstancesCommand).resolves({
        DBInstances: [
          db('untagged', 'available', { TagList: [{ Key: 'team', Value: 'x' }] }),
          db('backing-up', 'backing-up'),
          db('stopping', 'stopping'),
          db('stopped', 'stopped'),
          db('orders', 'available'),
        ],
      });
      const ids = ['orders', 'stopped', 'stopping', 'backing-up', 'gone', 'untagged'];

      // Act
      const observations = await driver.status(ids.map(arnOf));

      // Assess
      expect(observations).toEqual([
        { resourceArn: arnOf('orders'), state: 'running', detail: 'available', restore: {} },
        { resourceArn: arnOf('stopped'), state: 'stopped', detail: 'stopped' },
        { resourceArn: arnOf('stopping'), state: 'transitioning', detail: 'stopping' },
        { resourceArn: arnOf('backing-up'), state: 'transitioning', detail: 'backing-up' },
        { resourceArn: arnOf('gone'), state: 'not-found', detail: 'not found' },
        { resourceArn: arnOf('untagged'), state: 'not-managed', detail: 'available' },
      ]);
      expect(rdsMock).toHaveReceivedCommandTimes(DescribeDBInstancesCommand, 1);
      expect(rdsMock).toHaveReceivedCommandWith(DescribeDBInstancesCommand, {
        Filters: [{ Name: 'db-instance-id', Values: ids }],
      });
      expect(
        rdsMock.commandCalls(DescribeDBInstancesCommand)[0]?.args[0].input.DBInstanceIdentifier,
      ).toBeUndefined();
    });

    it('matches identifiers without regard to case, as RDS does', async () => {
      // Prepare
      rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [db('orders', 'available')] });

      // Act
      const [observation] = await driver.status([arnOf('Orders')]);

      // Assess
      expect(observation).toEqual({
        resourceArn: arnOf('Orders'),
        state: 'running',
        detail: 'available',
        restore: {},
      });
      expect(rdsMock).toHaveReceivedCommandWith(DescribeDBInstancesCommand, {
        Filters: [{ Name: 'db-instance-id', Values: ['orders'] }],
      });
    });

    it('offers no restore for instances RDS refuses to stop on their own', async () => {
      // Prepare
      rdsMock.on(DescribeDBInstancesCommand).resolves({
        DBInstances: [
          db('member', 'available', { DBClusterIdentifier: 'aurora' }),
          db('replica', 'available', { ReadReplicaSourceDBInstanceIdentifier: 'primary' }),
          db('primary', 'available', { ReadReplicaDBInstanceIdentifiers: ['replica'] }),
        ],
      });

      // Act
      const observations = await driver.status([arnOf('member'), arnOf('replica'), arnOf('primary')]);

      // Assess
      expect(observations).toEqual([
        {
          resourceArn: arnOf('member'),
          state: 'running',
          detail: 'available (member of DB cluster aurora, stopped with it)',
        },
        {
          resourceArn: arnOf('replica'),
          state: 'running',
          detail: 'available (a read replica, which RDS cannot stop)',
        },
        {
          resourceArn: arnOf('primary'),
          state: 'running',
          detail: 'available (has read replicas, so RDS cannot stop it)',
        },
      ]);
    });

    it('describes at most 100 identifiers per call and follows the marker', async () => {
      // Prepare
      const ids = Array.from({ length: 150 }, (_, n) => `db-${n}`);
      rdsMock
        .on(DescribeDBInstancesCommand, { Filters: [{ Name: 'db-instance-id', Values: ids.slice(0, 100) }] })
        .resolves({ DBInstances: ids.slice(0, 50).map((id) => db(id, 'available')), Marker: 'next' })
        .on(DescribeDBInstancesCommand, {
          Filters: [{ Name: 'db-instance-id', Values: ids.slice(0, 100) }],
          Marker: 'next',
        })
        .resolves({ DBInstances: ids.slice(50, 100).map((id) => db(id, 'stopped')) })
        .on(DescribeDBInstancesCommand, { Filters: [{ Name: 'db-instance-id', Values: ids.slice(100) }] })
        .resolves({ DBInstances: ids.slice(100).map((id) => db(id, 'starting')) });

      // Act
      const observations = await driver.status(ids.map(arnOf));

      // Assess
      expect(rdsMock).toHaveReceivedCommandTimes(DescribeDBInstancesCommand, 3);
      expect(observations.map((o) => o.state)).toEqual([
        ...Array(50).fill('running'),
        ...Array(50).fill('stopped'),
        ...Array(50).fill('transitioning'),
      ]);
    });

    it('refuses an ARN of another kind before calling AWS', async () => {
      // Act and Assess
      await expect(driver.status(['arn:aws:rds:us-east-1:111122223333:cluster:aurora'])).rejects.toThrow(
        UnsupportedResourceError,
      );
      expect(rdsMock).toHaveReceivedCommandTimes(DescribeDBInstancesCommand, 0);
    });
  });

  describe('stop', () => {
    it('stops each instance by identifier and never asks for a snapshot', async () => {
      // Prepare
      rdsMock.on(StopDBInstanceCommand).resolves({});

      // Act
      await driver.stop([arnOf('orders'), arnOf('billing')]);

      // Assess
      expect(rdsMock).toHaveReceivedCommandTimes(StopDBInstanceCommand, 2);
      expect(rdsMock.commandCalls(StopDBInstanceCommand).map((call) => call.args[0].input)).toEqual([
        { DBInstanceIdentifier: 'orders' },
        { DBInstanceIdentifier: 'billing' },
      ]);
    });

    it('keeps at most 5 calls in flight and stops launching after a failure', async () => {
      // Prepare
      let inFlight = 0;
      let most = 0;
      rdsMock.on(StopDBInstanceCommand).callsFake(async ({ DBInstanceIdentifier }) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        if (DBInstanceIdentifier === 'db-6')
          throw Object.assign(new Error('slow down'), { name: 'Throttling' });
        return {};
      });

      // Act
      const stopping = driver.stop(Array.from({ length: 20 }, (_, n) => arnOf(`db-${n}`)));

      // Assess
      await expect(stopping).rejects.toMatchObject({ name: 'Throttling' });
      expect(most).toBe(5);
      expect(rdsMock.commandCalls(StopDBInstanceCommand).length).toBeLessThan(20);
    });
  });

  describe('start', () => {
    it('starts each instance by identifier', async () => {
      // Prepare
      rdsMock.on(StartDBInstanceCommand).resolves({});

      // Act
      await driver.start([{ resourceArn: arnOf('orders'), restore: {} }]);

      // Assess
      expect(rdsMock).toHaveReceivedCommandTimes(StartDBInstanceCommand, 1);
      expect(rdsMock).toHaveReceivedCommandWith(StartDBInstanceCommand, { DBInstanceIdentifier: 'orders' });
    });
  });
});
