import { type AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstancesCommand,
  DescribeVolumesCommand,
  type EC2Client,
  type Tag,
} from '@aws-sdk/client-ec2';
import { DescribeFileSystemsCommand, type EFSClient } from '@aws-sdk/client-efs';
import {
  DescribeReplicationGroupsCommand,
  DescribeServerlessCachesCommand,
  type ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, type RDSClient } from '@aws-sdk/client-rds';
import type { S3Client } from '@aws-sdk/client-s3';
import { keyIdOf, parseArn } from './arn';
import {
  CANNOT_STOP_WHY,
  type CannotStopReason,
  cannotStopText,
  rdsReplicaReason,
  type UnstoppableKind,
  type UnstoppableResource,
} from './cannot-stop';
import { chunk } from './concurrency';
import { KEY_ARN_TAG, type ManagedTag } from './contract';
import { awsErrorName, encryptedBuckets } from './encrypted-buckets';
import type { ResourceKind } from './model';

/**
 * The safety net by encryption (issue 14): the resources encrypted with a key, found from what each
 * service says of its own encryption, so that a resource nobody tagged is still seen. Read only.
 */

export type DependentKind = ResourceKind | UnstoppableKind;
export { CANNOT_STOP_WHY, UNSTOPPABLE_KINDS, type UnstoppableKind } from './cannot-stop';

/** One resource that depends on the key through its encryption. */
export interface EncryptedDependent {
  /** The key it is encrypted with. */
  readonly keyArn: string;
  readonly resourceArn: string;
  readonly kind: DependentKind;
  /** It carries KEY_ARN_TAG with the key's ARN and the managed tag: the reactor already drives it. */
  readonly tagged: boolean;
  /** Why it depends on the key when it is not itself encrypted: the volume, or the instance, in between. */
  readonly via?: string;
  /** Present when the reactor cannot stop it: why, in English (`cannotStopText`). */
  readonly cannotStop?: string;
  /** Present when the reactor cannot stop it: why, as facts each email language words. */
  readonly reason?: CannotStopReason;
}

/** What was found, and how far the per-bucket S3 look went. */
export interface EncryptedDependents {
  readonly keyArn: string;
  readonly dependents: readonly EncryptedDependent[];
  /** Buckets looked at, of the account's; `truncated` when the bound left some unread. */
  readonly buckets: { readonly checked: number; readonly total: number; readonly truncated: boolean };
}

/** Encrypted with the key and not tagged for it, of a kind the reactor can stop: the sweep's finding. */
export function unprotected(found: Pick<EncryptedDependents, 'dependents'>): EncryptedDependent[] {
  return found.dependents.filter((dependent) => !dependent.tagged && dependent.cannotStop === undefined);
}

/** Encrypted with the key, of a kind AWS cannot stop, or an RDS replica pair: named, never stopped. */
export function unstoppable(found: Pick<EncryptedDependents, 'dependents'>): EncryptedDependent[] {
  return found.dependents.filter((dependent) => dependent.cannotStop !== undefined);
}

/** What the emails list of them: the sweep records it per key (store/unstoppables.ts). */
export function toUnstoppable(dependents: readonly EncryptedDependent[]): UnstoppableResource[] {
  return dependents.flatMap(({ resourceArn, kind, reason }) =>
    reason ? [{ resourceArn, kind, reason }] : [],
  );
}

export interface DependentClients {
  readonly rds: RDSClient;
  readonly ec2: EC2Client;
  readonly autoscaling: AutoScalingClient;
  readonly elasticache: ElastiCacheClient;
  readonly efs: EFSClient;
  readonly s3: S3Client;
}

export interface FinderOptions {
  readonly managedTag: ManagedTag;
  /**
   * S3 has no "buckets encrypted with key K" call: each bucket costs one GetBucketEncryption. At most
   * this many buckets are read per look (the account's first, by name), so a sweep stays short.
   * @default 200
   */
  readonly maxBuckets?: number;
}

const DEFAULT_MAX_BUCKETS = 200;
/** DescribeInstances and DescribeAutoScalingGroups take at most 50 IDs or names at once (below both caps). */
const IDS_PER_CALL = 50;

/** A key to look for, with its alias names (`alias/orders`), for the services that keep an alias. */
export interface SoughtKey {
  readonly keyArn: string;
  readonly aliases?: readonly string[];
}

/**
 * Says which of the keys a `KmsKeyId` names. Services answer with the key's ARN (RDS, EBS, EFS), its ID,
 * or an alias (S3's default encryption keeps what was configured): each is compared as the key's ARN.
 */
export function keyResolver(keys: readonly SoughtKey[]): Resolver {
  const names = new Map<string, string>();
  for (const { keyArn, aliases = [] } of keys) {
    const parts = parseArn(keyArn);
    names.set(keyArn, keyArn);
    names.set(keyIdOf(keyArn), keyArn);
    for (const alias of aliases) {
      names.set(alias, keyArn);
      if (parts) names.set(`arn:${parts.partition}:kms:${parts.region}:${parts.account}:${alias}`, keyArn);
    }
  }
  return (value) => (value === undefined ? undefined : names.get(value));
}

type TagList = readonly { Key?: string; Value?: string }[] | undefined;

/** Finds, read only, what is encrypted with a key. */
export class DependentFinder {
  private readonly maxBuckets: number;

  constructor(
    private readonly clients: DependentClients,
    private readonly options: FinderOptions,
  ) {
    this.maxBuckets = options.maxBuckets ?? DEFAULT_MAX_BUCKETS;
  }

  /** Every resource encrypted with the key, each once; `aliases` are the key's alias names, for S3. */
  async find(keyArn: string, aliases: readonly string[] = []): Promise<EncryptedDependents> {
    const found = await this.findAll([{ keyArn, aliases }]);
    return (
      found.get(keyArn) ?? { keyArn, dependents: [], buckets: { checked: 0, total: 0, truncated: false } }
    );
  }

  /**
   * What each key encrypts, from one look at the account: each service is listed once however many keys
   * are sought, so that a sweep of many keys costs what a sweep of one does.
   */
  async findAll(keys: readonly SoughtKey[]): Promise<Map<string, EncryptedDependents>> {
    const first = keys[0];
    if (!first) return new Map();
    const partition = parseArn(first.keyArn)?.partition ?? 'aws';
    const matches = keyResolver(keys);
    const tagged: Tagged = (tags, keyArn) => this.carriesKeyTags(tags, keyArn);
    const [instances, clusters, volumes, caches, fileSystems, s3] = await Promise.all([
      this.rdsInstances(matches, tagged),
      this.rdsClusters(matches, tagged),
      this.ec2Dependents(matches, tagged, partition),
      this.elastiCaches(matches),
      this.fileSystems(matches),
      encryptedBuckets(this.clients.s3, matches, partition, this.maxBuckets),
    ]);
    const buckets = s3.found.map(({ keyArn, resourceArn }) =>
      cannotStopAtAll(keyArn, resourceArn, 's3-bucket'),
    );
    const all = [...instances, ...clusters, ...volumes, ...caches, ...fileSystems, ...buckets];
    return new Map(
      keys.map(({ keyArn }) => [
        keyArn,
        { keyArn, dependents: all.filter((dependent) => dependent.keyArn === keyArn), buckets: s3.buckets },
      ]),
    );
  }

  private carriesKeyTags(tags: TagList, keyArn: string): boolean {
    const value = (key: string) => tags?.find((tag) => tag.Key === key)?.Value;
    const { managedTag } = this.options;
    return value(KEY_ARN_TAG) === keyArn && value(managedTag.key) === managedTag.value;
  }

  private async rdsInstances(matches: Matcher, tagged: Tagged): Promise<EncryptedDependent[]> {
    const found: EncryptedDependent[] = [];
    let Marker: string | undefined;
    do {
      const page = await this.clients.rds.send(new DescribeDBInstancesCommand({ Marker }));
      for (const db of page.DBInstances ?? []) {
        // An Aurora member is encrypted through its cluster, which is what the reactor stops.
        const keyArn = matches(db.KmsKeyId);
        if (!db.DBInstanceArn || !keyArn || db.DBClusterIdentifier) continue;
        // AWS refuses StopDBInstance on a read replica and on a source that has replicas.
        const reason = rdsReplicaReason(db);
        found.push({
          keyArn,
          resourceArn: db.DBInstanceArn,
          kind: 'rds-instance',
          tagged: tagged(db.TagList, keyArn),
          ...(reason ? { cannotStop: cannotStopText(reason), reason } : {}),
        });
      }
      Marker = page.Marker;
    } while (Marker);
    return found;
  }

  private async rdsClusters(matches: Matcher, tagged: Tagged): Promise<EncryptedDependent[]> {
    const found: EncryptedDependent[] = [];
    let Marker: string | undefined;
    do {
      const page = await this.clients.rds.send(new DescribeDBClustersCommand({ Marker }));
      for (const cluster of page.DBClusters ?? []) {
        const keyArn = matches(cluster.KmsKeyId);
        if (!cluster.DBClusterArn || !keyArn) continue;
        found.push({
          keyArn,
          resourceArn: cluster.DBClusterArn,
          kind: 'rds-cluster',
          tagged: tagged(cluster.TagList, keyArn),
        });
      }
      Marker = page.Marker;
    } while (Marker);
    return found;
  }

  /**
   * The EC2 instances with a volume encrypted with the key, and the Auto Scaling groups they belong to
   * (their `aws:autoscaling:groupName` tag): a group's instance is stopped through its group. A volume
   * attached to nothing runs nothing, so it is not named.
   */
  private async ec2Dependents(
    matches: Matcher,
    tagged: Tagged,
    partition: string,
  ): Promise<EncryptedDependent[]> {
    // Each instance, the volume that ties it to a key and that key.
    const viaVolume = new Map<string, { volumeId: string; keyArn: string }>();
    let NextToken: string | undefined;
    do {
      const page = await this.clients.ec2.send(
        new DescribeVolumesCommand({ Filters: [{ Name: 'encrypted', Values: ['true'] }], NextToken }),
      );
      for (const volume of page.Volumes ?? []) {
        const keyArn = matches(volume.KmsKeyId);
        if (!keyArn || !volume.VolumeId) continue;
        for (const attachment of volume.Attachments ?? []) {
          if (attachment.InstanceId)
            viaVolume.set(attachment.InstanceId, { volumeId: volume.VolumeId, keyArn });
        }
      }
      NextToken = page.NextToken;
    } while (NextToken);
    if (viaVolume.size === 0) return [];

    // EC2 answers with IDs: the instances' ARNs are written in the client's Region, the key's partition.
    const region = await this.clients.ec2.config.region();
    const found: EncryptedDependent[] = [];
    const groups = new Map<string, { instanceArn: string; keyArn: string }>();
    for (const ids of chunk([...viaVolume.keys()], IDS_PER_CALL)) {
      const { Reservations = [] } = await this.clients.ec2.send(
        new DescribeInstancesCommand({ InstanceIds: ids }),
      );
      for (const reservation of Reservations) {
        const owner = reservation.OwnerId ?? '';
        for (const instance of reservation.Instances ?? []) {
          const volume = instance.InstanceId ? viaVolume.get(instance.InstanceId) : undefined;
          if (!volume) continue;
          const arn = `arn:${partition}:ec2:${region}:${owner}:instance/${instance.InstanceId}`;
          const group = groupOf(instance.Tags);
          if (group) {
            groups.set(group, { instanceArn: arn, keyArn: volume.keyArn });
            continue;
          }
          found.push({
            keyArn: volume.keyArn,
            resourceArn: arn,
            kind: 'ec2-instance',
            tagged: tagged(instance.Tags, volume.keyArn),
            via: volume.volumeId,
          });
        }
      }
    }
    return [...found, ...(await this.autoScalingGroups(groups, tagged))];
  }

  private async autoScalingGroups(
    groups: Map<string, { instanceArn: string; keyArn: string }>,
    tagged: Tagged,
  ): Promise<EncryptedDependent[]> {
    const found: EncryptedDependent[] = [];
    for (const names of chunk([...groups.keys()], IDS_PER_CALL)) {
      const { AutoScalingGroups = [] } = await this.clients.autoscaling.send(
        new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: names }),
      );
      for (const group of AutoScalingGroups) {
        const member = group.AutoScalingGroupName ? groups.get(group.AutoScalingGroupName) : undefined;
        if (!group.AutoScalingGroupARN || !member) continue;
        found.push({
          keyArn: member.keyArn,
          resourceArn: group.AutoScalingGroupARN,
          kind: 'autoscaling-group',
          tagged: tagged(group.Tags, member.keyArn),
          via: member.instanceArn,
        });
      }
    }
    return found;
  }

  private async elastiCaches(matches: Matcher): Promise<EncryptedDependent[]> {
    const found: EncryptedDependent[] = [];
    let Marker: string | undefined;
    do {
      const page = await this.clients.elasticache.send(new DescribeReplicationGroupsCommand({ Marker }));
      for (const group of page.ReplicationGroups ?? []) {
        const keyArn = matches(group.KmsKeyId);
        if (group.ARN && keyArn)
          found.push(cannotStopAtAll(keyArn, group.ARN, 'elasticache-replication-group'));
      }
      Marker = page.Marker;
    } while (Marker);
    return [...found, ...(await this.serverlessCaches(matches))];
  }

  /**
   * Serverless caches. A Region without the feature refuses the call, and moto 5.2.1, which lacks it,
   * answers with an HTML page instead of ElastiCache's XML: no serverless cache there, then.
   */
  private async serverlessCaches(matches: Matcher): Promise<EncryptedDependent[]> {
    const found: EncryptedDependent[] = [];
    let NextToken: string | undefined;
    try {
      do {
        const page = await this.clients.elasticache.send(new DescribeServerlessCachesCommand({ NextToken }));
        for (const cache of page.ServerlessCaches ?? []) {
          const keyArn = matches(cache.KmsKeyId);
          if (cache.ARN && keyArn)
            found.push(cannotStopAtAll(keyArn, cache.ARN, 'elasticache-serverless-cache'));
        }
        NextToken = page.NextToken;
      } while (NextToken);
    } catch (error) {
      if (!isUnsupported(error)) throw error;
    }
    return found;
  }

  private async fileSystems(matches: Matcher): Promise<EncryptedDependent[]> {
    const found: EncryptedDependent[] = [];
    let Marker: string | undefined;
    do {
      const page = await this.clients.efs.send(new DescribeFileSystemsCommand({ Marker }));
      for (const fileSystem of page.FileSystems ?? []) {
        const keyArn = fileSystem.Encrypted ? matches(fileSystem.KmsKeyId) : undefined;
        if (fileSystem.FileSystemArn && keyArn) {
          found.push(cannotStopAtAll(keyArn, fileSystem.FileSystemArn, 'efs-file-system'));
        }
      }
      Marker = page.NextMarker;
    } while (Marker);
    return found;
  }
}

/** The key ARN a `KmsKeyId` names, among the keys sought, or undefined. */
export type Resolver = (value?: string) => string | undefined;
type Matcher = Resolver;
type Tagged = (tags: TagList, keyArn: string) => boolean;

function cannotStopAtAll(keyArn: string, resourceArn: string, kind: UnstoppableKind): EncryptedDependent {
  return {
    keyArn,
    resourceArn,
    kind,
    tagged: false,
    cannotStop: CANNOT_STOP_WHY,
    reason: { kind: 'no-stop-call' },
  };
}

function groupOf(tags: Tag[] | undefined): string | undefined {
  return tags?.find((tag) => tag.Key === 'aws:autoscaling:groupName')?.Value;
}

function isUnsupported(error: unknown): boolean {
  const name = awsErrorName(error);
  if (name === 'InvalidAction' || name === 'UnknownOperationException' || name === 'NotImplemented')
    return true;
  // The SDK's own deserialisation failure: the answer was not the service's XML at all.
  return error instanceof Error && name === 'Error' && /XML parse error/.test(error.message);
}
