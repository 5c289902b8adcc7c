/**
 * The shapes every part of the reactor agrees on: the normalised key event that starts a workflow,
 * the resources registered to a key, and what a workflow step reports back to the state machine.
 */

/** The resource kinds the reactor can stop and start, one driver each. */
export const RESOURCE_KINDS = [
  'ecs-service',
  'ec2-instance',
  'rds-instance',
  'rds-cluster',
  'autoscaling-group',
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** Services stop first and start last; servers stop last and start first. */
export const LAYERS = ['service', 'server'] as const;
export type Layer = (typeof LAYERS)[number];

/** Which workflow an event asks for. The workflow itself decides from the key's real state. */
export type Workflow = 'disable' | 'enable';

/** The events the reactor listens to: CloudTrail API calls and native KMS events. */
export const DISABLING_API_CALLS = [
  'DisableKey',
  'ScheduleKeyDeletion',
  'DeleteImportedKeyMaterial',
] as const;
export const ENABLING_API_CALLS = ['EnableKey', 'CancelKeyDeletion', 'ImportKeyMaterial'] as const;
/**
 * Calls that can revoke the platform's access to a key that stays Enabled (its key policy, a grant):
 * the dispatcher probes the key at once instead of waiting for the sweep.
 */
export const ACCESS_API_CALLS = ['PutKeyPolicy', 'RevokeGrant', 'RetireGrant'] as const;
/**
 * A custom key store disconnected: its keys turn Unavailable, an outage that never stops anything. The
 * dispatcher pages the operators; the next check of each key decides.
 */
export const KEY_STORE_API_CALLS = ['DisconnectCustomKeyStore'] as const;
export const KMS_API_CALLS = [...DISABLING_API_CALLS, ...ENABLING_API_CALLS, ...ACCESS_API_CALLS] as const;
/** Every CloudTrail call the rules match. */
export const WATCHED_API_CALLS = [...KMS_API_CALLS, ...KEY_STORE_API_CALLS] as const;
export const NATIVE_KMS_EVENTS = ['KMS Imported Key Material Expiration', 'KMS CMK Deletion'] as const;
/** What the sweep found when no event said so (lambdas/shared/drift.ts): the key unusable, or usable again. */
export const SWEEP_FINDINGS = ['KeyFoundUnusable', 'KeyFoundUsable'] as const;
/** What the dispatcher's probe found after an access call: access revoked, or back after a revocation. */
export const ACCESS_FINDINGS = ['KeyAccessRevoked', 'KeyAccessRestored'] as const;
export type KmsApiCall = (typeof KMS_API_CALLS)[number];
export type AccessApiCall = (typeof ACCESS_API_CALLS)[number];
export type AccessFinding = (typeof ACCESS_FINDINGS)[number];
export type NativeKmsEvent = (typeof NATIVE_KMS_EVENTS)[number];
export type SweepFinding = (typeof SWEEP_FINDINGS)[number];
export type Trigger = KmsApiCall | NativeKmsEvent | SweepFinding | AccessFinding;

/** Who changed the key, from the CloudTrail record. Absent for native KMS events. */
export interface Actor {
  readonly arn: string | null;
  readonly sourceIp: string | null;
  readonly userAgent: string | null;
}

/**
 * One key event, normalised by the dispatcher; it is the input of every workflow execution.
 * Kept small on purpose: it is shown in the Step Functions console.
 */
export interface KeyEvent {
  readonly keyArn: string;
  readonly keyId: string;
  readonly account: string;
  readonly region: string;
  readonly trigger: Trigger;
  readonly workflow: Workflow;
  /** The key can never come back (it was deleted): skip the grace period. */
  readonly urgent: boolean;
  /** The EventBridge event ID, so a log line or an email can be traced to the delivery. */
  readonly eventId: string;
  /**
   * When the key changed (CloudTrail eventTime, or the event time for native events), ISO 8601. For a
   * sweep's finding, when the sweep saw it: the change itself happened some time before.
   */
  readonly eventTime: string;
  readonly actor: Actor | null;
}

/** A resource registered to a key. */
export interface RegisteredResource {
  readonly keyArn: string;
  readonly resourceArn: string;
  readonly kind: ResourceKind;
  readonly layer: Layer;
  /** Empty when only the resource's tag registers it. */
  readonly registeredAt: string;
  /**
   * What makes it the key's: its `key-reactor:key-arn` tag (with or without a row for its layer), or a
   * table row alone (a registration made before the tag was the registration). Absent where not known.
   */
  readonly source?: 'tag' | 'table';
  /** True when a table row names it too (a layer other than its kind's default, or a legacy row). */
  readonly hasRow?: boolean;
}

/** Kind-specific facts a resource needs to come back as it was (an ECS service's desired count). */
export type RestoreState = Readonly<Record<string, string | number | boolean | null>>;

/** A resource the reactor stopped, with what it needs to be restored. Written before the stop call. */
export interface LedgerEntry {
  readonly keyArn: string;
  readonly resourceArn: string;
  readonly kind: ResourceKind;
  readonly layer: Layer;
  readonly restore: RestoreState;
  readonly stoppedAt: string;
  readonly stoppedBy: string;
}

/**
 * What a driver sees of one resource. `transitioning` is any state on the way somewhere
 * (stopping, pending, starting, backing-up...); `detail` keeps AWS's own word for it.
 */
export type ResourceState = 'running' | 'stopped' | 'transitioning' | 'not-found' | 'not-managed';

export interface Observation {
  readonly resourceArn: string;
  readonly state: ResourceState;
  /** AWS's own status word, for logs and emails: `available`, `stopped`, `desired 0, running 2`. */
  readonly detail: string;
  /**
   * What the resource needs to come back as it is now, present when the reactor should take it down
   * and remember it: it is running, or on its way up (an ECS service whose tasks are still starting),
   * or AWS already took it down because of the key (an RDS database in
   * inaccessible-encryption-credentials-recoverable, state `stopped`: remembered, no stop call).
   * A `running` resource without it is one AWS refuses to stop (a cluster member, a read replica):
   * the reactor reports it instead of waiting for it.
   */
  readonly restore?: RestoreState;
  /**
   * Why AWS refuses to stop it, whatever its state now (an RDS read replica, a source with replicas, an
   * Aurora member): `register` and `plan` say so before any shutdown, not only when one comes.
   */
  readonly cannotStop?: string;
  /**
   * The resource's `key-reactor:key-arn` tag (contract.ts KEY_ARN_TAG), absent when it has none. The key
   * roles may act only on resources whose tag is the run's key, so any other is skipped (decision.ts).
   */
  readonly keyTag?: string;
}

/** One kind of a layer's resources, which a Map iteration works through on its own (docs/workflows.md). */
export interface Lane {
  readonly kind: ResourceKind;
  readonly resources: number;
}

/** What a stop, start or check step returns to the state machine: small, the same shape for all three. */
export interface Progress {
  readonly layer: Layer;
  /** Every resource of the layer has reached the target state (or cannot, see `skipped`). */
  readonly done: boolean;
  /**
   * The pass over the layer ran out of its time box, or of what the rate limits allow now: the workflow
   * calls the step again from `cursor` (after `paceSeconds`, if any), before it decides anything.
   * `done`, `pending`, `changed` and `skipped` then speak only for the part of the pass made so far.
   */
  readonly more: boolean;
  /** The last resource ARN the pass handled when `more`; null once the pass ended. */
  readonly cursor: string | null;
  /** Number of observations made so far in this poll loop; the state machine bounds it. */
  readonly attempt: number;
  /** Resources asked to change by this step, over the pass so far (stop or start calls made). */
  readonly changed: number;
  /** Resources not yet in the target state, over the pass so far. */
  readonly pending: number;
  /** Resources the reactor will not touch, each with why (not tagged as managed, not found). */
  readonly skipped: readonly { readonly resourceArn: string; readonly reason: string }[];
  /** With `more`: seconds the workflow waits for AWS's rate limits before it goes on; 0 for at once. */
  readonly paceSeconds: number;
  /**
   * When neither done nor `more`: seconds before the workflow looks again, sized from how long the
   * slowest pending kind takes to settle (pacing/plan.ts); 0 otherwise.
   */
  readonly waitSeconds: number;
  /**
   * The layer is larger than one batch and of several kinds: the first step acted on nothing and hands
   * the workflow one lane per kind, for a Map state to run side by side.
   */
  readonly batches?: readonly Lane[];
  /** The stop step found the key usable again and did nothing: the enable run restores the key. */
  readonly keyUsable?: boolean;
}
