/**
 * The reactor's model of the AWS API rate limits it works under, per account and Region. The same table
 * paces the reactor's own calls (so that a key with thousands of resources, or many keys at once, stay under
 * the limits instead of being throttled and retried) and drives the bench's simulated AWS (so that the
 * bench's figures predict what AWS would do). Each figure names its source; where AWS publishes none, the
 * figure is an assumption and says so. Operators whose quotas were raised can override a bucket through
 * the deployment's settings.
 *
 * AWS meters with token buckets: a bucket holds `burst` tokens, each request (or, for a resource bucket, each
 * resource a request names) takes one, and `refillPerSecond` tokens come back every second.
 */

export interface TokenBucket {
  /** Tokens the bucket holds when full: how many requests (or resources) may go at once. */
  readonly burst: number;
  /** Tokens added back each second: the sustained rate. */
  readonly refillPerSecond: number;
}

export type LimitedService =
  | 'ec2'
  | 'ecs'
  | 'rds'
  | 'autoscaling'
  | 'application-autoscaling'
  | 'kms'
  | 'dynamodb';

/** The services the buckets meter, by the SDK client's name: what the pacer and the bench's AWS model key on. */
export const LIMITED_SERVICES: Readonly<Record<string, LimitedService>> = {
  EC2Client: 'ec2',
  ECSClient: 'ecs',
  RDSClient: 'rds',
  AutoScalingClient: 'autoscaling',
  ApplicationAutoScalingClient: 'application-autoscaling',
  KMSClient: 'kms',
  DynamoDBClient: 'dynamodb',
};

export interface ApiLimit {
  readonly service: LimitedService;
  /** The bucket's name in the service's documentation (EC2's "mutating actions", ECS's "service modify"). */
  readonly bucket: string;
  /** The operations that share this bucket, as the SDK names them (`StopInstances`). */
  readonly operations: readonly string[];
  /** The request bucket: one token per call. */
  readonly request: TokenBucket;
  /** The resource bucket, for operations AWS also meters per resource named in the call (EC2 only). */
  readonly resource?: TokenBucket;
  /** Where the figure comes from: a documentation URL, or `assumption: ...` when AWS publishes none. */
  readonly source: string;
}

const EC2_THROTTLING = 'https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html';
const ECS_THROTTLING = 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html';
const KMS_QUOTAS = 'https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html';
const DYNAMODB_PARTITIONS =
  'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html';

/**
 * The limits, one entry per bucket. Each entry's `source` says where its figure was read, or starts with
 * `assumption:` and says why where AWS publishes none (or this project has not read it yet).
 */
export const RATE_LIMITS: readonly ApiLimit[] = [
  {
    service: 'ec2',
    bucket: 'non-mutating actions',
    operations: ['DescribeInstances', 'DescribeInstanceStatus', 'DescribeVolumes', 'DescribeTags'],
    request: { burst: 100, refillPerSecond: 20 },
    source: EC2_THROTTLING,
  },
  {
    service: 'ec2',
    bucket: 'StopInstances',
    operations: ['StopInstances'],
    request: { burst: 50, refillPerSecond: 5 },
    resource: { burst: 1000, refillPerSecond: 20 },
    source: EC2_THROTTLING,
  },
  {
    service: 'ec2',
    bucket: 'StartInstances',
    operations: ['StartInstances'],
    request: { burst: 50, refillPerSecond: 5 },
    resource: { burst: 1000, refillPerSecond: 2 },
    source: EC2_THROTTLING,
  },
  {
    service: 'ecs',
    bucket: 'service reads',
    operations: ['DescribeServices', 'ListTagsForResource'],
    request: { burst: 100, refillPerSecond: 20 },
    source: `assumption: ECS meters each action with its own bucket (${ECS_THROTTLING}); its read buckets are planned like EC2's non-mutating one until checked there`,
  },
  {
    service: 'ecs',
    bucket: 'UpdateService',
    operations: ['UpdateService'],
    request: { burst: 50, refillPerSecond: 5 },
    source: `assumption: ECS meters UpdateService with its own bucket (${ECS_THROTTLING}); a burst of 50 and 5 a second sustained, as BENCHMARKS.md plans, until checked there`,
  },
  {
    service: 'rds',
    bucket: 'describe',
    operations: ['DescribeDBInstances', 'DescribeDBClusters', 'ListTagsForResource'],
    request: { burst: 100, refillPerSecond: 20 },
    source: 'assumption: RDS publishes no per-action rates; planned like EC2 non-mutating actions',
  },
  {
    service: 'rds',
    bucket: 'stop and start',
    operations: ['StopDBInstance', 'StartDBInstance', 'StopDBCluster', 'StartDBCluster'],
    request: { burst: 20, refillPerSecond: 5 },
    source:
      'assumption: RDS publishes no per-action rates; a burst of 20 and 5 a second, what its SDK retries absorb',
  },
  {
    service: 'autoscaling',
    bucket: 'process changes',
    operations: ['SuspendProcesses', 'ResumeProcesses', 'DescribeAutoScalingGroups'],
    request: { burst: 20, refillPerSecond: 2 },
    source:
      'assumption: Amazon EC2 Auto Scaling publishes no API rates; planned low, as its console pages warn of throttling',
  },
  {
    service: 'application-autoscaling',
    bucket: 'scalable targets',
    operations: ['RegisterScalableTarget', 'DescribeScalableTargets'],
    request: { burst: 20, refillPerSecond: 2 },
    source: 'assumption: Application Auto Scaling publishes no API rates; planned like EC2 Auto Scaling',
  },
  {
    service: 'kms',
    bucket: 'DescribeKey',
    operations: ['DescribeKey'],
    request: { burst: 2000, refillPerSecond: 2000 },
    source: `${KMS_QUOTAS} (DescribeKey: 2,000 requests a second per account and Region; KMS quotas are per second, so the burst is one second's worth)`,
  },
  {
    service: 'dynamodb',
    bucket: "one partition's writes",
    operations: ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'],
    request: { burst: 1000, refillPerSecond: 1000 },
    source: `${DYNAMODB_PARTITIONS} (a partition serves up to 1,000 write units a second; all of a key's items share one, and the reactor's own items another); assumption: each item under 1 KB`,
  },
];

/** The bucket an operation of a service draws from, if the model knows one. */
export function limitFor(
  service: LimitedService,
  operation: string,
  limits: readonly ApiLimit[] = RATE_LIMITS,
): ApiLimit | undefined {
  return limits.find((limit) => limit.service === service && limit.operations.includes(operation));
}

/** A bucket's figures changed: a raised quota, or a test that wants a small fleet to take several rounds. */
export interface LimitOverride {
  readonly request?: TokenBucket;
  readonly resource?: TokenBucket;
}

/**
 * The model with some buckets changed, each named `<service>:<bucket>` as in RATE_LIMITS (for example
 * `ec2:StopInstances`); a name the model does not know is an error, so a typo cannot pass unnoticed.
 */
export function withOverrides(
  overrides: Readonly<Record<string, LimitOverride>> | undefined,
  limits: readonly ApiLimit[] = RATE_LIMITS,
): readonly ApiLimit[] {
  if (!overrides) return limits;
  for (const name of Object.keys(overrides)) {
    if (!limits.some((limit) => `${limit.service}:${limit.bucket}` === name))
      throw new RangeError(`No rate-limit bucket is named ${name}`);
  }
  return limits.map((limit) => {
    const override = overrides[`${limit.service}:${limit.bucket}`];
    if (!override) return limit;
    return {
      ...limit,
      request: override.request ?? limit.request,
      ...(limit.resource ? { resource: override.resource ?? limit.resource } : {}),
      source: `${limit.source} (overridden by the deployment's settings)`,
    };
  });
}
