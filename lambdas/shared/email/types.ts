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
  /** When the email is rendered. */
  readonly now: Date;
  /** The language of this copy; English when absent. */
  readonly language?: PolicyLanguage;
  /** The key's alias, when it has one and KMS told. */
  readonly keyAlias?: string;
}

export interface RenderedEmail {
  /** One line, no CR/LF or control characters, at most 200 characters. */
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}
