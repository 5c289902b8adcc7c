import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeFileSystemsCommand, EFSClient } from '@aws-sdk/client-efs';
import {
  DescribeReplicationGroupsCommand,
  DescribeServerlessCachesCommand,
  ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * An account where nothing is encrypted with any key, for the unit tests whose sweep also looks for
 * unprotected resources (the safety net): every list the finder reads answers empty, and no resource
 * carries the key tag (the sweep's tag directory reads none). Call it in a
 * `beforeEach`, after any reset of the same clients.
 */
export function mockAccountWithNothingEncrypted(): void {
  const rds = mockClient(RDSClient);
  rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
  rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
  mockClient(EC2Client).on(DescribeVolumesCommand).resolves({ Volumes: [] });
  const elasticache = mockClient(ElastiCacheClient);
  elasticache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [] });
  elasticache.on(DescribeServerlessCachesCommand).resolves({ ServerlessCaches: [] });
  mockClient(EFSClient).on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });
  mockClient(S3Client).on(ListBucketsCommand).resolves({ Buckets: [] });
  mockClient(ResourceGroupsTaggingAPIClient)
    .on(GetResourcesCommand)
    .resolves({ ResourceTagMappingList: [], PaginationToken: '' });
  mockClient(AutoScalingClient).on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
}
