import {
  type DBCluster,
  DescribeDBClustersCommand,
  RDSClient,
  StartDBClusterCommand,
  StopDBClusterCommand,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
// For the matcher types; jest.config's setupFilesAfterEnv registers the matchers at run time.
import 'aws-sdk-client-mock-jest';
import { RdsClusterDriver } from '../../../lambdas/shared/drivers/rds-cluster';

const TAG = { key: 'key-reactor:managed', value: 'true' };
const MANAGED = [{ Key: 'key-reactor:managed', Value: 'true' }];

const arnOf = (id: string): string => `arn:aws:rds:us-east-1:111122223333:cluster:${id}`;
const cluster = (id: string, status: string, extra: Partial<DBCluster> = {}): DBCluster => ({
  DBClusterIdentifier: id,
  Status: status,
  EngineMode: 'provisioned',
  TagList: MANAGED,
  ...extra,
});

describe('RdsClusterDriver', () => {
  const rdsMock = mockClient(RDSClient);
  const driver = new RdsClusterDriver(TAG, new RDSClient({}));

  beforeEach(() => {
    rdsMock.reset();
  });

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
      const observations = await driver.status(ids.map(arnOf));

      // Assess
      expect(observations).toEqual([
        { resourceArn: arnOf('aurora'), state: 'running', detail: 'available', restore: {} },
        { resourceArn: arnOf('stopped'), state: 'stopped', detail: 'stopped' },
        { resourceArn: arnOf('starting'), state: 'transitioning', detail: 'starting' },
        { resourceArn: arnOf('gone'), state: 'not-found', detail: 'not found' },
        { resourceArn: arnOf('untagged'), state: 'not-managed', detail: 'available' },
        {
          resourceArn: arnOf('v1'),
          state: 'running',
          detail: 'available (Aurora Serverless v1, cannot be stopped)',
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
      const observations = await driver.status(ids.map(arnOf));

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
      await driver.stop([arnOf('aurora'), arnOf('reports')]);

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
      await driver.start([{ resourceArn: arnOf('aurora'), restore: {} }]);

      // Assess
      expect(rdsMock).toHaveReceivedCommandTimes(StartDBClusterCommand, 1);
      expect(rdsMock).toHaveReceivedCommandWith(StartDBClusterCommand, { DBClusterIdentifier: 'aurora' });
    });
  });
});
