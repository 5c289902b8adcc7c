/**
 * The contract between the CDK side (lib/) and the functions (lambdas/): what the construct sets and
 * creates, and what the functions read and expect, named once so the two cannot drift. No SDK or CDK
 * import here: both sides, the CLI and the sandbox load it.
 */

/** The Powertools service name of every function, and the dimension the dashboard and alarms filter on. */
export const SERVICE_NAME = 'key-lifecycle-reactor';
/** The CloudWatch namespace the functions publish their metrics to, and the alarms watch. */
export const METRICS_NAMESPACE = 'KeyLifecycleReactor';
/** The reactor's own events EventBridge did not take (lambdas/shared/publisher.ts); an alarm watches it. */
export const NOT_PUBLISHED_METRIC = 'ReactorEventsNotPublished';

/** The environment variables the construct sets and the functions' entry points read (settings.ts). */
export const ENV = {
  tableName: 'TABLE_NAME',
  senderAddress: 'SENDER_ADDRESS',
  operatorAddresses: 'OPERATOR_ADDRESSES',
  managedTagKey: 'MANAGED_TAG_KEY',
  managedTagValue: 'MANAGED_TAG_VALUE',
  disableStateMachineArn: 'DISABLE_STATE_MACHINE_ARN',
  enableStateMachineArn: 'ENABLE_STATE_MACHINE_ARN',
  allowedAccounts: 'ALLOWED_ACCOUNTS',
  leaseSeconds: 'LEASE_SECONDS',
  allowedOrganization: 'ALLOWED_ORGANIZATION',
  eventBusName: 'EVENT_BUS_NAME',
  warningDays: 'WARNING_DAYS',
  sweepConcurrency: 'SWEEP_CONCURRENCY',
  /** The operators' SNS topic (the alarm topic): how they hear what email could not tell anyone. */
  notificationTopicArn: 'NOTIFICATION_TOPIC_ARN',
  breakerKeys: 'BREAKER_KEYS',
  /** How the stop and start steps pace their calls: shared (the default in Lambda), local or off. */
  pacing: 'PACING',
  /** The roles the stop and start functions assume per key, with the key tag (key-session.ts). */
  stopKeyRoleArn: 'STOP_KEY_ROLE_ARN',
  startKeyRoleArn: 'START_KEY_ROLE_ARN',
} as const;
export type EnvName = (typeof ENV)[keyof typeof ENV];

/**
 * The tag on the disable state machine that holds the deployed grace period, in whole seconds (`"600"`),
 * so a reader of the deployment need not parse the workflow definition for it.
 */
export const GRACE_SECONDS_TAG = 'key-reactor:grace-seconds';

/** The tag a resource must carry before the reactor touches it; the IAM policies enforce the same. */
export interface ManagedTag {
  readonly key: string;
  readonly value: string;
}
export const DEFAULT_MANAGED_TAG: ManagedTag = { key: 'key-reactor:managed', value: 'true' };

/** Bounds and defaults both sides apply. */
export const LIMITS = {
  /** The disable workflow's wait before it stops anything: Heroku's 10 minutes. */
  defaultGraceSeconds: 10 * 60,
  /** The longest grace period, deployed or a key's own: 24 hours. */
  maxGraceSeconds: 24 * 60 * 60,
  /**
   * How long a key's lease lives without being renewed. Its holder renews it at every step (no Wait
   * between two steps is longer than 10 minutes: a poll's 5 at most, a rate limit's 10), and the lease is
   * taken only after the grace period; a holder that stalls longer loses the key to the next run.
   */
  leaseSeconds: 15 * 60,
  /**
   * The longest a workflow runs (its TimeoutSeconds), sized for the largest fleet the reactor is built
   * for, 10,000 resources on one key (docs/workflows.md): per layer, 60 checks (a first wait of at most
   * 300 s, then at most 60 s each) plus a pass of up to 105 s each (2.8 hours), twice; the enable run adds
   * EC2's StartInstances resource bucket, which lets 10,000 instances start in about 75 minutes
   * (rate-limits.ts). The disable workflow
   * first waits up to the longest grace period.
   */
  disableTimeoutSeconds: 24 * 60 * 60 + 6 * 60 * 60,
  enableTimeoutSeconds: 6 * 60 * 60,
  /**
   * A workflow step's Lambda timeout: long enough for a time-boxed pass to do real work (the step
   * stops itself 15 s before it, time-box.ts), short enough that a lost invocation is retried soon.
   */
  stepTimeoutSeconds: 120,
  /**
   * Each Task's TimeoutSeconds: the Lambda's own timeout and the invoke's overhead. A step that never
   * answers ends as States.Timeout, which the Task retries, instead of holding the workflow for ever.
   */
  taskTimeoutSeconds: 130,
  /** How often the sweep runs, in minutes, and its bounds. */
  defaultSweepMinutes: 5,
  maxSweepMinutes: 24 * 60,
  /**
   * Keys swept at once, each a DescribeKey and a probe (about 30 ms): some 530 DescribeKey a second, a
   * quarter of KMS's 2,000 a second per account (rate-limits.ts), so 10,000 keys take about 20 s.
   */
  defaultSweepConcurrency: 16,
  /** Imported key material and deletions are announced this many days ahead, once per threshold. */
  defaultWarningDays: [30, 7, 1] as readonly number[],
  maxWarningDays: 365,
  /**
   * The circuit breaker: when more keys than its limit turn unusable within the window, new shutdowns
   * wait as alert-only until an operator resumes. Unless a limit is configured, it is the larger of the
   * floor and the share of the registered keys.
   */
  breakerWindowSeconds: 60 * 60,
  breakerFloorKeys: 10,
  breakerShareOfKeys: 0.1,
} as const;

/** Input checks both sides make: the construct on its props, the CLI and the functions on what they read. */
export const PATTERNS = {
  /** An email address SES accepts as a recipient or a sender: no display name, no quoted local part. */
  emailAddress:
    /^[^\s@"<>(),;:\\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/,
  account: /^\d{12}$/,
  region: /^[a-z]{2}(-[a-z]+)+-\d+$/,
  organizationId: /^o-[a-z0-9]{10,32}$/,
} as const;

/**
 * The reactor's single DynamoDB table: one partition per key, holding the key's registered resources,
 * its policy, its ledger, its lease and its state.
 *
 *   pk = KEY#<keyArn>   sk = RESOURCE#<resourceArn>   a resource registered to the key
 *   pk = KEY#<keyArn>   sk = POLICY                   the key's administrators, grace period and action
 *   pk = KEY#<keyArn>   sk = LEDGER#<resourceArn>     a resource the reactor stopped, and how to restore it
 *   pk = KEY#<keyArn>   sk = LEASE                    which workflow acts on the key, until when
 *   pk = KEY#<keyArn>   sk = STATE                    the key's last outcome (shut down, restored, failed),
 *                                                     and which emails the current unusable episode has had
 *   pk = KEY#<keyArn>   sk = EMAIL#<execution>#<template>  an email an execution sent
 *   pk = KEY#<keyArn>   sk = WARNING#<warning>#<date>#<days>[#<about>]  an early warning the sweep sent
 *   pk = KEY#<keyArn>   sk = COUNTDOWN#<resourceArn>  when an RDS database was first seen recoverable
 *   pk = KEY#<keyArn>   sk = NEWS#<slot>              the latest email SES did not accept, for the sweep to retry
 *   pk = KEY#<keyArn>   sk = CANNOT_STOP              what the sweep found encrypted with the key that the
 *                                                     reactor cannot stop, for the emails to name
 *
 * and one partition for the reactor as a whole:
 *
 *   pk = REACTOR        sk = GUARD                    paused or not, by whom, since when, why
 *   pk = REACTOR        sk = SHUTDOWN#<keyArn>        a key the circuit breaker counted, and when
 *   pk = REACTOR        sk = PACER#<bucket>           a rate-limit bucket's tokens and when it was drawn
 *                                                     from, shared by every execution (pacing/buckets.ts)
 */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB's TTL removes expired leases and email claims. */
  timeToLiveAttribute: 'ttl',
} as const;

export const keyPartition = (keyArn: string): string => `KEY#${keyArn}`;

/** The partition of what concerns the whole reactor rather than one key (lambdas/shared/guard.ts). */
export const REACTOR_PARTITION = 'REACTOR';

export const SORT_KEYS = {
  resourcePrefix: 'RESOURCE#',
  ledgerPrefix: 'LEDGER#',
  policy: 'POLICY',
  lease: 'LEASE',
  state: 'STATE',
  emailPrefix: 'EMAIL#',
  warningPrefix: 'WARNING#',
  countdownPrefix: 'COUNTDOWN#',
  newsPrefix: 'NEWS#',
  cannotStop: 'CANNOT_STOP',
  guard: 'GUARD',
  shutdownPrefix: 'SHUTDOWN#',
} as const;

/**
 * The sweep's own events: when a key's resources do not match its state, the sweep puts one of these on
 * the platform bus and the normal path (rule, dispatcher, workflow) handles it like a KMS event. A
 * custom source, because only AWS services may put events whose source starts with `aws.`.
 */
export const DRIFT_EVENT_SOURCE = 'key-reactor.sweep';
export const DRIFT_DETAIL_TYPE = 'Key Drift Detected';

/**
 * The input the weekly schedule gives the sweep function for the operators' digest
 * (lambdas/shared/sweep/digest.ts); its events are the shared schema's (reactor-events.ts).
 */
export const DIGEST_REQUEST = { digest: true } as const;

/** The detail of a drift event, as the sweep writes it and the dispatcher reads it. */
export interface DriftDetail {
  readonly keyArn: string;
  /** What DescribeKey said when the sweep looked (Enabled, Disabled, PendingDeletion, NotFound...). */
  readonly keyState: string;
  /** The workflow that brings the resources in line with the key. */
  readonly workflow: 'disable' | 'enable';
  /** One sentence for the log and the console: what did not match. */
  readonly reason: string;
  /** The sweep invocation that found it (its Lambda request ID), to find its log lines. */
  readonly sweepId: string;
  /** The key is unusable because the platform's access to it was denied: the run's trigger is KeyAccessRevoked. */
  readonly accessRevoked?: boolean;
}

/** The tag that registers a resource to a key: its value is the key's ARN (issue 14). */
export const KEY_ARN_TAG = 'key-reactor:key-arn';
