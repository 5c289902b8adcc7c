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

/**
 * The limits, one entry per bucket. Figures to be checked against their sources (issue 16): each entry's
 * `source` must say where it was read.
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
];

/** The bucket an operation of a service draws from, if the model knows one. */
export function limitFor(service: LimitedService, operation: string): ApiLimit | undefined {
  return RATE_LIMITS.find((limit) => limit.service === service && limit.operations.includes(operation));
}
