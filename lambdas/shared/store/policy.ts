/**
 * A key's policy (its POLICY item), set at registration: who gets the key's emails, how long its grace
 * period is, and what happens after it. No SDK import here: the CLI loads this before any client.
 */

/** What the disable workflow does with a key's resources once the grace period is over. */
export const POLICY_ACTIONS = ['shutdown', 'alert-only'] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

/** The language of the emails the key's administrators get. */
export const POLICY_LANGUAGES = ['en', 'ja'] as const;
export type PolicyLanguage = (typeof POLICY_LANGUAGES)[number];

/**
 * What happens once the platform's access to a key is confirmed revoked (key policy or grant): the
 * fleet stops, as for a disabled key, or the emails say access was revoked and nothing stops.
 */
export const ACCESS_DENIED_ACTIONS = ['shutdown', 'alert-only'] as const;
export type AccessDeniedAction = (typeof ACCESS_DENIED_ACTIONS)[number];

/**
 * The key's policy. A key without a POLICY item, or with only some of its fields, gets the defaults:
 * no administrators, the deployed grace period, `shutdown` (for revoked access too), English.
 */
export interface KeyPolicy {
  /** The key's own administrators, who get the key's emails beside the platform's operators. */
  readonly administrators: readonly string[];
  /** Stored addresses SES would refuse, left out of `administrators`; absent when there are none. */
  readonly invalidAdministrators?: readonly string[];
  /** The key's own grace period in seconds, or undefined for the deployed one. */
  readonly graceSeconds?: number;
  /** `shutdown` stops the key's resources after the grace period; `alert-only` only emails. */
  readonly action: PolicyAction;
  /** What a confirmed revocation of the platform's access does: `shutdown` (the default) or `alert-only`. */
  readonly onAccessDenied: AccessDeniedAction;
  /** The language of the administrators' emails: `en` (the default) or `ja`. */
  readonly language: PolicyLanguage;
}

/** What may be changed in a key's policy; a field left out keeps its stored value. */
export interface KeyPolicyChange {
  readonly administrators?: readonly string[];
  readonly graceSeconds?: number;
  readonly action?: PolicyAction;
  readonly onAccessDenied?: AccessDeniedAction;
  readonly language?: PolicyLanguage;
}
