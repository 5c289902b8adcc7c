import type { UnstoppableResource } from '../cannot-stop';
import type { KeyEvent, Layer, ResourceKind } from '../model';
import type { PolicyLanguage } from '../store/policy';

/** The emails the workflows send, by the template name the state machines pass to the notify step. */
export const EMAIL_TEMPLATES = [
  'grace-started',
  'key-usable-again',
  'shutdown-complete',
  'service-restored',
  'workflow-failed',
  'alert-only',
  'start-held-back',
] as const;
export type EmailTemplate = (typeof EMAIL_TEMPLATES)[number];

/**
 * Who an email is for. The key's administrators (the customer) and the platform's operators each get
 * their own message: neither sees the other's addresses, and one side's refused address does not stop
 * the other's copy.
 */
export const AUDIENCES = ['administrators', 'operators'] as const;
export type Audience = (typeof AUDIENCES)[number];

export interface EmailResource {
  readonly resourceArn: string;
  readonly kind: ResourceKind;
  readonly layer: Layer;
}

export interface EmailContext {
  readonly template: EmailTemplate;
  /** The execution input: the normalised event. Every string in it is untrusted. */
  readonly event: KeyEvent;
  /** The resources concerned: registered (grace-started, shutdown-complete, alert-only) or restored (service-restored). */
  readonly resources: readonly EmailResource[];
  /** grace-started only: how long until the services stop (or, for an alert-only key, until the next email). */
  readonly graceSeconds?: number;
  /** grace-started only: the key's policy, `shutdown` (the default) or `alert-only` (nothing will stop). */
  readonly action?: 'shutdown' | 'alert-only';
  /**
   * alert-only only: why a key whose policy is `shutdown` was left running: the reactor is paused by an
   * operator, or its circuit breaker held the shutdown back. Absent: the key's policy is alert-only.
   */
  readonly heldBack?: 'paused' | 'breaker' | 'unconfirmed';
  /** Resources the reactor could not act on, with why. */
  readonly skipped?: readonly { readonly resourceArn: string; readonly reason: string }[];
  /** workflow-failed only: the Step Functions error. */
  readonly error?: { readonly Error?: string; readonly Cause?: string };
  /** The execution: a console link for the operators, a reference to quote for the administrators. */
  readonly executionArn: string;
  /** When the email is rendered. */
  readonly now: Date;
  /** Whose copy this is: only the operators can open the platform account's console. */
  readonly audience: Audience;
  /** The language of this copy; English when absent. */
  readonly language?: PolicyLanguage;
  /** The key's alias (`alias/orders`), when it has one and KMS told; shown beside the key's ID. */
  readonly keyAlias?: string;
  /**
   * Encrypted with the key, and the reactor cannot stop them (ElastiCache, EFS, S3, RDS replicas), as the
   * sweep last recorded them: named in the emails that concern a shutdown. Absent: none recorded.
   */
  readonly cannotStop?: readonly UnstoppableResource[];
  /** The record could not be read: the email says where to see the list instead. */
  readonly cannotStopUnread?: boolean;
}

/** The warnings sent before a key becomes unusable by itself, by the date KMS gives for it. */
export const KEY_WARNINGS = ['material-expiring', 'deletion-pending'] as const;
export type KeyWarning = (typeof KEY_WARNINGS)[number];

export interface KeyWarningContext {
  readonly warning: KeyWarning;
  /** From the registry; treated as untrusted text all the same. */
  readonly keyArn: string;
  readonly region: string;
  /** When the imported key material expires (ValidTo) or the key is deleted (DeletionDate). */
  readonly dueAt: Date;
  /** The threshold this warning is for, in days (30, 7, 1 by default). */
  readonly thresholdDays: number;
  /** The key's registered resources. */
  readonly resources: readonly EmailResource[];
  /** The key's policy action: `shutdown` (the default) or `alert-only`. */
  readonly action: 'shutdown' | 'alert-only';
  /** material-expiring, for a key with several key materials: the one that expires. */
  readonly material?: { readonly keyMaterialId: string; readonly current: boolean };
  /** When the email is rendered. */
  readonly now: Date;
  /** The language of this copy; English when absent. */
  readonly language?: PolicyLanguage;
  /** The key's alias, when it has one and KMS told. */
  readonly keyAlias?: string;
}

/** The daily warning, days 4 to 7, about an RDS database that waits for its key and will not wait forever. */
export interface DatabaseWarningContext {
  /** From the registry; treated as untrusted text all the same. */
  readonly keyArn: string;
  readonly region: string;
  readonly database: EmailResource;
  /** When RDS makes the database unrecoverable. */
  readonly unrecoverableAt: Date;
  /** The day of the 7, from 1. */
  readonly day: number;
  readonly now: Date;
  /** The language of this copy; English when absent. */
  readonly language?: PolicyLanguage;
  /** The key's alias, when it has one and KMS told. */
  readonly keyAlias?: string;
}

/** The resources the sweep found encrypted with a key and not tagged for it, for the operators. */
export interface UnprotectedContext {
  readonly keyArn: string;
  /** Each newly found: its ARN, kind, and the volume or instance that ties it to the key. */
  readonly resources: readonly {
    readonly resourceArn: string;
    readonly kind: string;
    readonly via?: string;
  }[];
  readonly now: Date;
  /** The operators read English; the catalogue has every language all the same. */
  readonly language?: PolicyLanguage;
  readonly keyAlias?: string;
}

/** The risks the operators' weekly digest lists, in the order it lists them. */
export const DIGEST_RISKS = [
  'access-denied',
  'deletion-pending',
  'material-expiring',
  'cannot-stop',
  'unprotected-dependents',
  'failed-runs',
] as const;
export type DigestRiskKind = (typeof DIGEST_RISKS)[number];

/**
 * One reason a key is at risk in the operators' weekly digest (lambdas/shared/sweep/digest.ts): the
 * facts, which the template words in the digest's language. Built from AWS answers and the registry.
 */
export type DigestRisk =
  | { readonly kind: 'deletion-pending'; readonly dueAt: Date }
  | { readonly kind: 'material-expiring'; readonly dueAt: Date; readonly keyMaterialId?: string }
  /** `error`: what KMS said, as the sweep describes errors. */
  | { readonly kind: 'access-denied'; readonly error: string }
  /** Each resource with what its driver saw (`available (a read replica, which RDS cannot stop)`). */
  | { readonly kind: 'cannot-stop'; readonly resources: readonly string[] }
  /** Encrypted with the key, not tagged for it: the reactor would leave them running. */
  | { readonly kind: 'unprotected-dependents'; readonly resources: readonly string[] }
  | {
      readonly kind: 'failed-runs';
      readonly runs: readonly { readonly name: string; readonly status: string; readonly stoppedAt: Date }[];
    };

export interface DigestContext {
  readonly keys: readonly { readonly keyArn: string; readonly risks: readonly DigestRisk[] }[];
  /** Keys KMS did not answer for this week: not known to be at risk, nor safe. */
  readonly keysUnread: readonly string[];
  /** Start of the week the failed runs are counted from. */
  readonly since: Date;
  readonly now: Date;
  /** The operators read English; the catalogue has every language all the same. */
  readonly language?: PolicyLanguage;
}

export interface RenderedEmail {
  /** One line, no CR/LF or control characters, at most 200 characters. */
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}
