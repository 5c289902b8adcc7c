import type { Target } from '../decision';
import { RESOURCE_KINDS, type ResourceKind } from '../model';
import { type ApiLimit, type LimitedService, limitFor, RATE_LIMITS, type TokenBucket } from '../rate-limits';
import { SETTLE_TIMES } from './settle-times';

/**
 * What the rate model says about a key's fleet before the work starts: how long issuing its stop or
 * start calls takes when AWS's buckets bind, how long each kind then takes to settle, and so how long a
 * workflow waits before it looks again. The emails quote it, the steps size their waits by it, and the
 * transitions planner (transitions.ts) reads it.
 */

/**
 * Seconds a resource of each kind takes to reach the target once asked: the first poll waits this long
 * for the slowest kind still pending. From SETTLE_TIMES (settle-times.ts), the table the bench's AWS
 * model shares, each figure with its source.
 */
export const SETTLE_SECONDS: Readonly<Record<ResourceKind, Readonly<Record<Target, number>>>> =
  Object.fromEntries(
    RESOURCE_KINDS.map((kind) => [
      kind,
      { stopped: SETTLE_TIMES[kind].stopped.seconds, running: SETTLE_TIMES[kind].running.seconds },
    ]),
  ) as Record<ResourceKind, Record<Target, number>>;

/** The shortest and longest poll wait: never busier than every 15 s, never so long the lease (15 min) lapses. */
export const POLL_WAIT_BOUNDS = { minSeconds: 15, laterMaxSeconds: 60, maxSeconds: 300 } as const;

/** The call that moves one resource of a kind, the one AWS meters tightest, and how many resources one call names. */
interface MoveCall {
  readonly service: LimitedService;
  readonly operation: string;
  readonly perCall: number;
}

const MOVE_CALLS: Readonly<Record<ResourceKind, Readonly<Record<Target, MoveCall>>>> = {
  'ec2-instance': {
    stopped: { service: 'ec2', operation: 'StopInstances', perCall: 100 },
    running: { service: 'ec2', operation: 'StartInstances', perCall: 100 },
  },
  'rds-instance': {
    stopped: { service: 'rds', operation: 'StopDBInstance', perCall: 1 },
    running: { service: 'rds', operation: 'StartDBInstance', perCall: 1 },
  },
  'rds-cluster': {
    stopped: { service: 'rds', operation: 'StopDBCluster', perCall: 1 },
    running: { service: 'rds', operation: 'StartDBCluster', perCall: 1 },
  },
  'ecs-service': {
    stopped: { service: 'ecs', operation: 'UpdateService', perCall: 1 },
    running: { service: 'ecs', operation: 'UpdateService', perCall: 1 },
  },
  'autoscaling-group': {
    stopped: { service: 'autoscaling', operation: 'SuspendProcesses', perCall: 1 },
    running: { service: 'autoscaling', operation: 'ResumeProcesses', perCall: 1 },
  },
};

export type KindCounts = Readonly<Partial<Record<ResourceKind, number>>>;

/** Seconds a bucket that starts full needs to hand out `tokens`: nothing within its burst, then its refill rate. */
export function bucketSeconds(bucket: TokenBucket, tokens: number): number {
  return Math.max(0, (tokens - bucket.burst) / bucket.refillPerSecond);
}

/** The tokens moving `count` resources of a kind draws, per bucket (`service:bucket:request|resource`). */
export function tokensToMove(
  kind: ResourceKind,
  target: Target,
  count: number,
  limits: readonly ApiLimit[] = RATE_LIMITS,
): { readonly name: string; readonly bucket: TokenBucket; readonly tokens: number }[] {
  const call = MOVE_CALLS[kind][target];
  const limit = limitFor(call.service, call.operation, limits);
  if (!limit || count <= 0) return [];
  const name = `${limit.service}:${limit.bucket}`;
  return [
    { name: `${name}:request`, bucket: limit.request, tokens: Math.ceil(count / call.perCall) },
    ...(limit.resource ? [{ name: `${name}:resource`, bucket: limit.resource, tokens: count }] : []),
  ];
}

/** The resources one call of a kind's move names: what one draw of its resource bucket takes. */
export function resourcesPerCall(kind: ResourceKind, target: Target): number {
  return MOVE_CALLS[kind][target].perCall;
}

/** The bucket that binds a set of kinds, and the seconds it needs to issue all their calls. */
export interface IssueTime {
  readonly seconds: number;
  /** `service` and `bucket` of the binding bucket, as rate-limits.ts names it (for the emails). */
  readonly service?: LimitedService;
  readonly operation?: string;
  readonly refillPerSecond?: number;
  readonly burst?: number;
}

/**
 * Seconds to issue the move calls of `counts` from full buckets: per bucket, the tokens past its burst
 * at its refill rate (kinds that share a bucket, like RDS instances and clusters, add up). Kinds run side
 * by side when the layer fans out (`lanes`), so the slowest bucket bounds it; else one after another.
 */
export function issueSeconds(
  counts: KindCounts,
  target: Target,
  { lanes, limits = RATE_LIMITS }: { readonly lanes: boolean; readonly limits?: readonly ApiLimit[] },
): IssueTime {
  const perBucket = new Map<string, { bucket: TokenBucket; tokens: number; kind: ResourceKind }>();
  for (const kind of RESOURCE_KINDS) {
    for (const { name, bucket, tokens } of tokensToMove(kind, target, counts[kind] ?? 0, limits)) {
      const seen = perBucket.get(name);
      perBucket.set(name, { bucket, tokens: (seen?.tokens ?? 0) + tokens, kind });
    }
  }
  let binding: IssueTime = { seconds: 0 };
  // A call draws from its request and resource buckets at once: per operation the slower one counts.
  const perOperation = new Map<string, number>();
  for (const [name, { bucket, tokens, kind }] of perBucket) {
    const seconds = bucketSeconds(bucket, tokens);
    const operation = name.replace(/:(request|resource)$/, '');
    perOperation.set(operation, Math.max(perOperation.get(operation) ?? 0, seconds));
    if (seconds > binding.seconds) {
      const call = MOVE_CALLS[kind][target];
      binding = { seconds, service: call.service, operation: call.operation, ...bucket };
    }
  }
  const total = [...perOperation.values()].reduce((sum, seconds) => sum + seconds, 0);
  return lanes ? binding : { ...binding, seconds: total };
}

/** The slowest settle time of the kinds present. */
export function settleSeconds(kinds: Iterable<ResourceKind>, target: Target): number {
  let slowest = 0;
  for (const kind of kinds) slowest = Math.max(slowest, SETTLE_SECONDS[kind][target]);
  return slowest;
}

/**
 * How long the workflow waits before it looks at a layer again: after the pass that acted (attempt 0), as
 * long as the slowest pending kind takes to settle (one look usually finds it done); after each check, a
 * quarter of it, between 15 and 60 s, so a slow resource is seen soon after it settles instead of a whole
 * settle time later.
 */
export function pollWaitSeconds(
  pendingKinds: Iterable<ResourceKind>,
  target: Target,
  attempt: number,
): number {
  const settle = settleSeconds(pendingKinds, target);
  const { minSeconds, laterMaxSeconds, maxSeconds } = POLL_WAIT_BOUNDS;
  const wanted = attempt < 1 ? settle : Math.min(laterMaxSeconds, settle / 4);
  return Math.round(Math.min(maxSeconds, Math.max(minSeconds, wanted)));
}

/** What a layer of a key's fleet will take: issuing its calls, then its slowest kind settling. */
export interface LayerEstimate extends IssueTime {
  readonly settleSeconds: number;
  readonly totalSeconds: number;
}

/**
 * The time one layer takes by the rate model: issued side by side when it fans out (more resources than
 * `batchSize`, of more than one kind), else one kind after another, then the settle time of its slowest kind.
 */
export function estimateLayer(
  counts: KindCounts,
  target: Target,
  options: { readonly batchSize: number; readonly limits?: readonly ApiLimit[] },
): LayerEstimate {
  const present = RESOURCE_KINDS.filter((kind) => (counts[kind] ?? 0) > 0);
  const total = present.reduce((sum, kind) => sum + (counts[kind] ?? 0), 0);
  const issue = issueSeconds(counts, target, {
    lanes: fansOut(total, present.length, options.batchSize),
    limits: options.limits,
  });
  const settle = settleSeconds(present, target);
  return { ...issue, settleSeconds: settle, totalSeconds: issue.seconds + settle };
}

/** Whether a layer's first step hands it to a Map, one lane per kind: only a large layer of several kinds gains. */
export function fansOut(resources: number, kinds: number, batchSize: number): boolean {
  return resources > batchSize && kinds > 1;
}
