import {
  type DBCluster,
  type DBInstance,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  StartDBClusterCommand,
  StartDBInstanceCommand,
  StopDBClusterCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { KEY_ARN_TAG } from '../../../lambdas/shared/contract';
import { RdsClusterDriver, RdsInstanceDriver } from '../../../lambdas/shared/drivers/rds';
import { UnsupportedResourceError } from '../../../lambdas/shared/errors';
import { MANAGED, mockedClients, observedRunning, stoppedTarget, TAG } from './support';

/** One RDS driver in two flavours: DB instances and DB clusters, on the same RDS client. */

const dbArn = (id: string): string => `arn:aws:rds:us-east-1:111122223333:db:${id}`;
const clusterArn = (id: string): string => `arn:aws:rds:us-east-1:111122223333:cluster:${id}`;
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const db = (id: string, status: string, extra: Partial<DBInstance> = {}): DBInstance => ({
  DBInstanceIdentifier: id,
  DBInstanceStatus: status,
  TagList: MANAGED,
  ...extra,
});
const cluster = (id: string, status: string, extra: Partial<DBCluster> = {}): DBCluster => ({
  DBClusterIdentifier: id,
  Status: status,
  EngineMode: 'provisioned',
  TagList: MANAGED,
  ...extra,
});

// What the driver says of an instance StopDBInstance refuses: which instance is on the other end, and why.
const MEMBER = 'a member of DB cluster aurora, stopped only with its cluster: register the cluster';
const REPLICA = 'a read replica of primary, which RDS cannot stop';
const SOURCE = 'has read replicas (replica), so RDS cannot stop it';

describe('RDS drivers', () => {
  const { clients, mocks } = mockedClients();
  const rdsMock = mocks.rds;

  describe('RdsInstanceDriver', () => {
    const driver = new RdsInstanceDriver(TAG, clients.rds);

    describe('status', () => {
      it('reports the key-reactor:key-arn tag from the TagList Describe returns', async () => {
        rdsMock.on(DescribeDBInstancesCommand).resolves({
          DBInstances: [
            db('orders', 'available', { TagList: [...MANAGED, { Key: KEY_ARN_TAG, Value: KEY }] }),
          ],
        });

        const [observation] = await driver.status([dbArn('orders')]);

        expect(observation).toMatchObject({ state: 'running', keyTag: KEY });
      });

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
        const observations = await driver.status(ids.map(dbArn));

        // Assess
        expect(observations).toEqual([
          { resourceArn: dbArn('orders'), state: 'running', detail: 'available', restore: {} },
          { resourceArn: dbArn('stopped'), state: 'stopped', detail: 'stopped' },
          { resourceArn: dbArn('stopping'), state: 'transitioning', detail: 'stopping' },
          { resourceArn: dbArn('backing-up'), state: 'transitioning', detail: 'backing-up' },
          { resourceArn: dbArn('gone'), state: 'not-found', detail: 'not found' },
          { resourceArn: dbArn('untagged'), state: 'not-managed', detail: 'available' },
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
        const [observation] = await driver.status([dbArn('Orders')]);

        // Assess
        expect(observation).toEqual({
          resourceArn: dbArn('Orders'),
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
        const observations = await driver.status([dbArn('member'), dbArn('replica'), dbArn('primary')]);

        // Assess
        expect(observations).toEqual([
          {
            resourceArn: dbArn('member'),
            state: 'running',
            detail: `available (${MEMBER})`,
            cannotStop: MEMBER,
          },
          {
            resourceArn: dbArn('replica'),
            state: 'running',
            detail: `available (${REPLICA})`,
            cannotStop: REPLICA,
          },
          {
            resourceArn: dbArn('primary'),
            state: 'running',
            detail: `available (${SOURCE})`,
            cannotStop: SOURCE,
          },
        ]);
      });

      it('says why RDS refuses to stop an instance whatever its state or tags, for register and plan', async () => {
        // Prepare
        rdsMock.on(DescribeDBInstancesCommand).resolves({
          DBInstances: [
            db('replica', 'backing-up', { ReadReplicaSourceDBInstanceIdentifier: 'primary' }),
            db('primary', 'available', { ReadReplicaDBInstanceIdentifiers: ['replica'], TagList: [] }),
          ],
        });

        // Act
        const observations = await driver.status([dbArn('replica'), dbArn('primary')]);

        // Assess
        expect(observations).toEqual([
          {
            resourceArn: dbArn('replica'),
            state: 'transitioning',
            detail: 'backing-up',
            cannotStop: REPLICA,
          },
          { resourceArn: dbArn('primary'), state: 'not-managed', detail: 'available', cannotStop: SOURCE },
        ]);
      });

      it('describes at most 100 identifiers per call and follows the marker', async () => {
        // Prepare
        const ids = Array.from({ length: 150 }, (_, n) => `db-${n}`);
        rdsMock
          .on(DescribeDBInstancesCommand, {
            Filters: [{ Name: 'db-instance-id', Values: ids.slice(0, 100) }],
          })
          .resolves({ DBInstances: ids.slice(0, 50).map((id) => db(id, 'available')), Marker: 'next' })
          .on(DescribeDBInstancesCommand, {
            Filters: [{ Name: 'db-instance-id', Values: ids.slice(0, 100) }],
            Marker: 'next',
          })
          .resolves({ DBInstances: ids.slice(50, 100).map((id) => db(id, 'stopped')) })
          .on(DescribeDBInstancesCommand, { Filters: [{ Name: 'db-instance-id', Values: ids.slice(100) }] })
          .resolves({ DBInstances: ids.slice(100).map((id) => db(id, 'starting')) });

        // Act
        const observations = await driver.status(ids.map(dbArn));

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
        await driver.stop([dbArn('orders'), dbArn('billing')].map(observedRunning));

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
        const stopping = driver.stop(Array.from({ length: 20 }, (_, n) => observedRunning(dbArn(`db-${n}`))));

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
        await driver.start([stoppedTarget(dbArn('orders'))]);

        // Assess
        expect(rdsMock).toHaveReceivedCommandTimes(StartDBInstanceCommand, 1);
        expect(rdsMock).toHaveReceivedCommandWith(StartDBInstanceCommand, { DBInstanceIdentifier: 'orders' });
      });
    });
  });

  describe('RdsClusterDriver', () => {
    const driver = new RdsClusterDriver(TAG, clients.rds);

    describe('status', () => {
      it('maps cluster statuses, reads the tags from the answer, and keeps the order of the input', async () => {
        // Prepare
        rdsMock.on(DescribeDBClustersCommand).resolves({
          DBClusters: [
            cluster('v1', 'available', { EngineMode: 'serverless' }),
            cluster('untagged', 'available', { TagList: [] }),
            cluster('starting', 'starting'),
            cluster('stopped', 'stopped'),
            cluster('aurora', 'available'),
          ],
        });
        const ids = ['aurora', 'stopped', 'starting', 'gone', 'untagged', 'v1'];

        // Act
        const observations = await driver.status(ids.map(clusterArn));

        // Assess
        expect(observations).toEqual([
          { resourceArn: clusterArn('aurora'), state: 'running', detail: 'available', restore: {} },
          { resourceArn: clusterArn('stopped'), state: 'stopped', detail: 'stopped' },
          { resourceArn: clusterArn('starting'), state: 'transitioning', detail: 'starting' },
          { resourceArn: clusterArn('gone'), state: 'not-found', detail: 'not found' },
          { resourceArn: clusterArn('untagged'), state: 'not-managed', detail: 'available' },
          {
            resourceArn: clusterArn('v1'),
            state: 'running',
            detail: 'available (Aurora Serverless v1, cannot be stopped)',
            cannotStop: 'Aurora Serverless v1, cannot be stopped',
          },
        ]);
        expect(rdsMock).toHaveReceivedCommandTimes(DescribeDBClustersCommand, 1);
        expect(rdsMock).toHaveReceivedCommandWith(DescribeDBClustersCommand, {
          Filters: [{ Name: 'db-cluster-id', Values: ids }],
        });
      });

      it('describes at most 100 identifiers per call', async () => {
        // Prepare
        const ids = Array.from({ length: 101 }, (_, n) => `c-${n}`);
        rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });

        // Act
        const observations = await driver.status(ids.map(clusterArn));

        // Assess
        expect(observations.every((o) => o.state === 'not-found')).toBe(true);
        expect(rdsMock).toHaveReceivedCommandTimes(DescribeDBClustersCommand, 2);
        expect(rdsMock).toHaveReceivedNthSpecificCommandWith(2, DescribeDBClustersCommand, {
          Filters: [{ Name: 'db-cluster-id', Values: ['c-100'] }],
        });
      });
    });

    describe('stop', () => {
      it('stops each cluster by identifier', async () => {
        // Prepare
        rdsMock.on(StopDBClusterCommand).resolves({});

        // Act
        await driver.stop([clusterArn('aurora'), clusterArn('reports')].map(observedRunning));

        // Assess
        expect(rdsMock).toHaveReceivedCommandTimes(StopDBClusterCommand, 2);
        expect(rdsMock.commandCalls(StopDBClusterCommand).map((call) => call.args[0].input)).toEqual([
          { DBClusterIdentifier: 'aurora' },
          { DBClusterIdentifier: 'reports' },
        ]);
      });
    });

    describe('start', () => {
      it('starts each cluster by identifier', async () => {
        // Prepare
        rdsMock.on(StartDBClusterCommand).resolves({});

        // Act
        await driver.start([stoppedTarget(clusterArn('aurora'))]);

        // Assess
        expect(rdsMock).toHaveReceivedCommandTimes(StartDBClusterCommand, 1);
        expect(rdsMock).toHaveReceivedCommandWith(StartDBClusterCommand, { DBClusterIdentifier: 'aurora' });
      });
    });
  });
});
