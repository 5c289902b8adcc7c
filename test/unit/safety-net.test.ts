import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeFileSystemsCommand, EFSClient } from '@aws-sdk/client-efs';
import {
  DescribeReplicationGroupsCommand,
  DescribeServerlessCachesCommand,
  ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetBucketEncryptionCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_MANAGED_TAG, KEY_ARN_TAG } from '../../lambdas/shared/contract';
import { renderUnprotected } from '../../lambdas/shared/email/render';
import {
  CANNOT_STOP_WHY,
  DependentFinder,
  keyResolver,
  unprotected,
  unstoppable,
} from '../../lambdas/shared/encrypted-dependents';
import type { KeyFacts } from '../../lambdas/shared/sweep/digest';
import { RISK_CHECKS } from '../../lambdas/shared/sweep/digest';

// The safety net's finder with AWS mocked at the SDK, for what moto 5.2.1 cannot show: serverless
// caches (moto lacks DescribeServerlessCaches), read replicas, Auto Scaling groups reached through an
// instance's volume, the bound on buckets. The same finder against moto is in test/cli/safety-net.test.ts.

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER = 'arn:aws:kms:us-east-1:111122223333:key/99999999-12ab-34cd-56ef-1234567890ab';
const rds = mockClient(RDSClient);
const ec2 = mockClient(EC2Client);
const autoscaling = mockClient(AutoScalingClient);
const elasticache = mockClient(ElastiCacheClient);
const efs = mockClient(EFSClient);
const s3 = mockClient(S3Client);

function finder(maxBuckets?: number) {
  return new DependentFinder(
    {
      rds: new RDSClient({ region: 'us-east-1' }),
      ec2: new EC2Client({ region: 'us-east-1' }),
      autoscaling: new AutoScalingClient({ region: 'us-east-1' }),
      elasticache: new ElastiCacheClient({ region: 'us-east-1' }),
      efs: new EFSClient({ region: 'us-east-1' }),
      s3: new S3Client({ region: 'us-east-1' }),
    },
    { managedTag: DEFAULT_MANAGED_TAG, ...(maxBuckets ? { maxBuckets } : {}) },
  );
}

beforeEach(() => {
  for (const client of [rds, ec2, autoscaling, elasticache, efs, s3]) client.reset();
  rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
  rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
  ec2.on(DescribeVolumesCommand).resolves({ Volumes: [] });
  elasticache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [] });
  elasticache.on(DescribeServerlessCachesCommand).resolves({ ServerlessCaches: [] });
  efs.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });
  s3.on(ListBucketsCommand).resolves({ Buckets: [] });
});

describe('keyResolver', () => {
  it('names the key by its ARN, its ID, an alias and an alias ARN, and nothing else', () => {
    const resolve = keyResolver([{ keyArn: KEY, aliases: ['alias/orders'] }, { keyArn: OTHER }]);
    expect(resolve(KEY)).toBe(KEY);
    expect(resolve('1234abcd-12ab-34cd-56ef-1234567890ab')).toBe(KEY);
    expect(resolve('alias/orders')).toBe(KEY);
    expect(resolve('arn:aws:kms:us-east-1:111122223333:alias/orders')).toBe(KEY);
    expect(resolve(OTHER)).toBe(OTHER);
    expect(resolve('alias/other')).toBeUndefined();
    expect(resolve(undefined)).toBeUndefined();
  });
});

describe('DependentFinder', () => {
  it('says an RDS read replica and its source cannot be stopped, and why', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        {
          DBInstanceArn: 'arn:aws:rds:us-east-1:111122223333:db:orders',
          KmsKeyId: KEY,
          ReadReplicaDBInstanceIdentifiers: ['orders-replica'],
        },
        {
          DBInstanceArn: 'arn:aws:rds:us-east-1:111122223333:db:orders-replica',
          KmsKeyId: KEY,
          ReadReplicaSourceDBInstanceIdentifier: 'orders',
        },
      ],
    });

    const found = await finder().find(KEY);

    expect(unprotected(found)).toEqual([]);
    expect(unstoppable(found).map((dependent) => [dependent.cannotStop, dependent.reason])).toEqual([
      [
        'cannot be stopped: an RDS instance with read replicas (orders-replica), which StopDBInstance ' +
          'refuses; its data becomes unreadable while the key is unusable',
        { kind: 'has-replicas', replicas: ['orders-replica'] },
      ],
      [
        'cannot be stopped: an RDS read replica (of orders), which StopDBInstance refuses; its data ' +
          'becomes unreadable while the key is unusable',
        { kind: 'read-replica', source: 'orders' },
      ],
    ]);
  });

  it("names an instance's Auto Scaling group instead of the instance, and sees the group's tags", async () => {
    ec2.on(DescribeVolumesCommand).resolves({
      Volumes: [{ VolumeId: 'vol-1', KmsKeyId: KEY, Attachments: [{ InstanceId: 'i-1' }] }],
    });
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          OwnerId: '111122223333',
          Instances: [{ InstanceId: 'i-1', Tags: [{ Key: 'aws:autoscaling:groupName', Value: 'web' }] }],
        },
      ],
    });
    const groupArn =
      'arn:aws:autoscaling:us-east-1:111122223333:autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/web';
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'web',
          AutoScalingGroupARN: groupArn,
          Tags: [
            { Key: KEY_ARN_TAG, Value: KEY },
            { Key: DEFAULT_MANAGED_TAG.key, Value: DEFAULT_MANAGED_TAG.value },
          ],
        } as never,
      ],
    });

    const found = await finder().find(KEY);

    expect(found.dependents).toEqual([
      {
        keyArn: KEY,
        resourceArn: groupArn,
        kind: 'autoscaling-group',
        tagged: true,
        via: 'arn:aws:ec2:us-east-1:111122223333:instance/i-1',
      },
    ]);
  });

  it('names serverless caches and replication groups as impossible to stop, from one look for many keys', async () => {
    elasticache.on(DescribeReplicationGroupsCommand).resolves({
      ReplicationGroups: [
        { ARN: 'arn:aws:elasticache:us-east-1:111122223333:replicationgroup:sessions', KmsKeyId: OTHER },
      ],
    });
    elasticache.on(DescribeServerlessCachesCommand).resolves({
      ServerlessCaches: [
        { ARN: 'arn:aws:elasticache:us-east-1:111122223333:serverlesscache:carts', KmsKeyId: KEY },
      ],
    });

    const found = await finder().findAll([{ keyArn: KEY }, { keyArn: OTHER }]);

    expect(found.get(KEY)?.dependents.map((d) => [d.kind, d.cannotStop])).toEqual([
      ['elasticache-serverless-cache', CANNOT_STOP_WHY],
    ]);
    expect(found.get(OTHER)?.dependents.map((d) => d.kind)).toEqual(['elasticache-replication-group']);
    expect(elasticache).toHaveReceivedCommandTimes(DescribeServerlessCachesCommand, 1);
  });

  it('reads at most maxBuckets buckets, by name, and says the look was cut short', async () => {
    s3.on(ListBucketsCommand).resolves({ Buckets: [{ Name: 'c' }, { Name: 'a' }, { Name: 'b' }] });
    s3.on(GetBucketEncryptionCommand).resolves({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY } }],
      },
    });

    const found = await finder(2).find(KEY);

    expect(found.buckets).toEqual({ checked: 2, total: 3, truncated: true });
    expect(found.dependents.map((d) => d.resourceArn)).toEqual(['arn:aws:s3:::a', 'arn:aws:s3:::b']);
  });
});

describe('the weekly digest and the email', () => {
  it('counts unprotected dependents as a risk of the key', () => {
    const facts = {
      key: { keyArn: KEY, resources: [] },
      materials: [],
      seen: new Map(),
      failedRuns: [],
      unprotected: ['arn:aws:rds:us-east-1:111122223333:db:forgotten'],
    } as unknown as KeyFacts;

    expect(RISK_CHECKS.flatMap((check) => check(facts, new Date()))).toEqual([
      { kind: 'unprotected-dependents', resources: ['arn:aws:rds:us-east-1:111122223333:db:forgotten'] },
    ]);
  });

  it.each([
    ['en', /1 resource encrypted with key 1234abcd is not protected by the reactor/],
    ['ja', /キー 1234abcd で暗号化された 1 件のリソースがリアクターで保護されていません/],
  ] as const)('tells the operators what to tag, in %s', (language, subject) => {
    const email = renderUnprotected({
      keyArn: KEY,
      resources: [{ resourceArn: 'arn:aws:rds:us-east-1:111122223333:db:forgotten', kind: 'rds-instance' }],
      now: new Date('2026-12-01T00:00:00Z'),
      language,
    });
    expect(email.subject).toMatch(subject);
    expect(email.text).toContain('arn:aws:rds:us-east-1:111122223333:db:forgotten');
    expect(email.text).toContain(`npx key-reactor adopt ${KEY}`);
  });
});
